import { inflateRawSync } from 'node:zlib'

/** One file listed in a ZIP central directory (APPNOTE.TXT section 4.3.12). */
export interface ZipEntry {
  name: string
  /** 0 stored, 8 deflated; others are not unpacked here. */
  method: number
  compressedBytes: number
  uncompressedBytes: number
  /** General-purpose flag bit 0: the entry is encrypted and cannot be inspected. */
  isEncrypted: boolean
  localHeaderOffset: number
}

export type ZipInspection =
  | { ok: true; entries: ZipEntry[] }
  | { ok: false; reason: 'no_central_directory' | 'truncated' | 'zip64' | 'too_many_entries' }

const EOCD_SIGNATURE = 0x06054b50
const CENTRAL_SIGNATURE = 0x02014b50
const LOCAL_SIGNATURE = 0x04034b50
const EOCD_MIN_BYTES = 22
const MAX_COMMENT_BYTES = 0xffff
const MAX_ENTRIES = 65_535

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

/**
 * Reads the central directory, which is what archive tools trust, without unpacking anything: sizes
 * declared there are what a zip bomb lies about least cheaply, and a ZIP64 directory (needed only
 * past 4 GiB) has no business in an email attachment, so it is reported rather than parsed.
 */
export function inspectZipArchive(bytes: Uint8Array, maxEntries = MAX_ENTRIES): ZipInspection {
  const dv = view(bytes)
  const lowest = Math.max(0, bytes.length - EOCD_MIN_BYTES - MAX_COMMENT_BYTES)
  let eocd = -1
  for (let i = bytes.length - EOCD_MIN_BYTES; i >= lowest; i--) {
    if (dv.getUint32(i, true) === EOCD_SIGNATURE) {
      eocd = i
      break
    }
  }
  if (eocd < 0) return { ok: false, reason: 'no_central_directory' }
  const count = dv.getUint16(eocd + 10, true)
  const directoryBytes = dv.getUint32(eocd + 12, true)
  const directoryOffset = dv.getUint32(eocd + 16, true)
  if (count === 0xffff || directoryOffset === 0xffffffff || directoryBytes === 0xffffffff) return { ok: false, reason: 'zip64' }
  if (count > maxEntries) return { ok: false, reason: 'too_many_entries' }
  // Bytes prepended to an archive (a self-extractor stub, or a PDF in a polyglot) shift every offset;
  // like Info-ZIP, trust where the directory actually ends (at the EOCD) and shift by the difference.
  const shift = eocd - directoryBytes - directoryOffset
  if (shift < 0) return { ok: false, reason: 'truncated' }
  const entries: ZipEntry[] = []
  let at = directoryOffset + shift
  for (let n = 0; n < count; n++) {
    if (at + 46 > bytes.length || dv.getUint32(at, true) !== CENTRAL_SIGNATURE) return { ok: false, reason: 'truncated' }
    const nameLength = dv.getUint16(at + 28, true)
    const extraLength = dv.getUint16(at + 30, true)
    const commentLength = dv.getUint16(at + 32, true)
    if (at + 46 + nameLength > bytes.length) return { ok: false, reason: 'truncated' }
    const compressedBytes = dv.getUint32(at + 20, true)
    const uncompressedBytes = dv.getUint32(at + 24, true)
    const localHeaderOffset = dv.getUint32(at + 42, true)
    if (compressedBytes === 0xffffffff || uncompressedBytes === 0xffffffff || localHeaderOffset === 0xffffffff) {
      return { ok: false, reason: 'zip64' }
    }
    entries.push({
      name: Buffer.from(bytes.subarray(at + 46, at + 46 + nameLength)).toString('utf8'),
      method: dv.getUint16(at + 10, true),
      compressedBytes,
      uncompressedBytes,
      isEncrypted: (dv.getUint16(at + 8, true) & 1) === 1,
      localHeaderOffset: localHeaderOffset + shift,
    })
    at += 46 + nameLength + extraLength + commentLength
  }
  return { ok: true, entries }
}

/**
 * Unpacks one entry, never producing more than `maxBytes` (a lying size field cannot make it allocate
 * more). Returns undefined when the entry cannot be unpacked here (other methods, encryption, damage).
 */
export function readZipEntry(bytes: Uint8Array, entry: ZipEntry, maxBytes: number): Uint8Array | undefined {
  if (entry.isEncrypted || (entry.method !== 0 && entry.method !== 8)) return undefined
  const dv = view(bytes)
  const at = entry.localHeaderOffset
  if (at + 30 > bytes.length || dv.getUint32(at, true) !== LOCAL_SIGNATURE) return undefined
  const start = at + 30 + dv.getUint16(at + 26, true) + dv.getUint16(at + 28, true)
  const data = bytes.subarray(start, Math.min(bytes.length, start + entry.compressedBytes))
  if (entry.method === 0) return data.subarray(0, maxBytes)
  try {
    return inflateRawSync(data, { maxOutputLength: maxBytes })
  } catch {
    return undefined
  }
}
