/**
 * Large raw messages as encrypted files under `<data-dir>/spool/raw/`, written while the DATA arrives.
 *
 * A 34 MB message held in memory, encrypted into a second buffer and inserted as one SQLite blob (which costs
 * about 2.4x its size while the record is built) took the process from ~150 MB idle past 350 MB. Above
 * RAW_FILE_THRESHOLD_BYTES the message is therefore never whole in memory: it is encrypted segment by segment into a
 * temporary file, which is fsynced, renamed and its directory fsynced before the spool row that names it is
 * committed (and the 250 is sent only after that commit). The data directory is already shared by all nodes
 * (docs/deploy.md), so a worker on another node reads the file where the receiver wrote it.
 *
 * Format (segmented AEAD, after the STREAM construction of Hoang, Reyhanitabar, Rogaway and Vizár, as in Tink's
 * AES-GCM-HKDF streaming AEAD):
 *   header  = "MDRAW01\n" (8) || salt (32) || nonce prefix (4)                                   44 bytes
 *   key     = HKDF-SHA-256(raw-message key, salt, "maildesk raw-message file v1")                a key per file
 *   segment = AES-256-GCM(key, iv = prefix || uint64 counter, aad = header || final flag) || tag
 * Every segment but the last holds exactly SEGMENT_BYTES of plaintext; the last holds fewer (possibly none) and
 * carries final flag 1. Reordered segments fail their tag (counter in the IV), a file cut at a segment boundary fails
 * too (the last segment read was sealed as not final), and so does a file from another message (its own header).
 */
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes, type Hash } from 'node:crypto'
import { closeSync, fsyncSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs'
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises'
import path from 'node:path'
import { syncDirectory } from '../sync-directory.ts'

/** Raw messages larger than this are spooled as files; smaller ones stay database blobs as before. */
export const RAW_FILE_THRESHOLD_BYTES = 1024 * 1024 // 1 MiB
/** Plaintext bytes per segment. */
export const SEGMENT_BYTES = 64 * 1024 // 64 KiB
/** The `encryption` value of a spool row whose raw message is such a file. */
export const RAW_FILE_ENCRYPTION = 'aes-256-gcm-stream-v1'

const MAGIC = Buffer.from('MDRAW01\n', 'latin1')
const SALT_BYTES = 32
const PREFIX_BYTES = 4
const HEADER_BYTES = MAGIC.length + SALT_BYTES + PREFIX_BYTES
const TAG_BYTES = 16
const SEALED_SEGMENT_BYTES = SEGMENT_BYTES + TAG_BYTES
const TEMP_SUFFIX = '.part'
/** Temporary files older than this at start belong to a receiver that died mid-DATA (any node sharing the dir). */
const ORPHAN_AGE_MS = 60 * 60_000 // 1 hour

/** The spool directory of raw message files inside a data directory. */
export function rawMessageDir(dataDir: string): string {
  return path.join(dataDir, 'spool', 'raw')
}

/** A finished raw message file: its name inside the spool directory, plaintext size and SHA-256. */
export interface RawMessageFile {
  /** File name relative to the spool directory (what the spool row stores). */
  name: string
  size: number
  sha256: string
}

function fileKey(rawMessageKey: Buffer, salt: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', rawMessageKey, salt, 'maildesk raw-message file v1', 32))
}

function segmentIv(prefix: Buffer, counter: number): Buffer {
  const iv = Buffer.alloc(PREFIX_BYTES + 8)
  prefix.copy(iv, 0)
  iv.writeBigUInt64BE(BigInt(counter), PREFIX_BYTES)
  return iv
}

function segmentAad(header: Buffer, final: boolean): Buffer {
  return Buffer.concat([header, Buffer.from([final ? 1 : 0])])
}

/**
 * Encrypts a message into a temporary file as its bytes arrive. Writes are synchronous on purpose: one 64 KiB
 * segment goes to the page cache in microseconds, memory stays bounded by one segment whatever the sender's pace,
 * and the DATA reader, which is synchronous, needs no back-pressure. The fsyncs at the end are asynchronous.
 */
export class RawMessageFileWriter {
  private readonly fd: number
  private readonly header: Buffer
  private readonly key: Buffer
  private readonly prefix: Buffer
  private readonly hash: Hash = createHash('sha256')
  private readonly pending = Buffer.allocUnsafe(SEGMENT_BYTES)
  private pendingBytes = 0
  private counter = 0
  private closed = false
  /** Plaintext bytes written so far. */
  size = 0

  private constructor(
    private readonly dir: string,
    private readonly tempPath: string,
    rawMessageKey: Buffer,
  ) {
    const salt = randomBytes(SALT_BYTES)
    this.prefix = randomBytes(PREFIX_BYTES)
    this.header = Buffer.concat([MAGIC, salt, this.prefix])
    this.key = fileKey(rawMessageKey, salt)
    this.fd = openSync(tempPath, 'wx', 0o600)
    writeSync(this.fd, this.header)
  }

  /** Starts a temporary file in `dir` (created when missing). */
  static create(dir: string, rawMessageKey: Buffer): RawMessageFileWriter {
    mkdirSync(dir, { recursive: true })
    return new RawMessageFileWriter(dir, path.join(dir, `${randomBytes(12).toString('hex')}${TEMP_SUFFIX}`), rawMessageKey)
  }

  /** Appends plaintext. */
  write(chunk: Uint8Array): void {
    if (this.closed) throw new Error('raw message file is closed')
    this.hash.update(chunk)
    this.size += chunk.length
    let offset = 0
    while (offset < chunk.length) {
      const n = Math.min(chunk.length - offset, SEGMENT_BYTES - this.pendingBytes)
      this.pending.set(chunk.subarray(offset, offset + n), this.pendingBytes)
      this.pendingBytes += n
      offset += n
      if (this.pendingBytes === SEGMENT_BYTES) this.seal(false)
    }
  }

  /**
   * Seals the last segment, fsyncs the file, renames it to its final name and fsyncs the directory: once this
   * resolves, the file survives a crash or power loss. The caller then commits the row that names it.
   */
  async finish(): Promise<RawMessageFile> {
    this.seal(true)
    this.closed = true
    const name = path.basename(this.tempPath, TEMP_SUFFIX) + '.raw'
    const finalPath = path.join(this.dir, name)
    let renamed = false
    try {
      try {
        fsyncSync(this.fd)
      } finally {
        closeSync(this.fd)
      }
      await rename(this.tempPath, finalPath)
      renamed = true
      await syncDirectory(this.dir)
    } catch (err) {
      // Not durable, so no row will name it: nothing may stay behind (abort() does nothing once closed, and a .raw
      // file without a row is never purged).
      await rm(renamed ? finalPath : this.tempPath, { force: true }).catch(() => {})
      throw err
    }
    return { name, size: this.size, sha256: this.hash.digest('hex') }
  }

  /**
   * Drops the temporary file (message refused, too large, connection lost). Done synchronously, so it is gone before
   * the client hears the 552. Never throws.
   */
  async abort(): Promise<void> {
    if (this.closed) return
    this.closed = true
    try {
      closeSync(this.fd)
      rmSync(this.tempPath, { force: true })
    } catch {
      // already gone
    }
  }

  private seal(final: boolean): void {
    const cipher = createCipheriv('aes-256-gcm', this.key, segmentIv(this.prefix, this.counter++))
    cipher.setAAD(segmentAad(this.header, final))
    const body = cipher.update(this.pending.subarray(0, this.pendingBytes))
    cipher.final()
    writeSync(this.fd, body)
    writeSync(this.fd, cipher.getAuthTag())
    this.pendingBytes = 0
  }
}

/**
 * The plaintext of a raw message file, one verified segment at a time (64 KiB each): nothing is yielded before its
 * tag has been checked.
 * @throws Error when the key is wrong, or the file was altered, truncated or reordered.
 */
export async function* readRawMessageFile(file: string, rawMessageKey: Buffer): AsyncGenerator<Buffer> {
  const handle = await open(file, 'r')
  try {
    const { size } = await handle.stat()
    if (size < HEADER_BYTES + TAG_BYTES) throw new Error('raw message file is truncated')
    const header = Buffer.alloc(HEADER_BYTES)
    await handle.read(header, 0, HEADER_BYTES, 0)
    if (!header.subarray(0, MAGIC.length).equals(MAGIC)) throw new Error('not a raw message file')
    const key = fileKey(rawMessageKey, header.subarray(MAGIC.length, MAGIC.length + SALT_BYTES))
    const prefix = header.subarray(MAGIC.length + SALT_BYTES)
    const sealed = Buffer.allocUnsafe(SEALED_SEGMENT_BYTES)
    let position = HEADER_BYTES
    for (let counter = 0; ; counter++) {
      const left = size - position
      // Full segments are never final; the final one is shorter (the writer seals a full segment at once).
      const final = left < SEALED_SEGMENT_BYTES
      const length = final ? left : SEALED_SEGMENT_BYTES
      if (length < TAG_BYTES) throw new Error('raw message file is truncated')
      const { bytesRead } = await handle.read(sealed, 0, length, position)
      if (bytesRead !== length) throw new Error('raw message file changed while being read')
      position += length
      const decipher = createDecipheriv('aes-256-gcm', key, segmentIv(prefix, counter))
      decipher.setAAD(segmentAad(header, final))
      decipher.setAuthTag(sealed.subarray(length - TAG_BYTES, length))
      const plain = decipher.update(sealed.subarray(0, length - TAG_BYTES))
      decipher.final() // throws when the tag does not match
      if (plain.length > 0) yield plain
      if (final) return
    }
  } finally {
    await handle.close()
  }
}

/** The whole plaintext of a raw message file in one buffer (reprocessing small consumers, tests). */
export async function readRawMessageFileBytes(file: string, rawMessageKey: Buffer): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of readRawMessageFile(file, rawMessageKey)) chunks.push(chunk)
  return Buffer.concat(chunks)
}

