import { describe, expect, it } from 'vitest'
import { bestOfFiveMs, oneMiBOf } from '../../test/helpers/linear-time.ts'
import { extractLinks } from './message-links.ts'

describe('extractLinks', () => {
  it('reads each anchor with the host its text shows, then the bare URLs of the text', () => {
    const html = `<p>Dear customer,</p>
<a title="a > b" href="https://okpay.com.evil.example/login?a=1&amp;b=2"><b>www.okpay.com</b></a>
<A HREF='https://help.okpay.com/faq'>our help centre</A> <a href="mailto:support@okpay.com">write</a> <a href=https://x.example/y>x.example/y</a>`
    expect(extractLinks(html, 'See https://okpay.com/status, thanks.')).toEqual([
      { href: 'https://okpay.com.evil.example/login?a=1&b=2', shownHost: 'www.okpay.com' },
      { href: 'https://help.okpay.com/faq', shownHost: undefined },
      { href: 'https://x.example/y', shownHost: 'x.example' },
      { href: 'https://okpay.com/status', shownHost: undefined },
    ])
  })

  it('decodes an href once, as a browser does: an escaped reference stays a reference', () => {
    const html = '<a href="https://pay.example/?q=&amp;lt;b&amp;gt;&#47;x&AMP;y">link</a>'
    expect(extractLinks(html, undefined)).toEqual([{ href: 'https://pay.example/?q=&lt;b&gt;/x&y', shownHost: undefined }])
  })

  it('skips an anchor whose closing tag is missing or more than 2,000 characters on', () => {
    expect(extractLinks(`<a href="https://a.example/">${'x'.repeat(2001)}</a><a href="https://b.example/">b.example`, undefined)).toEqual([])
  })

  it.each([
    ['anchors with unclosed quotes', '<a href="https://x.example/'],
    ['anchors without closing tags', '<a href=https://x.example/>x '],
    ['bare "<a "', '<a '],
    ['unclosed single quotes', "<a href='"],
    ['anchors showing an address', '<a href="https://okpay.com.evil.example/">okpay.com</a> '],
  ])('reads 1 MB of %s within 200 ms (linear time)', (_name, unit) => {
    const bestMs = bestOfFiveMs(oneMiBOf(unit), (html) => extractLinks(html, undefined))
    expect(bestMs, `best of five: ${bestMs.toFixed(1)} ms`).toBeLessThan(200)
  })
})
