import { describe, expect, it } from 'vitest'
import { createOwnMarker, createOwnMessageId, findOwnMarker, parseOwnMessageId } from './own-message-id.ts'

const secret = Buffer.from('11'.repeat(32), 'hex')
const otherSecret = Buffer.from('22'.repeat(32), 'hex')

describe('own Message-IDs', () => {
  it('creates <ticketId.random.hmac@domain> and recognises it', () => {
    const id = createOwnMessageId(42, 'okpay.com', secret)
    expect(id).toMatch(/^<42\.[0-9a-f]{16}\.[0-9a-f]{24}@okpay\.com>$/)
    expect(parseOwnMessageId(id, secret)).toEqual({ ticketId: 42 })
  })

  it('gives every message its own id', () => {
    expect(createOwnMessageId(42, 'okpay.com', secret)).not.toBe(createOwnMessageId(42, 'okpay.com', secret))
  })

  it('accepts the id without angle brackets and in upper case (some systems rewrite case)', () => {
    const id = createOwnMessageId(7, 'okpay.com', secret)
    expect(parseOwnMessageId(id.slice(1, -1), secret)).toEqual({ ticketId: 7 })
    expect(parseOwnMessageId(id.toUpperCase(), secret)).toEqual({ ticketId: 7 })
  })

  const forged: Array<[string, (id: string) => string]> = [
    ['another ticket number with the original HMAC', (id) => id.replace(/^<42\./, '<43.')],
    ['a changed random part', (id) => id.replace(/^<42\.(.)/, (_m, c: string) => `<42.${c === '0' ? '1' : '0'}`)],
    ['a changed HMAC', (id) => id.replace(/\.([0-9a-f])([0-9a-f]{23})@/, (_m, c: string, rest: string) => `.${c === '0' ? '1' : '0'}${rest}@`)],
    ['a truncated HMAC', (id) => id.replace(/[0-9a-f]@/, '@')],
  ]
  for (const [name, forge] of forged) {
    it(`rejects a forged id: ${name}`, () => {
      expect(parseOwnMessageId(forge(createOwnMessageId(42, 'okpay.com', secret)), secret)).toBeUndefined()
    })
  }

  it('rejects an id made with another secret, and ids that are not ours at all', () => {
    expect(parseOwnMessageId(createOwnMessageId(42, 'okpay.com', otherSecret), secret)).toBeUndefined()
    expect(parseOwnMessageId('<CAFx1234@mail.gmail.com>', secret)).toBeUndefined()
    expect(parseOwnMessageId('<42.0000000000000000.000000000000000000000000@okpay.com>', secret)).toBeUndefined()
    expect(parseOwnMessageId('', secret)).toBeUndefined()
  })
})

describe('body markers', () => {
  const marker = createOwnMarker('OKP', 42, secret)

  it('names the ticket number and an HMAC', () => {
    expect(marker).toMatch(/^OKP-1042-[0-9a-f]{12}$/)
  })

  it('is found in the quoted text of a reply', () => {
    const reply = `Here is my transaction ID: 8812.\n\nOn Tue, OKPay wrote:\n> Hello\n> --\n> Ref: ${marker}\n`
    expect(findOwnMarker(reply, secret)).toEqual({ ticketId: 42 })
  })

  it('is found in quoted HTML, inside the hidden span', () => {
    const html = `<div>Thanks</div><blockquote><p>Hello</p><span style="display:none">Ref: ${marker}</span></blockquote>`
    expect(findOwnMarker(html, secret)).toEqual({ ticketId: 42 })
  })

  it('ignores a marker with a forged HMAC or another ticket number', () => {
    expect(findOwnMarker('Ref: OKP-1042-000000000000', secret)).toBeUndefined()
    expect(findOwnMarker(`Ref: ${marker.replace('1042', '1043')}`, secret)).toBeUndefined()
    expect(findOwnMarker(`Ref: ${createOwnMarker('OKP', 42, otherSecret)}`, secret)).toBeUndefined()
  })

  it('finds nothing in ordinary text', () => {
    expect(findOwnMarker('Please refund OKP-1042 now. Ref: invoice 2231', secret)).toBeUndefined()
  })
})
