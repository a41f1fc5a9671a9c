import { createHash, randomBytes } from 'node:crypto'
import { createReadStream, type ReadStream } from 'node:fs'
import { mkdir, open, rename, stat } from 'node:fs/promises'
import path from 'node:path'

/**
 * Attachment bytes on disk, named by their SHA-256, so the same file sent a hundred times is stored once.
 * Files are written to a temporary name, fsynced and renamed, so a crash never leaves a partial file
 * under a real name.
 */
export class AttachmentStore {
  constructor(private readonly root: string) {}

  pathOf(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error('not a sha256 hex digest')
    return path.join(this.root, sha256.slice(0, 2), sha256.slice(2, 4), sha256)
  }

  /** Stores the bytes (once per content) and returns their digest. */
  async put(content: Uint8Array): Promise<string> {
    const sha256 = createHash('sha256').update(content).digest('hex')
    const target = this.pathOf(sha256)
    if (await exists(target)) return sha256
    await mkdir(path.dirname(target), { recursive: true })
    const tmp = `${target}.${randomBytes(6).toString('hex')}.tmp`
    const handle = await open(tmp, 'w', 0o600)
    try {
      await handle.writeFile(content)
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(tmp, target)
    return sha256
  }

  openRead(sha256: string): ReadStream {
    return createReadStream(this.pathOf(sha256))
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file)
    return true
  } catch {
    return false
  }
}