/** Removes a spooled raw message file (retention purge); a file already gone is fine. */
export async function removeRawMessageFile(dir: string, name: string): Promise<void> {
  await rm(path.join(dir, safeName(name)), { force: true })
}

/** The path of a spooled file from the name stored in its row; refuses names that would leave the directory. */
export function rawMessageFilePath(dir: string, name: string): string {
  return path.join(dir, safeName(name))
}

function safeName(name: string): string {
  if (!/^[0-9a-f]{24}\.raw$/.test(name)) throw new Error('not a raw message file name')
  return name
}

/**
 * Removes temporary files left by a receiver that died mid-DATA. Only files older than an hour: another node
 * sharing the data directory may be receiving into a younger one right now. Returns how many were removed.
 */
export async function removeOrphanRawMessageFiles(dir: string, now = new Date()): Promise<number> {
  await mkdir(dir, { recursive: true })
  let removed = 0
  for (const entry of await readdir(dir)) {
    if (!entry.endsWith(TEMP_SUFFIX)) continue
    const file = path.join(dir, entry)
    const info = await stat(file).catch(() => undefined)
    if (info && now.getTime() - info.mtimeMs > ORPHAN_AGE_MS) {
      await rm(file, { force: true })
      removed++
    }
  }
  return removed
}

/** A message as received: its bytes when small, or the durable file it was spooled to when large. */
export type ReceivedRaw = Buffer | RawMessageFile

