/**
 * A small, bounded reader for TNEF ([MS-OXTNEF]), the winmail.dat / application/ms-tnef attachment in which
 * Outlook and Exchange wrap a message's real attachments and body when they send "Rich Text" mail.
 *
 * Only what a support desk needs is read: attachments (name, bytes, MIME type, Content-ID) and the plain or
 * HTML body. Every length is checked against the bytes that remain before it is used, attachment contents
 * are views into the input rather than copies, and counts are capped, so a hostile file can neither read
 * out of bounds nor make the reader allocate more than the input size.
 */
import { decodeBytes, encodingForCodePage } from './charset.ts'

export interface TnefAttachment {
  filename: string
  /** From PR_ATTACH_MIME_TAG when the sender recorded one. */
  contentType: string | undefined
  contentId: string | undefined
  content: Uint8Array
}

export interface TnefContent {
  attachments: TnefAttachment[]
  /** attBody or PR_BODY. */
  text: string | undefined
  /** PR_BODY_HTML. */
  html: string | undefined
  /** Set when the body exists only as compressed RTF, which is not converted. */
  hasRtfBody: boolean
}

/** The TNEF data could not be read; the caller keeps winmail.dat as it is. */
export class TnefError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'TnefError'
  }
}

export const TNEF_SIGNATURE = 0x223e9f78

const LEVEL_MESSAGE = 0x01
const LEVEL_ATTACHMENT = 0x02

// Attribute ids with their type in the high word, as they appear on the wire.
const ATT_BODY = 0x0002800c
const ATT_OEM_CODEPAGE = 0x00069007
const ATT_MSG_PROPS = 0x00069003
const ATT_ATTACH_REND_DATA = 0x00069002
const ATT_ATTACH_TITLE = 0x00018010
const ATT_ATTACH_DATA = 0x0006800f
const ATT_ATTACHMENT = 0x00069005

// MAPI property ids.
const PR_BODY = 0x1000
const PR_RTF_COMPRESSED = 0x1009
const PR_BODY_HTML = 0x1013
const PR_ATTACH_DATA_BIN = 0x3701
const PR_ATTACH_FILENAME = 0x3704
const PR_ATTACH_LONG_FILENAME = 0x3707
const PR_ATTACH_MIME_TAG = 0x370e
const PR_ATTACH_CONTENT_ID = 0x3712
const PR_DISPLAY_NAME = 0x3001

// MAPI property types.
const PT_STRING8 = 0x001e
const PT_UNICODE = 0x001f
const PT_BINARY = 0x0102
const PT_OBJECT = 0x000d
const MV_FLAG = 0x1000

const MAX_ATTRIBUTES = 10_000
const MAX_PROPERTIES = 10_000

/** A bounds-checked little-endian reader over one byte range. */
class ByteReader {
  private offset: number
  constructor(
    private readonly bytes: Uint8Array,
    start = 0,
    private readonly end = bytes.length,
  ) {
    this.offset = start
  }

  get remaining(): number {
    return this.end - this.offset
  }

  private need(count: number, what: string): void {
    if (count < 0 || count > this.remaining) throw new TnefError(`${what} runs past the end of the data (${count} bytes, ${this.remaining} left)`)
  }

  u8(what: string): number {
    this.need(1, what)
    return this.bytes[this.offset++] ?? 0
  }

  u16(what: string): number {
    this.need(2, what)
    const value = (this.bytes[this.offset] ?? 0) | ((this.bytes[this.offset + 1] ?? 0) << 8)
    this.offset += 2
    return value
  }

  u32(what: string): number {
    this.need(4, what)
    const b = this.bytes
    const o = this.offset
    this.offset += 4
    return ((b[o] ?? 0) | ((b[o + 1] ?? 0) << 8) | ((b[o + 2] ?? 0) << 16) | ((b[o + 3] ?? 0) << 24)) >>> 0
  }

