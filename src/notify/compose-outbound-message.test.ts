import PostalMime from 'postal-mime'
import { describe, expect, it } from 'vitest'
import { testConfig } from '../../test/helpers/fixtures.ts'
import { composeOutboundMessage, subjectWithTicketToken, type ComposeOutboundInput } from './compose-outbound-message.ts'
import { findOwnMarker, parseOwnMessageId } from './own-message-id.ts'

const config = testConfig({ MAILDESK_SECRET_KEY: 'ab'.repeat(32), MAILDESK_PUBLIC_URL: 'https://help.okpay.com' })

function input(overrides: Partial<ComposeOutboundInput> = {}): ComposeOutboundInput {
  return {
    brand: config.brand,
    secretKey: config.secretKey,
    publicUrl: config.publicUrl,
    ticketId: 42,
    kind: 'acknowledgement',
    to: { address: 'jane.doe@example.com', name: 'Jane Doe' },
    subject: 'We have received your message',
    text: 'Hello Jane,\n\nWe have your message.',
    language: 'en',
    inReplyTo: '<m2@mail.example.com>',
    references: ['<m1@mail.example.com>'],
    antiPhishingCode: 'BlueFox-7',
    verificationCode: '7KQM-4XPT',
    now: new Date('2026-11-25T02:05:10Z'),
    ...overrides,
  }
}

async function compose(overrides: Partial<ComposeOutboundInput> = {}) {
  const composed = await composeOutboundMessage(input(overrides))
  const email = await PostalMime.parse(composed.raw)
  const header = (key: string) => email.headers.find((h) => h.key === key)?.value
  return { composed, email, header }
}

describe('composeOutboundMessage', () => {
  it('answers from support@ with the ticket token, threading headers and our signed Message-ID', async () => {
    const { composed, email, header } = await compose()
    expect(email.from).toEqual({ address: 'support@okpay.com', name: 'OKPay' })
    expect(email.to).toEqual([{ address: 'jane.doe@example.com', name: 'Jane Doe' }])
    expect(email.subject).toBe('We have received your message [OKP-1042]')
    expect(email.inReplyTo).toBe('<m2@mail.example.com>')
    expect(email.references).toBe('<m1@mail.example.com> <m2@mail.example.com>')
    expect(email.messageId).toBe(composed.messageIdHeader)
    expect(parseOwnMessageId(composed.messageIdHeader, config.secretKey)).toEqual({ ticketId: 42 })
    expect(header('content-language')).toBe('en')
    expect(composed.envelope).toEqual({ from: 'support@okpay.com', to: ['jane.doe@example.com'] })
  })

  it('marks automatic mail so other robots do not answer it (RFC 3834)', async () => {
    const { header } = await compose({ kind: 'acknowledgement' })
    expect(header('auto-submitted')).toBe('auto-replied')
    expect(header('x-auto-response-suppress')).toBe('All')
  })

  it('does not mark an agent reply as automatic: a person wrote it', async () => {
    const { header } = await compose({ kind: 'reply' })
    expect(header('auto-submitted')).toBeUndefined()
    expect(header('x-auto-response-suppress')).toBeUndefined()
  })

  it('sends notices from noreply@ with Reply-To support@', async () => {
    const { email } = await compose({ kind: 'notice' })
    expect(email.from?.address).toBe('noreply@okpay.com')
    expect(email.replyTo).toEqual([{ address: 'support@okpay.com', name: '' }])
  })

  it('prints the anti-phishing code first, and the verify link and marker last, in text and HTML', async () => {
    const { email } = await compose()
    expect(email.text?.trimEnd()).toBe(
      [
        'Your anti-phishing code: BlueFox-7',
        '',
        'Hello Jane,',
        '',
        'We have your message.',
        '',
        '--',
        'Verify this email at https://help.okpay.com/verify?code=7KQM-4XPT',
        `Ref: OKP-1042-${/OKP-1042-([0-9a-f]{12})/.exec(email.text ?? '')?.[1]}`,
      ].join('\n'),
    )
    expect(findOwnMarker(email.text ?? '', config.secretKey)).toEqual({ ticketId: 42 })
    const html = email.html ?? ''
    expect(html.indexOf('Your anti-phishing code: BlueFox-7')).toBeLessThan(html.indexOf('Hello Jane'))
    expect(html).toContain('<a href="https://help.okpay.com/verify?code=7KQM-4XPT">')
    expect(html).toMatch(/<span style="display:none[^"]*">Ref: OKP-1042-[0-9a-f]{12}<\/span>/)
    expect(findOwnMarker(html, config.secretKey)).toEqual({ ticketId: 42 })
  })

  it('writes the fixed lines in the customer language', async () => {
    const { email } = await compose({ language: 'zh-CN', text: '您好，我们已收到您的邮件。' })
    expect(email.text).toContain('您的防钓鱼码：BlueFox-7')
    expect(email.text).toContain('验证此邮件是否来自官方：https://help.okpay.com/verify?code=7KQM-4XPT')
  })

  it('omits the anti-phishing line when the customer has none', async () => {
    const { email } = await compose({ antiPhishingCode: null })
    expect(email.text?.startsWith('Hello Jane,')).toBe(true)
  })

  it('escapes the anti-phishing code in HTML', async () => {
    const { email } = await compose({ antiPhishingCode: '<b>x</b>&' })
    expect(email.html).toContain('Your anti-phishing code: &lt;b&gt;x&lt;/b&gt;&amp;')
  })

  it('puts the lines inside <body> of a whole HTML document', async () => {
    const { email } = await compose({ html: '<!doctype html><html><body><p>Hi</p></body></html>' })
    expect(email.html).toMatch(/^<!doctype html><html><body><p style="[^"]*">Your anti-phishing code: BlueFox-7<\/p>\n<p>Hi<\/p>[\s\S]*Ref: OKP-1042-[0-9a-f]{12}<\/span>\n<\/body><\/html>\s*$/)
  })

  it('starts a thread when there is no customer message to answer', async () => {
    const { email } = await compose({ inReplyTo: undefined, references: undefined })
    expect(email.inReplyTo).toBeUndefined()
    expect(email.references).toBeUndefined()
  })
})

describe('subjectWithTicketToken', () => {
  it('adds the token once', () => {
    expect(subjectWithTicketToken('Re: Refund', 'OKP-1042')).toBe('Re: Refund [OKP-1042]')
    expect(subjectWithTicketToken('Re: [okp-1042] Refund', 'OKP-1042')).toBe('Re: [okp-1042] Refund')
    expect(subjectWithTicketToken('a\r\nBcc: x@evil.example', 'OKP-1042')).toBe('a Bcc: x@evil.example [OKP-1042]')
  })
})
