/**
 * A faster header scan for mailauth's DKIM verifier, with the same results.
 *
 * mailauth reads a message for DKIM with MessageParser.processChunk, which finds the blank line that ends the header
 * one byte at a time: each byte is pushed to an array, and the array's last four are copied into a new one. On the
 * SpamAssassin corpus that was 0.09 ms of the 0.22 ms authentication takes per message. DkimVerifier (only the
 * verifier: signing is untouched) gets the same method with the blank line found by Buffer.indexOf: the same header
 * end (a LF after LF, or after CR LF, counting bytes of earlier chunks), the same state left behind (state,
 * stateBytes, headerChunks, headers), the same calls (messageHeaders, nextChunk) on the same slices.
 *
 * These are mailauth internals, reached by path: the method is replaced only when mailauth's own is, character for
 * character, the one this one was written from (its source's SHA-256 below); any other version keeps its own, and
 * dkim-header-scan.test.ts says so.
 */
import { createHash } from 'node:crypto'
import { createRequire } from 'node:module'

/** SHA-256 of MessageParser.prototype.processChunk.toString() in mailauth 4.13.3. */
const KNOWN_PROCESS_CHUNK = 'd1ffdac11b5b24e0b712b09808441aadfea2ee370f0a3742e145e9c1978c670a'

const LF = 0x0a
const CR = 0x0d

/** The method installed on DkimVerifier, once. */
let installed: unknown

interface ParsedHeaders {
  parsed: unknown[]
  original: Buffer
}

/** The fields of mailauth's MessageParser that processChunk reads and writes. */
interface MessageParserState {
  state: 'header' | 'body'
  stateBytes: number[]
  headerChunks: Buffer[]
  headers: ParsedHeaders | false
  messageHeaders(headers: ParsedHeaders): Promise<void>
  nextChunk(chunk: Buffer): Promise<void>
}

/** mailauth's MessageParser.processChunk, with the header end found by indexOf instead of byte by byte. */
function processChunkWith(parseHeaders: (buf: Buffer) => ParsedHeaders) {
  return async function processChunk(this: MessageParserState, chunk: Buffer): Promise<void> {
    if (!chunk || !chunk.length) return
    if (this.state === 'header') {
      const before = this.stateBytes
      // The byte `k` positions into the chunk, reaching back into the bytes before it; false before the message.
      const byteAt = (k: number): number | false => (k >= 0 ? (chunk[k] ?? false) : (before[before.length + k] ?? false))
      let end = -1
      for (let i = chunk.indexOf(LF); i >= 0; i = chunk.indexOf(LF, i + 1)) {
        const b1 = byteAt(i - 1)
        if (b1 === LF || (b1 === CR && byteAt(i - 2) === LF)) {
          end = i
          break
        }
      }
      // The last four bytes read, as mailauth keeps them.
      const read = end >= 0 ? end + 1 : chunk.length
      const last: number[] = []
      for (let k = Math.max(0, read - 4); k < read; k++) last.push(chunk[k] ?? 0)
      this.stateBytes = [...before, ...last].slice(-4)
      if (end >= 0) {
        this.state = 'body'
        if (end === chunk.length - 1) {
          this.headerChunks.push(chunk)
          this.headers = parseHeaders(Buffer.concat(this.headerChunks))
          await this.messageHeaders(this.headers)
          return
        }
        this.headerChunks.push(chunk.subarray(0, end + 1))
        this.headers = parseHeaders(Buffer.concat(this.headerChunks))
        await this.messageHeaders(this.headers)
        chunk = chunk.subarray(end + 1)
      }
    }
    if (this.state !== 'body') {
      this.headerChunks.push(chunk)
      return
    }
    await this.nextChunk(chunk)
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}

/**
 * Installs the scan on mailauth's DkimVerifier (once); true when it is installed. Leaves mailauth alone, and returns
 * false, when its MessageParser.processChunk is not the known one or its modules are not where they were.
 */
export function installDkimHeaderScan(): boolean {
  try {
    const require = createRequire(import.meta.url)
    const { MessageParser } = require('mailauth/lib/dkim/message-parser.js') as { MessageParser?: { prototype: object } }
    const { DkimVerifier } = require('mailauth/lib/dkim/dkim-verifier.js') as { DkimVerifier?: { prototype: object } }
    const { parseHeaders } = require('mailauth/lib/tools.js') as { parseHeaders?: unknown }
    if (!MessageParser || !DkimVerifier || typeof parseHeaders !== 'function') return false
    if (Object.hasOwn(DkimVerifier.prototype, 'processChunk')) return Reflect.get(DkimVerifier.prototype, 'processChunk') === installed
    const original: unknown = Reflect.get(MessageParser.prototype, 'processChunk')
    if (typeof original !== 'function' || sha256(Function.prototype.toString.call(original)) !== KNOWN_PROCESS_CHUNK) return false
    installed = processChunkWith(parseHeaders as (buf: Buffer) => ParsedHeaders)
    Object.defineProperty(DkimVerifier.prototype, 'processChunk', { value: installed, writable: true, configurable: true })
    return true
  } catch {
    return false
  }
}
