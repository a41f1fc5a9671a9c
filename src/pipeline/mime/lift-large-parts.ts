/**
 * Large attachments of a large message, decoded straight from the spooled stream into the attachment store.
 *
 * A message above 1 MiB is spooled as an encrypted file (intake/raw-message-file.ts) and read back as 64 KiB chunks,
 * so it is never whole in memory. This pass turns that stream into a small "skeleton" message that postal-mime
 * parses as usual: every line is copied, except the bodies of large base64 parts that would become attachments
 * (neither text/*, which may be the body or is redacted, nor message/* or a .eml file (nested or forwarded mail), nor
 * TNEF, which is unpacked).
 * Those are decoded chunk by chunk into the content-addressed store (hashed while written, then renamed), and their
 * body in the skeleton is one base64 line carrying a 40-byte marker. parse-message.ts swaps each marker back for the
 * stored part: same filename, content type and disposition (postal-mime reads them from the headers the skeleton
 * keeps), same size and digest (the decoder below decodes exactly as postal-mime's Base64Decoder).
 *
 * The MIME structure is postal-mime's own: a PostalMime instance is fed the header and boundary lines and decides
 * where parts start and end, what their content type and transfer encoding are, which boundaries count. Body lines
 * are kept from it (its nodes get a feed that drops them). Those are postal-mime internals, checked at run time;
 * without them nothing is lifted and the skeleton is the whole message (correct, only not lean).
 */
import { randomBytes } from 'node:crypto'
import PostalMime from 'postal-mime'
import type { AttachmentStore, AttachmentWriter } from '../../tickets/attachment-store.ts'

/** A part whose encoded body grows past this is lifted; smaller ones stay in the skeleton. */
export const LIFT_PART_BYTES = 256 * 1024 // 256 KiB
/** Lines longer than this are handled in pieces (base64 sent without line breaks). */
const MAX_HELD_LINE_BYTES = 64 * 1024
const SCRATCH_CHARS = 64 * 1024 // base64 characters decoded at once (a multiple of 4)
const MARKER_BYTES = 40
const TNEF_TYPES = new Set(['application/ms-tnef', 'application/vnd.ms-tnef'])
/** Non-text types the redact stage reads as text (redact/redact-text-attachment.ts). */
const TEXT_LIKE_TYPES = new Set(['application/csv', 'application/xhtml+xml'])

/** One lifted part: stored under its digest, or (above maxBytes) only measured. */
export interface LiftedPart {
  /** undefined when the decoded part was larger than the limit and was not kept. */
  sha256: string | undefined
  sizeBytes: number
}

/**
 * Parts of one parse that postal-mime carries as a 40-byte marker instead of their content (a random nonce and an
 * index), found again by that marker once it returns the part's content. Used for lifted parts (here) and for the
 * large parts of in-memory messages (large-part-decoder.ts).
 */
export class PartMarkers<T> {
  private readonly nonce = randomBytes(32)
  private readonly parts: T[] = []

  /** The marker standing for `part` until find(): MARKER_BYTES bytes in a buffer of its own. */
  add(part: T): Buffer {
    const marker = Buffer.alloc(MARKER_BYTES)
    this.nonce.copy(marker)
    marker.writeUInt32BE(this.parts.length, 32)
    this.parts.push(part)
    return marker
  }

  /** The part a marker stands for, or undefined for any other content. */
  find(content: ArrayBuffer | Uint8Array | string): T | undefined {
    if (typeof content === 'string' || content.byteLength !== MARKER_BYTES) return undefined
    const view = content instanceof ArrayBuffer ? new Uint8Array(content) : content
    const bytes = Buffer.from(view.buffer, view.byteOffset, MARKER_BYTES)
    if (!bytes.subarray(0, 32).equals(this.nonce)) return undefined
    return this.parts[bytes.readUInt32BE(32)]
  }

  get size(): number {
    return this.parts.length
  }
}

/** The parts lifted out of one message; each one's body in the skeleton is its marker, base64-encoded. */
export class LiftedParts extends PartMarkers<LiftedPart> {}

export interface LiftResult {
  skeleton: Buffer
  lifted: LiftedParts
}

const ALPHABET = new Uint8Array(256)
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/') ALPHABET[c.charCodeAt(0)] = 1
const EQUALS = 0x3d
const LF = 0x0a
const CR = 0x0d
const DASH = 0x2d

/**
 * postal-mime's base64 decoding, streamed: bytes outside the alphabet are dropped, '=' ends a unit (its partial
 * group decoded as Node and postal-mime both do), and the decoded bytes go to `out` as they come. `out` gets a view
 * of one reused buffer, valid only during the call (it copies or writes them at once): a 25 MB attachment leaves
 * no trail of 48 KiB buffers for the garbage collector to catch up with.
 */
