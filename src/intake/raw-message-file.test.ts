import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createHash, randomBytes } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { deriveRawMessageKey } from './raw-message-crypto.ts'
import {
  rawMessageFilePath,
  RawMessageFileWriter,
  readRawMessageFile,
  readRawMessageFileBytes,
  removeOrphanRawMessageFiles,
  SEGMENT_BYTES,
  SpillingRawSink,
} from './raw-message-file.ts'

const key = deriveRawMessageKey(Buffer.alloc(32, 7))
let dir: string

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'raw-file-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function writeFileOf(plain: Buffer, pieces: number[]): Promise<{ file: string; sha256: string; size: number }> {
  const writer = RawMessageFileWriter.create(dir, key)
  let offset = 0
  for (const n of pieces) {
    writer.write(plain.subarray(offset, offset + n))
    offset += n
  }
  writer.write(plain.subarray(offset))
  const done = await writer.finish()
  return { file: rawMessageFilePath(dir, done.name), sha256: done.sha256, size: done.size }
}

describe('raw message files (segmented AES-256-GCM)', () => {
  // Sizes at and around segment boundaries: the final segment may be empty, short or one byte short of full.
  for (const size of [0, 1, SEGMENT_BYTES - 1, SEGMENT_BYTES, SEGMENT_BYTES + 1, 3 * SEGMENT_BYTES, 3 * SEGMENT_BYTES + 100]) {
    it(`round-trips ${size} bytes written in odd pieces, with size and sha256 of the plaintext`, async () => {
      const plain = randomBytes(size)
      const { file, sha256, size: written } = await writeFileOf(plain, [7, 1000, 70_000])
      expect(written).toBe(size)
      expect(sha256).toBe(createHash('sha256').update(plain).digest('hex'))
      const chunks: Buffer[] = []
      for await (const c of readRawMessageFile(file, key)) chunks.push(c)
      expect(chunks.every((c) => c.length <= SEGMENT_BYTES)).toBe(true)
      expect(Buffer.concat(chunks).equals(plain)).toBe(true)
    })
  }

  it('does not contain the plaintext, and leaves no temporary file', async () => {
    const plain = Buffer.from('my card is 4111 1111 1111 1111\r\n'.repeat(5000))
    const { file } = await writeFileOf(plain, [])
    expect((await readFile(file)).includes(Buffer.from('4111 1111'))).toBe(false)
    expect((await readdir(dir)).filter((f) => f.endsWith('.part'))).toEqual([])
  })

  it('refuses a wrong key, a flipped bit, a file cut at a segment boundary, swapped segments and a missing tail', async () => {
    const plain = randomBytes(3 * SEGMENT_BYTES + 10)
    const { file } = await writeFileOf(plain, [])
    const good = await readFile(file)
    const read = (bytes: Buffer, k = key) => writeFile(file, bytes).then(() => readRawMessageFileBytes(file, k))
    await expect(read(good, deriveRawMessageKey(Buffer.alloc(32, 8)))).rejects.toThrow()
    const flipped = Buffer.from(good)
    flipped[100] = (flipped[100] as number) ^ 1
    await expect(read(flipped)).rejects.toThrow()
    const header = 44
    const sealed = SEGMENT_BYTES + 16
    // Cut after two whole segments: the second one was sealed as not final.
    await expect(read(good.subarray(0, header + 2 * sealed))).rejects.toThrow()
    const swapped = Buffer.concat([good.subarray(0, header), good.subarray(header + sealed, header + 2 * sealed), good.subarray(header, header + sealed), good.subarray(header + 2 * sealed)])
    await expect(read(swapped)).rejects.toThrow()
    await expect(read(good.subarray(0, good.length - 3))).rejects.toThrow()
    expect((await read(good)).equals(plain)).toBe(true)
  })

  it('abort removes the temporary file', async () => {
    const writer = RawMessageFileWriter.create(dir, key)
    writer.write(randomBytes(200_000))
    await writer.abort()
    expect(await readdir(dir)).toEqual([])
  })

  it('leaves no file behind when finishing fails (the rename is refused)', async () => {
    const writer = RawMessageFileWriter.create(dir, key)
    writer.write(randomBytes(200_000))
    const [temp] = await readdir(dir)
    // A non-empty directory where the finished file should go: rename() fails.
    const blocker = path.join(dir, (temp ?? '').replace(/\.part$/, '.raw'))
    await mkdir(blocker)
    await writeFile(path.join(blocker, 'x'), 'x')
    await expect(writer.finish()).rejects.toThrow()
    expect(await readdir(dir)).toEqual([path.basename(blocker)])
  })

  it('removes temporary files older than an hour at start, and leaves younger ones and finished files', async () => {
    const old = path.join(dir, 'aaaaaaaaaaaaaaaaaaaaaaaa.part')
    const young = path.join(dir, 'bbbbbbbbbbbbbbbbbbbbbbbb.part')
    const finished = path.join(dir, 'cccccccccccccccccccccccc.raw')
    for (const f of [old, young, finished]) await writeFile(f, 'x')
    const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60_000)
    await utimes(old, twoHoursAgo, twoHoursAgo)
    await utimes(finished, twoHoursAgo, twoHoursAgo)
    expect(await removeOrphanRawMessageFiles(dir)).toBe(1)
    expect((await readdir(dir)).sort()).toEqual(['bbbbbbbbbbbbbbbbbbbbbbbb.part', 'cccccccccccccccccccccccc.raw'])
  })

  it('refuses stored names that would leave the spool directory', () => {
    expect(() => rawMessageFilePath(dir, '../../etc/passwd')).toThrow('not a raw message file name')
  })
})

describe('SpillingRawSink', () => {
  it('keeps a message up to the threshold in memory, with no file', async () => {
    const sink = new SpillingRawSink(dir, key, 1000)
    sink.write(Buffer.from('a'.repeat(600)))
    sink.write(Buffer.from('b'.repeat(400)))
    const out = await sink.finish()
    expect(Buffer.isBuffer(out) && out.toString()).toBe('a'.repeat(600) + 'b'.repeat(400))
    await expect(readdir(dir)).resolves.toEqual([])
  })

  it('moves a message past the threshold to a durable file with the same bytes', async () => {
    const sink = new SpillingRawSink(dir, key, 1000)
    const plain = randomBytes(250_000)
    for (let i = 0; i < plain.length; i += 999) sink.write(plain.subarray(i, i + 999))
    const out = await sink.finish()
    if (Buffer.isBuffer(out)) throw new Error('expected a file')
    expect(out.size).toBe(plain.length)
    expect((await readRawMessageFileBytes(rawMessageFilePath(dir, out.name), key)).equals(plain)).toBe(true)
  })

  it('abort leaves nothing behind', async () => {
    const sink = new SpillingRawSink(dir, key, 10)
    sink.write(randomBytes(5000))
    await sink.abort()
    expect(await readdir(dir)).toEqual([])
  })
})

