/**
 * Reads the DATA section of one SMTP transaction (RFC 5321 4.1.1.4 and 4.5.2) from socket chunks: finds the end
 * marker <CRLF>.<CRLF> even when it is split across chunks, removes the dot that the client added to lines that begin
 * with one ("dot-stuffing"), and keeps at most `maxBytes` of message; past that it keeps reading to the end marker but
 * drops the bytes, so the client still gets its 552 in step.
 *
 * Only CRLF ends a line here. A bare LF (or bare CR) is message content, never a line end: "\n.\n" or "\r\n.\n" do
 * not end the message. That is the defence against SMTP smuggling (CVE-2023-51766 and its siblings), where a relay and
 * a receiver that disagree on the end of DATA let a sender slip a second, forged message inside the first.
 */

const CR = 0x0d
const LF = 0x0a
const DOT = 0x2e
const HELD_CR = Buffer.from('\r')

const enum State {
  /** At the start of a line: the next byte may be a stuffed dot or the end marker. */
  LineStart,
  /** Inside a line. */
  InLine,
  /** Saw "." at a line start. */
  Dot,
  /** Saw ".\r" at a line start: "\n" ends the message. */
  DotCr,
}

/** Where a DATA reader puts the message's bytes instead of memory (a large message goes to a file, see SmtpHandlers). */
export interface DataSink {
  write(chunk: Buffer): void
}

export class DataReader {
  private state = State.LineStart
  private lastWasCr = false
  private chunks: Buffer[] = []
  /** Bytes of message seen so far (after unstuffing), kept or not. */
  size = 0

  /** With a sink, the bytes go to it as they come and take() returns nothing (the sink has them). */
  constructor(
    private readonly maxBytes: number,
    private readonly sink?: DataSink,
  ) {}

  /** True once the message has grown past maxBytes: its bytes are no longer kept. */
  get isTooLarge(): boolean {
    return this.size > this.maxBytes
  }

  /**
   * Feeds the bytes from `start` on. Returns -1 while the message goes on, or the offset just past the end marker,
   * where the next command begins (clients that pipeline send it in the same packet).
   */
  push(chunk: Buffer, start = 0): number {
    const length = chunk.length
    let i = start
    let from = start
    while (i < length) {
      switch (this.state) {
        case State.InLine: {
          const lf = chunk.indexOf(LF, i)
          if (lf === -1) {
            i = length
            break
          }
          const crBefore = lf > start ? chunk[lf - 1] === CR : this.lastWasCr
          i = lf + 1
          if (crBefore) this.state = State.LineStart
          break
        }
        case State.LineStart:
          if (chunk[i] === DOT) {
            this.keep(chunk, from, i)
            i++
            from = i
            this.state = State.Dot
          } else {
            this.state = State.InLine
          }
          break
        case State.Dot:
          if (chunk[i] === CR) {
            // Held back: it is either the end marker or content (".\rx" keeps "\rx").
            this.keep(chunk, from, i)
            i++
            from = i
            this.state = State.DotCr
          } else {
            this.state = State.InLine
          }
          break
        case State.DotCr:
          if (chunk[i] === LF) {
            this.state = State.LineStart
            return i + 1
          }
          this.keep(HELD_CR, 0, 1)
          this.state = State.InLine
          break
      }
    }
    this.keep(chunk, from, length)
    // A chunk may end between CR and LF.
    if (length > start) this.lastWasCr = chunk[length - 1] === CR
    return -1
  }

  /** The message without the end marker, or undefined when it was too large. Resets the reader. */
  take(): Buffer | undefined {
    const out = this.isTooLarge || this.sink ? undefined : this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.size)
    this.chunks = []
    this.size = 0
    this.state = State.LineStart
    this.lastWasCr = false
    return out
  }

  private keep(chunk: Buffer, from: number, to: number): void {
    if (to <= from) return
    this.size += to - from
    if (this.size > this.maxBytes) {
      this.chunks.length = 0
      return
    }
    if (this.sink) this.sink.write(chunk.subarray(from, to))
    else this.chunks.push(chunk.subarray(from, to))
  }
}
