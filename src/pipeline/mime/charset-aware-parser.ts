/**
 * postal-mime with our charset decisions for text parts.
 *
 * postal-mime offers no option for charset handling: each text part is decoded in MimeNode.getTextContent()
 * with its own label lookup. It does, however, build the whole MIME tree before it reads any text
 * (collectNode on the root), so the parser instance is given a getTextContent per text node that decodes
 * through charset.ts, in the same single pass. Nested message/rfc822 parts are parsed by a parser set up
 * the same way (and get their raw 8-bit headers transcoded too). These are postal-mime internals, checked at
 * run time: if a future version renames them, parsing still works, only without the fallback, and the
 * fixture tests say so.
 */
import PostalMime, { type Attachment, type Email, type PostalMimeOptions } from 'postal-mime'
import { decodeText } from './charset.ts'
import { transcodeEightBitHeaders } from './header-8bit.ts'
import { Base64PartDecoder } from './base64-part-decoder.ts'
import { LARGE_MESSAGE_BYTES, LargePartDecoder, LargePartRegistry } from './large-part-decoder.ts'
import { LineJoinDecoder } from './line-join-decoder.ts'
import { QuotedPrintablePartDecoder } from './quoted-printable-part-decoder.ts'

/** What a parse decided about charsets, for warnings. */
export interface CharsetReport {
  /** One line per text part decoded with something other than its declared label. */
  fallbacks: string[]
  /** Whether postal-mime's internals were found; false means text was decoded by postal-mime alone. */
  hooked: boolean
}

interface MimeNodeInternals {
  contentType: { parsed: { value: string; params: Record<string, string> }; multipart: string | false }
  content: ArrayBuffer | null
  childNodes: MimeNodeInternals[]
  subMessage?: Email | undefined
  getTextContent: () => string
  decodeFlowedText: (text: string, delSp: boolean) => string
}

type TextEntryItem = { type: 'subMessage'; value: Email }

interface PostalMimeInternals {
  root: MimeNodeInternals
  rfc822NestingDepth: number
  maxRfc822NestingDepth: number
  mimeOptions: { maxNestingDepth: number; maxHeadersSize: number }
  textMap: Map<unknown, unknown>
  attachments: Attachment[]
  collectNode: (node: MimeNodeInternals, alternative: unknown, related: boolean) => Promise<void>
  collectSubMessage: (node: MimeNodeInternals) => Promise<void>
  addTextEntry: (selector: MimeNodeInternals, textType: 'plain' | 'html', item: TextEntryItem) => void
}

function hasInternals(parser: object): parser is PostalMimeInternals {
  const candidate: Record<string, unknown> = { ...parser }
  return (
    typeof Reflect.get(parser, 'collectNode') === 'function' &&
    typeof Reflect.get(parser, 'collectSubMessage') === 'function' &&
    typeof Reflect.get(parser, 'addTextEntry') === 'function' &&
    typeof candidate.root === 'object' &&
    candidate.root !== null &&
    typeof Reflect.get(candidate.root, 'getTextContent') === 'function' &&
    typeof Reflect.get(candidate.root, 'decodeFlowedText') === 'function' &&
    candidate.textMap instanceof Map &&
    Array.isArray(candidate.attachments) &&
    typeof candidate.rfc822NestingDepth === 'number'
  )
}

/** A MimeNode as seen by setupContentDecoder, which processHeaders calls once the part's headers are read. */
interface DecodingNode {
  postalMime: object
  contentType: { parsed: { value: string }; multipart: string | false }
  contentDecoder: unknown
  setupContentDecoder: (transferEncoding: string) => void
}

/** Parsers made by createParser (top level and nested): only their parts get our decoders. */
const ownParsers = new WeakSet<object>()
/** Parsers (top level and nested) of a large message, with the registry their large parts go to. */
const largePartParsers = new WeakMap<object, { registry: LargePartRegistry; remainingBytes: () => number }>()
const hookedPrototypes = new WeakSet<object>()

/**
 * Installs our content decoders on MimeNode's prototype (reached through a parser's root node; postal-mime does not
 * export the class). They act only for parsers in ownParsers; any other PostalMime parse in the process is untouched:
 * - a part without base64 or quoted-printable encoding, for which postal-mime would use its PassThroughDecoder, gets
 *   LineJoinDecoder (the same bytes without a Blob); a quoted-printable part QuotedPrintablePartDecoder (the same
 *   bytes as its QPDecoder, without a 100 KB buffer per part and a Blob);
 * - a base64 attachment of a large message (a parser in largePartParsers) gets LargePartDecoder, any other base64
 *   part Base64PartDecoder (the same bytes as postal-mime's Base64Decoder, with Node's base64 decoder).
 */
