import { describe, expect, it } from 'vitest'
import { redactTextAttachment } from './redact-text-attachment.ts'

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text)
const text = (bytes: Uint8Array | undefined): string => new TextDecoder().decode(bytes)

describe('redactTextAttachment', () => {
  it('redacts a CSV export', () => {
    const result = redactTextAttachment('text/csv; charset=utf-8', utf8('name,card\nLi Na,4242 4242 4242 4242\n'))
    expect(text(result?.bytes)).toBe('name,card\nLi Na,[card •••• 4242]\n')
    expect(result?.findings).toEqual([{ type: 'card_number', start: 16, end: 35 }])
  })

  it('redacts a GBK text file and returns UTF-8', () => {
    const gbk = Uint8Array.from([0xc3, 0xdc, 0xc2, 0xeb, 0xca, 0xc7, 0x61, 0x62, 0x63, 0x31, 0x32, 0x33]) // 密码是abc123
    expect(text(redactTextAttachment('text/plain; charset="GBK"', gbk)?.bytes)).toBe('密码是[密码已删除]')
  })

  it('redacts HTML attachments as HTML', () => {
    expect(text(redactTextAttachment('text/html', utf8('<p>CVV <i>123</i></p>'))?.bytes)).toBe('<p>CVV <i>[CVV removed]</i></p>')
  })

  it('falls back to UTF-8 for an unknown charset label', () => {
    expect(text(redactTextAttachment('text/plain; charset=x-unknown', utf8('PIN 1234'))?.bytes)).toBe('PIN [PIN removed]')
  })

  it.each(['application/pdf', 'image/png', 'application/octet-stream', ''])('returns undefined for %j', (contentType) => {
    expect(redactTextAttachment(contentType, utf8('PIN 1234'))).toBeUndefined()
  })
})
