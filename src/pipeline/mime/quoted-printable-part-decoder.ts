/**
 * The content of a quoted-printable part, decoded exactly as postal-mime's QPDecoder decodes it, into one buffer.
 *
 * postal-mime's decoder allocates a 100 KB buffer for every quoted-printable part (most are a few KB of text) and
 * joins its output through a Blob read back asynchronously. This one grows its buffer with the content. Per line, as
 * postal-mime: a final '=' is a soft line break (no line feed added); "=HH" with two hex digits (either case) before
 * that is the byte HH; any other '=' stays as it is; every other line ends in a line feed.
 */
import type { ContentDecoder } from './large-part-decoder.ts'

const EQUALS = 0x3d
const LF = 0x0a

function hexNibble(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30
  if (code >= 0x61 && code <= 0x66) return code - 0x61 + 10
  if (code >= 0x41 && code <= 0x46) return code - 0x41 + 10
  return -1
}

export class QuotedPrintablePartDecoder implements ContentDecoder {
  private out = new Uint8Array(1024)
  private length = 0

  update(line: Uint8Array): void {
    let end = line.length
    const softBreak = end > 0 && line[end - 1] === EQUALS
    if (softBreak) end--
    // Decoding never makes a line longer: its bytes and a line feed fit.
    this.reserve(end + 1)
    const out = this.out
    let length = this.length
    for (let i = 0; i < end; i++) {
      const code = line[i] ?? 0
      if (code === EQUALS && i + 2 < end) {
        const high = hexNibble(line[i + 1] ?? 0)
        const low = hexNibble(line[i + 2] ?? 0)
        if (high >= 0 && low >= 0) {
          out[length++] = (high << 4) | low
          i += 2
          continue
        }
      }
      out[length++] = code
    }
    if (!softBreak) out[length++] = LF
    this.length = length
  }

  // async like postal-mime's decoders (the parser awaits finalize()).
  async finalize(): Promise<ArrayBuffer> {
    const content = this.out.slice(0, this.length)
    this.out = new Uint8Array(0)
    return content.buffer
  }

  private reserve(bytes: number): void {
    if (this.length + bytes <= this.out.length) return
    const next = new Uint8Array(Math.max(this.out.length * 2, this.length + bytes))
    next.set(this.out.subarray(0, this.length))
    this.out = next
  }
}