/**
 * The DATA sink: keeps the first RAW_FILE_THRESHOLD_BYTES in memory (most mail, stored as a blob as before) and
 * moves to an encrypted file in `dir` when the message grows past that.
 */
export class SpillingRawSink {
  private chunks: Buffer[] = []
  private file: RawMessageFileWriter | undefined
  size = 0

  constructor(
    private readonly dir: string,
    private readonly rawMessageKey: Buffer,
    private readonly thresholdBytes = RAW_FILE_THRESHOLD_BYTES,
  ) {}

  /** Appends bytes (kept as given while in memory, as the DATA reader keeps its socket chunks). */
  write(chunk: Buffer): void {
    this.size += chunk.length
    if (this.file) {
      this.file.write(chunk)
      return
    }
    this.chunks.push(chunk)
    if (this.size > this.thresholdBytes) {
      this.file = RawMessageFileWriter.create(this.dir, this.rawMessageKey)
      for (const c of this.chunks) this.file.write(c)
      this.chunks = []
    }
  }

  /** The message: bytes when small, or the durable (fsynced, renamed) file when large. */
  async finish(): Promise<ReceivedRaw> {
    if (this.file) return this.file.finish()
    const bytes = this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks, this.size)
    this.chunks = []
    return bytes
  }

  /** Drops whatever was received (too large, connection lost). */
  async abort(): Promise<void> {
    this.chunks = []
    await this.file?.abort()
  }
}
