/**
 * Base64 attachments of large messages, decoded into one buffer instead of three.
 *
 * postal-mime decodes a base64 part into 100 KB pieces, joins them in a Blob and copies the Blob into an ArrayBuffer:
 * about three times the attachment at peak (75 MB for a 25 MB file, on top of the raw message). For messages of
 * LARGE_MESSAGE_BYTES and more, each base64 part that becomes an attachment (neither text/* nor message/*, which
 * postal-mime reads as body text and nested mail) gets this decoder instead: past LARGE_PART_BYTES it writes into
 * one buffer sized by what is left of the raw message (pages never written are never resident), and postal-mime is
 * handed a small marker in place of the content, which parseWithCharsetFallback() swaps back for the bytes.
 *
 * The decoded bytes are exactly postal-mime's: the same alphabet filter (a byte outside A-Z a-z 0-9 + / = is
 * dropped), '=' ending a unit, and a unit's trailing partial group decoded as its Base64Decoder does.
 */
import { PartMarkers, StreamingBase64Decoder } from './lift-large-parts.ts'

/** Messages from this size on use the decoder; smaller ones parse exactly as before, at full speed. */
export const LARGE_MESSAGE_BYTES = 1024 * 1024 // 1 MiB
/** A part that decodes to more than this is written into one buffer and swapped in after the parse. */
export const LARGE_PART_BYTES = 256 * 1024 // 256 KiB

/** Base64 characters the decoder may hold before it decodes them (lift-large-parts.ts), for the room estimate. */
const SCRATCH_CHARS = 64 * 1024

/** Decoded large parts of one parse, keyed by the marker postal-mime carries in their place. */
export class LargePartRegistry extends PartMarkers<Uint8Array> {}

/** postal-mime's content decoder interface: body lines in, the decoded content out. */
export interface ContentDecoder {
  update(line: Uint8Array): void
  finalize(): Promise<ArrayBuffer>
}

/**
 * A base64 decoder for one part. `remainingBytes` is how much of the raw message is still unread when the part's
 * body starts: its decoded size cannot exceed three quarters of that.
 */
export class LargePartDecoder implements ContentDecoder {
  /** The one base64 decoding that matches postal-mime's (shared with lift-large-parts.ts). */
  private readonly decoder = new StreamingBase64Decoder((bytes) => this.keep(bytes))
  private small: Buffer[] = []
  private smallBytes = 0
  private large: Buffer | undefined
  private written = 0
  /** Length of the line being decoded: it is already behind the parser's position. */
  private lineBytes = 0

  constructor(
    private readonly registry: LargePartRegistry,
    private readonly remainingBytes: () => number,
  ) {}

  update(line: Uint8Array): void {
    this.lineBytes = line.length
    this.decoder.update(line)
  }

  async finalize(): Promise<ArrayBuffer> {
    this.decoder.end()
    if (this.large) {
      const content = this.large.subarray(0, this.written)
      this.large = undefined
      // The marker owns its ArrayBuffer (Buffer.alloc of 40 bytes is not pooled): postal-mime keeps it as the content.
      return this.registry.add(content).buffer as ArrayBuffer
    }
    const out = new ArrayBuffer(this.smallBytes)
    const view = new Uint8Array(out)
    let offset = 0
    for (const piece of this.small) {
      view.set(piece, offset)
      offset += piece.length
    }
    this.small = []
    return out
  }

  /** Decoded bytes (a view the decoder reuses: copied here). */
  private keep(bytes: Buffer): void {
    if (this.large) {
      if (this.large.length - this.written < bytes.length) this.grow(bytes.length)
      this.written += bytes.copy(this.large, this.written)
      return
    }
    this.small.push(Buffer.from(bytes))
    this.smallBytes += bytes.length
    if (this.smallBytes > LARGE_PART_BYTES) this.grow(0)
  }

  /**
   * Moves what is decoded into one buffer with room for `atLeast` more bytes and for the rest of the raw message.
   * Pages of an allocUnsafe buffer that are never written are never resident, so the upper bound costs only what is
   * used. The bound holds unless the parser's position is unknown; then the buffer doubles.
   */
  private grow(atLeast: number): void {
    const used = this.large ? this.written : this.smallBytes
    const unread = this.remainingBytes() + this.lineBytes + SCRATCH_CHARS
    const room = Math.max(atLeast, Math.ceil((unread * 3) / 4) + 3, this.large ? used : 0)
    const next = Buffer.allocUnsafe(used + room)
    if (this.large) {
      this.large.copy(next, 0, 0, this.written)
    } else {
      for (const piece of this.small) {
        piece.copy(next, this.written)
        this.written += piece.length
      }
      this.small = []
    }
    this.large = next
  }
}
