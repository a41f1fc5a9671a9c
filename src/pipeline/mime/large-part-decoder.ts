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
import { randomBytes } from 'node:crypto'

/** Messages from this size on use the decoder; smaller ones parse exactly as before, at full speed. */
export const LARGE_MESSAGE_BYTES = 1024 * 1024 // 1 MiB
/** A part that decodes to more than this is written into one buffer and swapped in after the parse. */
export const LARGE_PART_BYTES = 256 * 1024 // 256 KiB

const SCRATCH_CHARS = 64 * 1024 // base64 characters decoded at once (a multiple of 4)
const MARKER_BYTES = 40

/** Decoded large parts of one parse, keyed by the marker postal-mime carries in their place. */
export class LargePartRegistry {
  private readonly nonce = randomBytes(32)
  private readonly parts: Uint8Array[] = []

  /** A marker ArrayBuffer standing for `content` until swapBack(). */
  register(content: Uint8Array): ArrayBuffer {
    const marker = new ArrayBuffer(MARKER_BYTES)
    const view = new Uint8Array(marker)
    view.set(this.nonce)
    new DataView(marker).setUint32(32, this.parts.length)
    this.parts.push(content)
    return marker
  }

  /** The bytes a marker stands for, or undefined when `content` is not one of this parse's markers. */
  swapBack(content: ArrayBuffer | Uint8Array | string): Uint8Array | undefined {
    if (typeof content === 'string' || content.byteLength !== MARKER_BYTES) return undefined
    const view = content instanceof ArrayBuffer ? new Uint8Array(content) : content
    if (!Buffer.from(view.buffer, view.byteOffset, 32).equals(this.nonce)) return undefined
    return this.parts[new DataView(view.buffer, view.byteOffset, MARKER_BYTES).getUint32(32)]
  }

  get size(): number {
    return this.parts.length
  }
}

const enum Byte {
  Equals = 0x3d,
}

const ALPHABET = new Uint8Array(256)
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/') ALPHABET[c.charCodeAt(0)] = 1

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
  private readonly scratch = Buffer.allocUnsafe(SCRATCH_CHARS)
  private pending = 0
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
    const scratch = this.scratch
    this.lineBytes = line.length
    let pending = this.pending
    for (let i = 0; i < line.length; i++) {
      const byte = line[i] as number
      if (ALPHABET[byte] === 1) {
        scratch[pending++] = byte
        if (pending === SCRATCH_CHARS) {
          this.emit(scratch.toString('latin1', 0, pending))
          pending = 0
        }
      } else if (byte === Byte.Equals && pending > 0) {
        // '=' ends a unit: what is pending is decoded now, partial group included.
        this.emit(scratch.toString('latin1', 0, pending))
        pending = 0
      }
    }
    this.pending = pending
  }

  async finalize(): Promise<ArrayBuffer> {
    if (this.pending > 0) this.emit(this.scratch.toString('latin1', 0, this.pending))
    this.pending = 0
    if (this.large) {
      const content = this.large.subarray(0, this.written)
      this.large = undefined
      return this.registry.register(content)
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

  /** Decodes base64 text whose only partial group, if any, is at its end (Node decodes it as postal-mime does). */
  private emit(text: string): void {
    const most = Math.ceil(text.length / 4) * 3
    if (this.large) {
      if (this.large.length - this.written < most) this.grow(most)
      this.written += this.large.write(text, this.written, 'base64')
      return
    }
    const piece = Buffer.from(text, 'base64')
    this.small.push(piece)
    this.smallBytes += piece.length
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