export class StreamingBase64Decoder {
  private readonly scratch: Buffer
  private readonly decoded: Buffer
  private pending = 0

  /** `scratchChars`: base64 characters decoded at once, a multiple of 4 (smaller for small parts). */
  constructor(
    private readonly out: (bytes: Buffer) => void,
    private readonly scratchChars = SCRATCH_CHARS,
  ) {
    if (scratchChars <= 0 || scratchChars % 4 !== 0) throw new RangeError('scratchChars must be a positive multiple of 4')
    this.scratch = Buffer.allocUnsafe(scratchChars)
    this.decoded = Buffer.allocUnsafe((scratchChars / 4) * 3)
  }

  update(bytes: Uint8Array): void {
    const scratch = this.scratch
    let pending = this.pending
    for (let i = 0; i < bytes.length; i++) {
      const byte = bytes[i] as number
      if (ALPHABET[byte] === 1) {
        scratch[pending++] = byte
        if (pending === this.scratchChars) {
          this.emit(pending)
          pending = 0
        }
      } else if (byte === EQUALS && pending > 0) {
        this.emit(pending)
        pending = 0
      }
    }
    this.pending = pending
  }

  end(): void {
    if (this.pending > 0) this.emit(this.pending)
    this.pending = 0
  }

  private emit(chars: number): void {
    const written = this.decoded.write(this.scratch.toString('latin1', 0, chars), 0, 'base64')
    this.out(this.decoded.subarray(0, written))
  }
}

/** The postal-mime internals the structure tracker uses (checked at run time). */
interface TrackedNode {
  state: string
  contentType: { parsed: { value: string; params: Record<string, string> }; multipart: string | false }
  contentTransferEncoding: { encoding: string }
  contentDisposition: { parsed: { params: Record<string, string> } }
  feed: (line: Uint8Array) => void
}
interface Tracker {
  currentNode: TrackedNode
  processLine: (line: Uint8Array, isFinal: boolean) => Promise<void>
}

function asTracker(parser: object): Tracker | undefined {
  const node: unknown = Reflect.get(parser, 'currentNode')
  if (typeof Reflect.get(parser, 'processLine') !== 'function' || typeof node !== 'object' || node === null) return undefined
  if (typeof Reflect.get(node, 'feed') !== 'function' || typeof Reflect.get(node, 'state') !== 'string') return undefined
  // Every property used is read through this interface; a missing one makes a node ineligible (see isLiftable).
  return parser as unknown as Tracker
}

