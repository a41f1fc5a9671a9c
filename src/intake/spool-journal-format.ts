/**
 * The record format of the SMTP spool journal (intake/spool-journal.ts): append-only segment files of
 * length-prefixed, checksummed records, each one accepted message.
 *
 *   offset  0  "MDJ1"                       magic
 *           4  crc32 of bytes 8..end        a torn or stale write fails it
 *           8  segment number    uint32 LE  a record left over from the segment file's previous use has another
 *          12  sequence          uint32 LE  1, 2, 3 … within the segment, without gaps
 *          16  meta length       uint32 LE
 *          20  body length       uint32 LE
 *          24  meta                         JSON: the raw_messages columns but the bytes (JournalMeta)
 *      24 + m  body                         the raw message as stored in raw_messages.raw (encrypted), or nothing
 *                                           for a message spooled to a raw-message file (meta.raw_file names it)
 *
 * Segment files are written in order and reused once imported, so a file holds valid records up to the first one
 * whose magic, checksum, segment number or sequence is wrong; everything after that point is old or unfinished.
 */
import { crc32 } from 'node:zlib'
import type { RawMessageRow } from './raw-message.table.ts'

export const RECORD_MAGIC = Buffer.from('MDJ1', 'latin1')
export const RECORD_HEADER_BYTES = 24

/** What raw_messages needs of a journaled message besides its bytes. */
export type JournalMeta = Pick<RawMessageRow, 'source' | 'received_at' | 'mail_from' | 'rcpt_to' | 'remote_address' | 'size_bytes' | 'sha256' | 'encryption' | 'raw_file'>

export interface JournalRecord {
  segment: number
  sequence: number
  meta: JournalMeta
  body: Buffer
}

/** One record's bytes, ready to append. */
export function encodeRecord(segment: number, sequence: number, meta: JournalMeta, body: Uint8Array): Buffer {
  const metaBytes = Buffer.from(JSON.stringify(meta), 'utf8')
  const out = Buffer.allocUnsafe(RECORD_HEADER_BYTES + metaBytes.length + body.byteLength)
  RECORD_MAGIC.copy(out, 0)
  out.writeUInt32LE(segment, 8)
  out.writeUInt32LE(sequence, 12)
  out.writeUInt32LE(metaBytes.length, 16)
  out.writeUInt32LE(body.byteLength, 20)
  metaBytes.copy(out, RECORD_HEADER_BYTES)
  out.set(body, RECORD_HEADER_BYTES + metaBytes.length)
  out.writeUInt32LE(crc32(out.subarray(8)), 4)
  return out
}

/**
 * The valid records in `bytes`, which start at a record boundary of the segment with `firstSequence`, in order:
 * reading stops at the first record that is torn, from an earlier use of the file, or out of sequence.
 */
export function decodeRecords(bytes: Buffer, segment: number, firstSequence = 1): JournalRecord[] {
  const records: JournalRecord[] = []
  let offset = 0
  while (offset + RECORD_HEADER_BYTES <= bytes.length) {
    if (!bytes.subarray(offset, offset + 4).equals(RECORD_MAGIC)) break
    const metaLength = bytes.readUInt32LE(offset + 16)
    const bodyLength = bytes.readUInt32LE(offset + 20)
    const end = offset + RECORD_HEADER_BYTES + metaLength + bodyLength
    const sequence = firstSequence + records.length
    if (end > bytes.length) break
    if (bytes.readUInt32LE(offset + 8) !== segment || bytes.readUInt32LE(offset + 12) !== sequence) break
    if (crc32(bytes.subarray(offset + 8, end)) !== bytes.readUInt32LE(offset + 4)) break
    let meta: JournalMeta
    try {
      meta = JSON.parse(bytes.toString('utf8', offset + RECORD_HEADER_BYTES, offset + RECORD_HEADER_BYTES + metaLength)) as JournalMeta
    } catch {
      break
    }
    records.push({ segment, sequence, meta, body: bytes.subarray(offset + RECORD_HEADER_BYTES + metaLength, end) })
    offset = end
  }
  return records
}

/** The raw_messages.spool_key of a journaled message: unique across every journal that ever existed. */
export function spoolKey(journal: string, segment: number, sequence: number): string {
  return `${journal}/${segment}/${sequence}`
}

/** Segment files are named by number, zero-padded so a directory listing sorts them. */
export function segmentFileName(segment: number): string {
  return `${String(segment).padStart(8, '0')}.seg`
}

/** The segment number of a segment file name, or undefined for any other file. */
export function segmentNumberOf(name: string): number | undefined {
  const match = /^(\d{8})\.seg$/.exec(name)
  return match ? Number(match[1]) : undefined
}
