/**
 * The content of a 7bit/8bit/binary part (no transfer encoding): its body lines, each followed by "\n".
 *
 * postal-mime's PassThroughDecoder keeps each line and a "\n" string as two chunks, builds a Blob of them and reads
 * the Blob back with arrayBuffer(). Node's Blob encodes every "\n" through TextEncoder, keeps one entry per chunk
 * and reads them back one asynchronous step per chunk: for a plain-text mail of a few hundred lines that was most of
 * the parse (0.4 ms of 0.8 ms per SpamAssassin message). This decoder yields the same bytes by copying the lines
 * into one ArrayBuffer. The lines are views on the parser's input, which nothing writes to.
 */
import type { ContentDecoder } from './large-part-decoder.ts'

export class LineJoinDecoder implements ContentDecoder {
  private lines: Uint8Array[] = []
  private bytes = 0

  update(line: Uint8Array): void {
    this.lines.push(line)
    this.bytes += line.length + 1
  }

  // async like postal-mime's decoders (the parser awaits finalize()).
  async finalize(): Promise<ArrayBuffer> {
    const out = new Uint8Array(this.bytes)
    let offset = 0
    for (const line of this.lines) {
      out.set(line, offset)
      offset += line.length
      out[offset++] = 0x0a
    }
    this.lines = []
    return out.buffer
  }
}
