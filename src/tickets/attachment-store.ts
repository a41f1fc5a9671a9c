import { createHash, randomBytes, type Hash } from 'node:crypto'
import { closeSync, createReadStream, fsyncSync, mkdirSync, openSync, writeSync, type ReadStream } from 'node:fs'
import { mkdir, open, rename, rm, stat } from 'node:fs/promises'
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

  /**
   * A writer for content that is never whole in memory (a large attachment decoded from a spooled file): hashed
   * while written to a temporary file, then fsynced and renamed to its digest's name (or dropped when that content
   * is already stored).
   */
  createWriter(): AttachmentWriter {
    return new AttachmentWriter(this)
  }

  /** @internal for AttachmentWriter: a new temporary file's path. */
  tempPath(): string {
    const dir = path.join(this.root, 'tmp')
    mkdirSync(dir, { recursive: true })
    return path.join(dir, `${randomBytes(8).toString('hex')}.tmp`)
  }

  openRead(sha256: string): ReadStream {
    return createReadStream(this.pathOf(sha256))
  }

  /** Up to `maxBytes` from the start of stored content (type detection needs the first bytes only). */
  async readHead(sha256: string, maxBytes: number): Promise<Buffer> {
    const handle = await open(this.pathOf(sha256), 'r')
    try {
      const head = Buffer.alloc(maxBytes)
      const { bytesRead } = await handle.read(head, 0, maxBytes, 0)
      return head.subarray(0, bytesRead)
    } finally {
      await handle.close()
    }
  }
}

/** Streams one attachment into the store; see AttachmentStore.createWriter(). Writes are synchronous (bounded memory). */
export class AttachmentWriter {
  private readonly file: string
  private readonly fd: number
  private readonly hash: Hash = createHash('sha256')
  private readonly buffer = Buffer.allocUnsafe(256 * 1024)
  private buffered = 0
  private closed = false
  /** Bytes written so far. */
  size = 0

  constructor(private readonly store: AttachmentStore) {
    this.file = store.tempPath()
    this.fd = openSync(this.file, 'wx', 0o600)
  }

  write(bytes: Uint8Array): void {
    this.hash.update(bytes)
    this.size += bytes.length
    if (this.buffered + bytes.length > this.buffer.length) this.flush()
    if (bytes.length >= this.buffer.length) writeSync(this.fd, bytes)
    else {
      this.buffer.set(bytes, this.buffered)
      this.buffered += bytes.length
    }
  }

  /** fsync, rename to the digest's name; returns the digest and size. */
  async finish(): Promise<{ sha256: string; size: number }> {
    this.flush()
    this.closed = true
    try {
      fsyncSync(this.fd)
    } finally {
      closeSync(this.fd)
    }
    const sha256 = this.hash.digest('hex')
    const target = this.store.pathOf(sha256)
    if (await exists(target)) {
      await rm(this.file, { force: true })
    } else {
      await mkdir(path.dirname(target), { recursive: true })
      await rename(this.file, target)
    }
    return { sha256, size: this.size }
  }

  /** Drops the temporary file. Never throws. */
  async abort(): Promise<void> {
    if (!this.closed) {
      this.closed = true
      try {
        closeSync(this.fd)
      } catch {
        // already closed
      }
    }
    await rm(this.file, { force: true }).catch(() => {})
  }

  private flush(): void {
    if (this.buffered > 0) writeSync(this.fd, this.buffer.subarray(0, this.buffered))
    this.buffered = 0
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