  take(count: number, what: string): Uint8Array {
    this.need(count, what)
    const view = this.bytes.subarray(this.offset, this.offset + count)
    this.offset += count
    return view
  }

  skip(count: number, what: string): void {
    this.need(count, what)
    this.offset += count
  }
}

/** Whether the bytes start with the TNEF signature. */
export function looksLikeTnef(bytes: Uint8Array): boolean {
  return bytes.length >= 6 && bytes[0] === 0x78 && bytes[1] === 0x9f && bytes[2] === 0x3e && bytes[3] === 0x22
}

interface MapiProperty {
  id: number
  type: number
  /** The first value of a variable-length property (string or binary data). */
  data: Uint8Array | undefined
}

/** [MS-OXTNEF] 2.1.3.4: a MAPI property list, as carried by attMsgProps and attAttachment. */
function readMapiProperties(data: Uint8Array): MapiProperty[] {
  const reader = new ByteReader(data)
  const count = reader.u32('property count')
  if (count > MAX_PROPERTIES) throw new TnefError(`too many MAPI properties (${count})`)
  const properties: MapiProperty[] = []
  for (let i = 0; i < count; i++) {
    const type = reader.u16('property type')
    const id = reader.u16('property id')
    if (id >= 0x8000) {
      // named property: GUID, kind, then a numeric id or a UTF-16 name padded to 4 bytes
      reader.skip(16, 'named property GUID')
      const kind = reader.u32('named property kind')
      if (kind === 0) reader.skip(4, 'named property id')
      else {
        const nameLength = reader.u32('named property name length')
        reader.skip(nameLength + padding(nameLength), 'named property name')
      }
    }
    const baseType = type & ~MV_FLAG
    const isVariable = baseType === PT_STRING8 || baseType === PT_UNICODE || baseType === PT_BINARY || baseType === PT_OBJECT
    // Variable-length values always carry a count in TNEF, even when single-valued.
    const valueCount = type & MV_FLAG || isVariable ? reader.u32('value count') : 1
    if (valueCount > reader.remaining) throw new TnefError(`value count ${valueCount} exceeds the data`)
    let first: Uint8Array | undefined
    for (let v = 0; v < valueCount; v++) {
      if (isVariable) {
        const length = reader.u32('value length')
        const value = reader.take(length, 'property value')
        reader.skip(padding(length), 'property padding')
        first ??= value
      } else {
        reader.skip(fixedSize(baseType), 'property value')
      }
    }
    properties.push({ id, type: baseType, data: first })
  }
  return properties
}

function padding(length: number): number {
  return (4 - (length % 4)) % 4
}

function fixedSize(type: number): number {
  switch (type) {
    case 0x0002: // PT_SHORT, padded
    case 0x0003: // PT_LONG
    case 0x0004: // PT_FLOAT
    case 0x000a: // PT_ERROR
    case 0x000b: // PT_BOOLEAN, padded
    case 0x0001: // PT_NULL
      return 4
    case 0x0005: // PT_DOUBLE
    case 0x0006: // PT_CURRENCY
    case 0x0007: // PT_APPTIME
    case 0x0014: // PT_I8
    case 0x0040: // PT_SYSTIME
      return 8
    case 0x0048: // PT_CLSID
      return 16
    default:
      throw new TnefError(`unknown MAPI property type 0x${type.toString(16)}`)
  }
}

function decodeString(data: Uint8Array, type: number, encoding: string): string {
  const text = type === PT_UNICODE ? new TextDecoder('utf-16le').decode(data) : decodeBytes(data, encoding)
  const nul = text.indexOf('\u0000')
  return nul >= 0 ? text.slice(0, nul) : text
}

interface AttachmentDraft {
  title: string | undefined
  longFilename: string | undefined
  contentType: string | undefined
  contentId: string | undefined
  content: Uint8Array | undefined
}

/**
 * Reads the attachments and body from TNEF bytes.
 * @throws TnefError when the data is not TNEF or is malformed.
 */