function isLiftable(node: TrackedNode): boolean {
  const type = (node.contentType?.parsed?.value ?? '').toLowerCase()
  if (node.contentType?.multipart || node.contentTransferEncoding?.encoding !== 'base64') return false
  if (/^(text|message)\//.test(type) || TNEF_TYPES.has(type) || TEXT_LIKE_TYPES.has(type)) return false
  const name = node.contentDisposition?.parsed?.params?.filename ?? node.contentType?.parsed?.params?.name ?? ''
  // winmail.dat is unpacked (TNEF); a forwarded .eml is read back as mail (verifier/forwarded-message.ts, security@).
  return !/winmail\.dat/i.test(name) && !/\.eml$/i.test(name)
}

/** What happens to the body lines of the part being read. */
type PartState =
  | { kind: 'copy' } // copied to the skeleton
  | { kind: 'watch'; held: Buffer[]; heldBytes: number } // liftable, held until it proves large
  | { kind: 'lift'; writer: AttachmentWriter | undefined; decoder: StreamingBase64Decoder; sizeBytes: number; dropped?: Promise<void> }

/**
 * Reads a message as chunks and returns its skeleton and the parts lifted out of it into `store`.
 * `maxPartBytes`: a decoded part larger than this is measured but not stored (parse-message refuses it).
 */
export async function liftLargeParts(chunks: AsyncIterable<Uint8Array>, store: AttachmentStore, maxPartBytes: number): Promise<LiftResult> {
  const lifted = new LiftedParts()
  const skeleton: Buffer[] = []
  const parser = new PostalMime({ maxNestingDepth: 50, maxHeadersSize: 1024 * 1024 })
  let tracker = asTracker(parser)
  const hooked = new WeakSet<TrackedNode>()
  let delivered = false
  let part: PartState = { kind: 'copy' }
  let partNode: TrackedNode | undefined
  const writers: AttachmentWriter[] = []

  /** Hooks a node whose headers are read: postal-mime keeps none of its body; the part's state is decided. */
  const enterBody = (node: TrackedNode) => {
    if (hooked.has(node)) return
    hooked.add(node)
    node.feed = () => {
      delivered = true
    }
    if (!node.contentType.multipart) {
      partNode = node
      part = isLiftable(node) ? { kind: 'watch', held: [], heldBytes: 0 } : { kind: 'copy' }
    }
  }

  const startLift = (state: Extract<PartState, { kind: 'watch' }>) => {
    const writer = store.createWriter()
    writers.push(writer)
    const lift: Extract<PartState, { kind: 'lift' }> = {
      kind: 'lift',
      writer,
      sizeBytes: 0,
      decoder: new StreamingBase64Decoder((bytes) => {
        lift.sizeBytes += bytes.length
        if (lift.writer && lift.sizeBytes > maxPartBytes) {
          lift.dropped = lift.writer.abort()
          lift.writer = undefined
        }
        lift.writer?.write(bytes)
      }),
    }
    for (const held of state.held) lift.decoder.update(held)
    part = lift
  }

  const bodyBytes = (bytes: Buffer) => {
    if (part.kind === 'copy') skeleton.push(Buffer.from(bytes))
    else if (part.kind === 'lift') part.decoder.update(bytes)
    else {
      part.held.push(Buffer.from(bytes))
      part.heldBytes += bytes.length
      if (part.heldBytes > LIFT_PART_BYTES) startLift(part)
    }
  }

  /** The part's body ended (a boundary, or the end of the message). */
  const closePart = async () => {
    const state = part
    part = { kind: 'copy' }
    partNode = undefined
    if (state.kind === 'watch') {
      skeleton.push(...state.held)
    } else if (state.kind === 'lift') {
      state.decoder.end()
      await state.dropped
      const stored = state.writer ? await state.writer.finish() : undefined
      skeleton.push(Buffer.from(`${lifted.add({ sha256: stored?.sha256, sizeBytes: state.sizeBytes }).toString('base64')}\r\n`, 'latin1'))
    }
  }

  /** A whole line (with its line ending, if any). */
  const handleLine = async (line: Buffer) => {
    if (!tracker) {
      skeleton.push(Buffer.from(line))
      return
    }
    const node = tracker.currentNode
    const inBody = node.state === 'body' && hooked.has(node)
    // A body line that cannot be a boundary ("--" first) needs no parser at all: the fast path for attachments.
    if (inBody && !(line[0] === DASH && line[1] === DASH)) {
      if (node === partNode) bodyBytes(line)
      else skeleton.push(Buffer.from(line))
      return
    }
    // postal-mime's line: without its trailing CR/LF run.
    let end = line.length
    while (end > 0 && (line[end - 1] === LF || line[end - 1] === CR)) end--
    delivered = false
    try {
      await tracker.processLine(new Uint8Array(line.subarray(0, end)), false)
    } catch {
      // Header limits: postal-mime will refuse the skeleton the same way; stop lifting, copy the rest as it is.
      tracker = undefined
    }
    if (inBody && delivered && node === partNode) {
      bodyBytes(line)
      return
    }
    if (inBody && node === partNode) await closePart()
    skeleton.push(Buffer.from(line))
    const next = tracker?.currentNode
    if (next && next.state === 'body') enterBody(next)
  }

  if (tracker && tracker.currentNode.state !== 'header') tracker = undefined
  let held: Buffer[] = []
  let heldBytes = 0
  /** The current line has been found to be body and is being passed on in pieces (a very long line). */
  let streamingLine = false
  try {
    for await (const input of chunks) {
      const chunk = Buffer.from(input.buffer, input.byteOffset, input.byteLength)
      let start = 0
      while (start < chunk.length) {
        const lf = chunk.indexOf(LF, start)
        const stop = lf === -1 ? chunk.length : lf + 1
        const piece = chunk.subarray(start, stop)
        start = stop
        if (streamingLine) {
          bodyBytes(piece)
          if (lf !== -1) streamingLine = false
          continue
        }
        if (lf === -1) {
          held.push(Buffer.from(piece))
          heldBytes += piece.length
          const node = tracker?.currentNode
          // The line's first two bytes, from its first two pieces at most (pieces are never empty): joining all the
          // pieces held here, chunk after chunk, was quadratic in a long line that is not streamed (headers, a copied part).
          const first = held[0] as Buffer
          const second = first.length >= 2 ? first[1] : held[1]?.[0]
          const startsWithDashes = first[0] === DASH && second === DASH
          if (heldBytes > MAX_HELD_LINE_BYTES && node && node === partNode && node.state === 'body' && !startsWithDashes) {
            for (const h of held) bodyBytes(h)
            held = []
            heldBytes = 0
            streamingLine = true
          }
          continue
        }
        if (held.length > 0) {
          held.push(piece)
          const line = Buffer.concat(held)
          held = []
          heldBytes = 0
          await handleLine(line)
        } else {
          await handleLine(piece)
        }
      }
    }
    if (held.length > 0) await handleLine(Buffer.concat(held))
    await closePart()
  } catch (err) {
    for (const w of writers) await w.abort()
    throw err
  }
  return { skeleton: Buffer.concat(skeleton), lifted }
}
