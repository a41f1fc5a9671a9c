/** One member of a POSIX tar archive. */
export interface TarEntry {
  name: string
  content: Uint8Array
}

const BLOCK = 512

function field(bytes: Uint8Array, start: number, length: number): string {
  const raw = bytes.subarray(start, start + length)
  const end = raw.indexOf(0)
  return Buffer.from(end >= 0 ? raw.subarray(0, end) : raw).toString('utf8')
}

/** Whether the bytes carry a ustar header ("ustar" at offset 257, POSIX.1-1988 and GNU tar). */
export function isTarArchive(bytes: Uint8Array): boolean {
  return bytes.length >= BLOCK && field(bytes, 257, 5) === 'ustar'
}

/**
 * Lists the regular files of a tar archive, sharing its buffer (tar stores members uncompressed, so
 * nothing is allocated). Returns undefined for a damaged archive.
 */
export function listTarEntries(bytes: Uint8Array, maxEntries: number): TarEntry[] | undefined {
  const entries: TarEntry[] = []
  let at = 0
  while (at + BLOCK <= bytes.length) {
    const header = bytes.subarray(at, at + BLOCK)
    if (header.every((b) => b === 0)) break // two zero blocks end the archive
    const size = Number.parseInt(field(header, 124, 12).trim() || '0', 8)
    if (!Number.isFinite(size) || size < 0) return undefined
    const prefix = field(header, 345, 155)
    const name = (prefix ? `${prefix}/` : '') + field(header, 0, 100)
    const kind = String.fromCharCode(header[156] ?? 0)
    const start = at + BLOCK
    if (start + size > bytes.length) return undefined
    if (kind === '0' || kind === '\0') entries.push({ name, content: bytes.subarray(start, start + size) })
    if (entries.length > maxEntries) return undefined
    at = start + Math.ceil(size / BLOCK) * BLOCK
  }
  return entries
}