export function decodeTnef(bytes: Uint8Array, maxAttachments = 1000): TnefContent {
  const reader = new ByteReader(bytes)
  if (reader.u32('signature') !== TNEF_SIGNATURE) throw new TnefError('missing TNEF signature')
  reader.u16('legacy key')

  let encoding = 'windows-1252'
  const drafts: AttachmentDraft[] = []
  let current: AttachmentDraft | undefined
  const result: TnefContent = { attachments: [], text: undefined, html: undefined, hasRtfBody: false }

  for (let count = 0; reader.remaining > 0; count++) {
    if (count >= MAX_ATTRIBUTES) throw new TnefError(`more than ${MAX_ATTRIBUTES} attributes`)
    const level = reader.u8('attribute level')
    const id = reader.u32('attribute id')
    const length = reader.u32('attribute length')
    const data = reader.take(length, `attribute 0x${id.toString(16)}`)
    const checksum = reader.u16('attribute checksum')
    let sum = 0
    for (let i = 0; i < data.length; i++) sum += data[i] ?? 0
    if ((sum & 0xffff) !== checksum) throw new TnefError(`checksum mismatch in attribute 0x${id.toString(16)}`)
    if (level !== LEVEL_MESSAGE && level !== LEVEL_ATTACHMENT) throw new TnefError(`unknown attribute level ${level}`)

    if (id === ATT_OEM_CODEPAGE && data.length >= 4) {
      encoding = encodingForCodePage(new ByteReader(data).u32('code page')) ?? encoding
    } else if (id === ATT_BODY) {
      result.text = decodeString(data, PT_STRING8, encoding)
    } else if (id === ATT_MSG_PROPS) {
      for (const property of readMapiProperties(data)) {
        if (!property.data) continue
        if (property.id === PR_BODY && result.text === undefined) result.text = decodeString(property.data, property.type, encoding)
        else if (property.id === PR_BODY_HTML) result.html = decodeString(property.data, property.type === PT_BINARY ? PT_STRING8 : property.type, encoding)
        else if (property.id === PR_RTF_COMPRESSED) result.hasRtfBody = true
      }
    } else if (id === ATT_ATTACH_REND_DATA) {
      if (drafts.length >= maxAttachments) throw new TnefError(`more than ${maxAttachments} attachments`)
      current = { title: undefined, longFilename: undefined, contentType: undefined, contentId: undefined, content: undefined }
      drafts.push(current)
    } else if (current && id === ATT_ATTACH_TITLE) {
      current.title = decodeString(data, PT_STRING8, encoding)
    } else if (current && id === ATT_ATTACH_DATA) {
      current.content = data
    } else if (current && id === ATT_ATTACHMENT) {
      for (const property of readMapiProperties(data)) {
        if (!property.data) continue
        const text = (): string => decodeString(property.data ?? new Uint8Array(0), property.type, encoding)
        if (property.id === PR_ATTACH_LONG_FILENAME) current.longFilename = text()
        else if (property.id === PR_ATTACH_FILENAME || property.id === PR_DISPLAY_NAME) current.title ??= text()
        else if (property.id === PR_ATTACH_MIME_TAG) current.contentType = text().toLowerCase()
        else if (property.id === PR_ATTACH_CONTENT_ID) current.contentId = text()
        else if (property.id === PR_ATTACH_DATA_BIN && property.type === PT_BINARY) current.content ??= property.data
      }
    }
  }

  for (const draft of drafts) {
    if (!draft.content) continue // an embedded OLE object or message without bytes we can use
    result.attachments.push({
      filename: (draft.longFilename || draft.title || '').trim(),
      contentType: draft.contentType && /^[\w.+-]+\/[\w.+-]+$/.test(draft.contentType) ? draft.contentType : undefined,
      contentId: draft.contentId,
      content: draft.content,
    })
  }
  return result
}
