import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { loadConfig } from '../config.ts'
import { findForwardedMessage } from './forwarded-message.ts'
import { verifyEmail } from './verify-email.ts'

const brand = loadConfig({}).brand
const phishing = readFileSync(new URL('../../test/fixtures/verifier/emails/lookalike-okpay-support-en.eml', import.meta.url))

function forward(attachment: Buffer, type = 'message/rfc822', filename = 'suspicious.eml'): Buffer {
  return Buffer.from(
    [
      'From: Li Wei <li.wei@example.net>',
      'To: security@okpay.com',
      'Subject: Fwd: is this you?',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="fw"',
      '',
      '--fw',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'I got this, is it really you?',
      '--fw',
      `Content-Type: ${type}; name="${filename}"`,
      `Content-Disposition: attachment; filename="${filename}"`,
      '',
      attachment.toString('utf8'),
      '--fw--',
      '',
    ].join('\r\n'),
  )
}

/** The text with LF line ends and no trailing blank lines (the MIME parser hands text parts back with LF). */
const lines = (bytes: Uint8Array | undefined) => Buffer.from(bytes ?? new Uint8Array()).toString('utf8').replace(/\r\n/g, '\n').trimEnd()

describe('findForwardedMessage', () => {
  it('returns the attached message, which the verifier then judges', async () => {
    const inner = await findForwardedMessage(forward(phishing))
    expect(lines(inner)).toBe(lines(phishing))
    const result = await verifyEmail(inner ?? new Uint8Array(), { brand, language: 'en' })
    expect(result.verdict).toBe('impersonation')
    expect(result.reasons[0]?.code).toBe('display_name_brand')
  })

  it('accepts a .eml attachment sent as application/octet-stream', async () => {
    const inner = await findForwardedMessage(forward(phishing, 'application/octet-stream', 'mail.EML'))
    expect(lines(inner)).toBe(lines(phishing))
  })

  it('returns undefined for a message with nothing attached', async () => {
    expect(await findForwardedMessage(phishing)).toBeUndefined()
  })
})
