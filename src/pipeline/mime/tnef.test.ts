import { describe, expect, it } from 'vitest'
import { decodeTnef, looksLikeTnef, TnefError } from './tnef.ts'

// A minimal TNEF writer ([MS-OXTNEF] 2.1.3), enough to build the cases below byte by byte.
function u16(value: number): Buffer {
  const b = Buffer.alloc(2)
  b.writeUInt16LE(value)
  return b
}
function u32(value: number): Buffer {
  const b = Buffer.alloc(4)
  b.writeUInt32LE(value)
  return b
}
function attribute(level: number, id: number, data: Buffer, checksum?: number): Buffer {
  const sum = checksum ?? [...data].reduce((total, byte) => (total + byte) & 0xffff, 0)
  return Buffer.concat([Buffer.from([level]), u32(id), u32(data.length), data, u16(sum)])
}
function padded(data: Buffer): Buffer {
  return Buffer.concat([data, Buffer.alloc((4 - (data.length % 4)) % 4)])
}
function unicodeProperty(id: number, text: string): Buffer {
  const data = Buffer.from(`${text}\u0000`, 'utf16le')
  return Buffer.concat([u16(0x001f), u16(id), u32(1), u32(data.length), padded(data)])
}
function string8Property(id: number, data: Buffer): Buffer {
  const value = Buffer.concat([data, Buffer.from([0])])
  return Buffer.concat([u16(0x001e), u16(id), u32(1), u32(value.length), padded(value)])
}
function longProperty(id: number, value: number): Buffer {
  return Buffer.concat([u16(0x0003), u16(id), u32(value)])
}
function namedLongProperty(name: string, value: number): Buffer {
  const nameBytes = Buffer.from(`${name}\u0000`, 'utf16le')
  return Buffer.concat([u16(0x0003), u16(0x8005), Buffer.alloc(16, 0xab), u32(1), u32(nameBytes.length), padded(nameBytes), u32(value)])
}
function properties(...list: Buffer[]): Buffer {
  return Buffer.concat([u32(list.length), ...list])
}
const header = Buffer.concat([u32(0x223e9f78), u16(0x0001)])
const codePage = (cp: number) => attribute(1, 0x00069007, Buffer.concat([u32(cp), u32(0)]))
const renderData = attribute(2, 0x00069002, Buffer.alloc(14))

describe('decodeTnef', () => {
  it('extracts attachments by long filename, with their bytes, MIME type and Content-ID', () => {
    const pdf = Buffer.from('%PDF-1.4 test\n')
    const tnef = Buffer.concat([
      header,
      codePage(936),
      attribute(1, 0x00069003, properties(longProperty(0x0e07, 1), namedLongProperty('x-custom', 7))),
      renderData,
      attribute(2, 0x00018010, Buffer.from('INVOIC~1.PDF\u0000')),
      attribute(2, 0x0006800f, pdf),
      attribute(2, 0x00069005, properties(unicodeProperty(0x3707, '发票 11月.pdf'), string8Property(0x370e, Buffer.from('application/pdf')))),
      renderData,
      // attAttachTitle in the OEM code page (936): 对账.txt in GBK
      attribute(2, 0x00018010, Buffer.from([0xb6, 0xd4, 0xd5, 0xcb, 0x2e, 0x74, 0x78, 0x74, 0])),
      attribute(2, 0x0006800f, Buffer.from('a,b\n')),
      attribute(2, 0x00069005, properties(string8Property(0x3712, Buffer.from('part1@example')))),
    ])
    const result = decodeTnef(tnef)
    expect(result.attachments.map((a) => [a.filename, a.contentType, a.contentId, Buffer.from(a.content).toString()])).toEqual([
      ['发票 11月.pdf', 'application/pdf', undefined, '%PDF-1.4 test\n'],
      ['对账.txt', undefined, 'part1@example', 'a,b\n'],
    ])
  })

  it('returns attachment bytes as views into the input, never copies', () => {
    const tnef = Buffer.concat([header, renderData, attribute(2, 0x00018010, Buffer.from('A.BIN\u0000')), attribute(2, 0x0006800f, Buffer.alloc(1000, 7))])
    const [attachment] = decodeTnef(tnef).attachments
    expect(attachment?.content.buffer).toBe(tnef.buffer)
    expect(attachment?.content.byteLength).toBe(1000)
  })

  it('reads the plain body from attBody in the OEM code page, and the HTML body from PR_BODY_HTML', () => {
    const html = Buffer.from([...Buffer.from('<p>'), 0xc4, 0xe3, 0xba, 0xc3, ...Buffer.from('</p>')])
    const tnef = Buffer.concat([
      header,
      codePage(936),
      attribute(1, 0x0002800c, Buffer.from([0xc4, 0xe3, 0xba, 0xc3, 0])),
      attribute(1, 0x00069003, properties(Buffer.concat([u16(0x0102), u16(0x1013), u32(1), u32(html.length), padded(html)]))),
    ])
    // PR_BODY_HTML is binary, in the sender's code page like attBody
    expect(decodeTnef(tnef)).toEqual({ text: '你好', html: '<p>你好</p>', hasRtfBody: false, attachments: [] })
  })

  it.each([
    ['a wrong signature', Buffer.concat([u32(0x12345678), u16(1)]), 'missing TNEF signature'],
    ['a truncated header', Buffer.from([0x78, 0x9f]), 'signature runs past the end of the data (4 bytes, 2 left)'],
    ['an attribute longer than the data', Buffer.concat([header, Buffer.from([1]), u32(0x0006800f), u32(0xffffffff), Buffer.alloc(10)]), 'attribute 0x6800f runs past the end of the data (4294967295 bytes, 10 left)'],
    ['a bad checksum', Buffer.concat([header, attribute(1, 0x0002800c, Buffer.from('hi'), 1)]), 'checksum mismatch in attribute 0x2800c'],
    ['an unknown level', Buffer.concat([header, attribute(9, 0x0002800c, Buffer.from('hi'))]), 'unknown attribute level 9'],
    ['a property count beyond the data', Buffer.concat([header, attribute(1, 0x00069003, u32(5))]), 'property type runs past the end of the data (2 bytes, 0 left)'],
    ['a value count beyond the data', Buffer.concat([header, attribute(1, 0x00069003, Buffer.concat([u32(1), u16(0x101e), u16(0x1000), u32(0x7fffffff)]))]), 'value count 2147483647 exceeds the data'],
    ['an unknown property type', Buffer.concat([header, attribute(1, 0x00069003, Buffer.concat([u32(1), u16(0x0999), u16(0x1000), u32(0)]))]), 'unknown MAPI property type 0x999'],
  ])('refuses %s with a TnefError', (_case, bytes, message) => {
    expect(() => decodeTnef(bytes)).toThrow(new TnefError(message))
  })

  it('stops at the attachment limit instead of allocating for every declared attachment', () => {
    const tnef = Buffer.concat([header, ...Array.from({ length: 5 }, () => renderData)])
    expect(() => decodeTnef(tnef, 3)).toThrow(new TnefError('more than 3 attachments'))
  })

  it('recognizes the signature', () => {
    expect(looksLikeTnef(header)).toBe(true)
    expect(looksLikeTnef(Buffer.from('%PDF-1.4'))).toBe(false)
  })
})