function hookContentDecoders(parser: PostalMimeInternals): boolean {
  const proto: unknown = Object.getPrototypeOf(parser.root)
  if (typeof proto !== 'object' || proto === null) return false
  const original: unknown = Reflect.get(proto, 'setupContentDecoder')
  if (typeof original !== 'function') return false
  if (!hookedPrototypes.has(proto)) {
    hookedPrototypes.add(proto)
    Reflect.set(proto, 'setupContentDecoder', function (this: DecodingNode, transferEncoding: string) {
      if (!ownParsers.has(this.postalMime)) {
        Reflect.apply(original, this, [transferEncoding])
        return
      }
      // postal-mime's choice (MimeNode.setupContentDecoder: base64, quoted-printable, else pass-through), with our
      // decoders, which give the same bytes (the *-decoder.test.ts files compare them with postal-mime's own).
      if (!/base64/i.test(transferEncoding)) {
        this.contentDecoder = /quoted-printable/i.test(transferEncoding) ? new QuotedPrintablePartDecoder() : new LineJoinDecoder()
        return
      }
      const large = largePartParsers.get(this.postalMime)
      // Only parts postal-mime turns into attachments: text/* may become the body and message/* nested mail.
      if (large && !this.contentType.multipart && !/^(text|message)\//i.test(this.contentType.parsed.value)) {
        this.contentDecoder = new LargePartDecoder(large.registry, large.remainingBytes)
      } else {
        this.contentDecoder = new Base64PartDecoder()
      }
    })
  }
  return true
}

function useCharsetDecoding(node: MimeNodeInternals, report: CharsetReport): void {
  if (!node.contentType.multipart) {
    node.getTextContent = () => {
      if (!node.content) return ''
      const params = node.contentType.parsed.params
      const decoded = decodeText(new Uint8Array(node.content), params.charset)
      if (decoded.fallbackReason) report.fallbacks.push(decoded.fallbackReason)
      const format = params.format ?? ''
      return /^flowed$/i.test(format) ? node.decodeFlowedText(decoded.text, /^yes$/i.test(params.delsp ?? '')) : decoded.text
    }
  }
  for (const child of node.childNodes) useCharsetDecoding(child, report)
}

function createParser(options: PostalMimeOptions, report: CharsetReport, depth: number, registry: LargePartRegistry | undefined): PostalMime {
  const parser = new PostalMime(options)
  if (!hasInternals(parser)) {
    report.hooked = false
    return parser
  }
  const hooked = hookContentDecoders(parser)
  if (hooked) ownParsers.add(parser)
  if (registry && hooked) {
    largePartParsers.set(parser, {
      registry,
      // The parser's read position in its input (set by parse()); unknown, the decoder's buffer doubles instead.
      remainingBytes: () => {
        const av: unknown = Reflect.get(parser, 'av')
        const readPos: unknown = Reflect.get(parser, 'readPos')
        return av instanceof Uint8Array && typeof readPos === 'number' ? Math.max(0, av.length - readPos) : 0
      },
    })
  }
  parser.rfc822NestingDepth = depth
  const collectNode = parser.collectNode
  parser.collectNode = (node, alternative, related) => {
    // The first call is for the root, once the whole tree has been read and before any text is decoded.
    if (node === parser.root) useCharsetDecoding(node, report)
    return collectNode.call(parser, node, alternative, related)
  }
  // postal-mime's collectSubMessage, with a parser set up like this one.
  parser.collectSubMessage = async (node) => {
    const subParser = createParser(
      { ...parser.mimeOptions, maxRfc822NestingDepth: parser.maxRfc822NestingDepth, attachmentEncoding: 'arraybuffer' },
      report,
      parser.rfc822NestingDepth + 1,
      registry,
    )
    const nested = node.content ? transcodeEightBitHeaders(new Uint8Array(node.content)).raw : new Uint8Array(0)
    const subMessage = await subParser.parse(nested)
    node.subMessage = subMessage
    if (subMessage.text || !subMessage.html) parser.addTextEntry(node, 'plain', { type: 'subMessage', value: subMessage })
    if (subMessage.html) parser.addTextEntry(node, 'html', { type: 'subMessage', value: subMessage })
    if (hasInternals(subParser)) subParser.textMap.forEach((entry, textNode) => parser.textMap.set(textNode, entry))
    for (const attachment of subMessage.attachments) parser.attachments.push(attachment)
  }
  return parser
}

/**
 * Parses a message with postal-mime, decoding text parts through the charset alias table and fallback.
 * @throws whatever postal-mime throws (nesting or header size limits).
 */
export async function parseWithCharsetFallback(raw: Uint8Array, options: PostalMimeOptions): Promise<{ email: Email; report: CharsetReport }> {
  const report: CharsetReport = { fallbacks: [], hooked: true }
  // postal-mime copies a typed array into a fresh ArrayBuffer before reading it; a Buffer that owns its whole
  // ArrayBuffer (any file read or spooled message larger than Node's 4 KiB pool) is handed over as the
  // ArrayBuffer itself, which postal-mime only reads. That is one copy of the message less at peak.
  const ownsBuffer = raw.byteOffset === 0 && raw.byteLength === raw.buffer.byteLength && raw.buffer instanceof ArrayBuffer
  const registry = raw.byteLength >= LARGE_MESSAGE_BYTES ? new LargePartRegistry() : undefined
  const email = await createParser(options, report, 0, registry).parse(ownsBuffer ? raw.buffer : raw)
  if (registry && registry.size > 0) {
    for (const attachment of email.attachments) {
      const content = registry.find(attachment.content)
      if (content) attachment.content = content
    }
  }
  return { email, report }
}
