import { describe, expect, it } from 'vitest'
import { deterministicBytes as bytes } from '../../../test/helpers/deterministic-bytes.ts'
import { expectParsedLikePostalMime } from '../../../test/helpers/postal-mime-equivalence.ts'
import { parseWithCharsetFallback } from './charset-aware-parser.ts'
import { LARGE_MESSAGE_BYTES, LARGE_PART_BYTES } from './large-part-decoder.ts'

const wrap = (base64: string, width: number) => base64.replace(new RegExp(`.{${width}}`, 'g'), '$&\r\n')

function message(parts: Array<{ headers: string[]; body: string }>, boundary = 'b1'): Buffer {
  const lines = ['From: Big <big@example.com>', 'To: support@okpay.com', 'Subject: large', 'MIME-Version: 1.0', `Content-Type: multipart/mixed; boundary="${boundary}"`, '']
  for (const part of parts) lines.push(`--${boundary}`, ...part.headers, '', part.body)
  lines.push(`--${boundary}--`, '')
  return Buffer.from(lines.join('\r\n'), 'latin1')
}

const attachment = (name: string, body: string, type = 'application/octet-stream') => ({
  headers: [`Content-Type: ${type}; name="${name}"`, `Content-Disposition: attachment; filename="${name}"`, 'Content-Transfer-Encoding: base64'],
  body,
})
const text = { headers: ['Content-Type: text/plain; charset=utf-8'], body: 'see attached' }

/** A large message (its parts take the large-part path) parses as bare postal-mime parses it. */
async function expectSameAsPostalMime(raw: Buffer): Promise<void> {
  expect(raw.length).toBeGreaterThanOrEqual(LARGE_MESSAGE_BYTES)
  await expectParsedLikePostalMime(raw)
}

describe('large base64 parts of large messages', () => {
  const big = bytes(2 * 1024 * 1024 + 1, 'big') // not a multiple of 3: the base64 ends in padding

  it('decodes a 2 MB attachment in 76-column lines to the bytes postal-mime gives, as one buffer', async () => {
    const raw = message([text, attachment('big.bin', wrap(big.toString('base64'), 76))])
    await expectSameAsPostalMime(raw)
    const { email } = await parseWithCharsetFallback(raw, { maxNestingDepth: 50, maxHeadersSize: 1024 * 1024 })
    const content = email.attachments[0]?.content
    expect(content).toBeInstanceOf(Uint8Array)
    expect(Buffer.from(content as Uint8Array).equals(big)).toBe(true)
  })

  it('reads lines whose length is not a multiple of four, and a body on one single line', async () => {
    await expectSameAsPostalMime(message([text, attachment('odd.bin', wrap(big.toString('base64'), 73))]))
    await expectSameAsPostalMime(message([text, attachment('one-line.bin', big.toString('base64'))]))
  })

  it('treats padding inside the body as postal-mime does (each line encoded on its own, as some mailers do)', async () => {
    const lines: string[] = []
    for (let offset = 0; offset < big.length; offset += 58) lines.push(big.subarray(offset, offset + 58).toString('base64'))
    await expectSameAsPostalMime(message([text, attachment('padded-lines.bin', lines.join('\r\n'))]))
  })

  it('drops characters outside the base64 alphabet, and a truncated last group, as postal-mime does', async () => {
    const noisy = wrap(big.toString('base64'), 64)
      .replace(/\r\n/g, (_, i: number) => (i % 3 === 0 ? ' !\u00e9\t\r\n' : '\r\n'))
      .replace(/=+$/, '')
    await expectSameAsPostalMime(message([text, attachment('noisy.bin', `${noisy}Q`)]))
  })

  it('keeps small attachments of a large message, large text parts and nested mail exactly as postal-mime reads them', async () => {
    const small = bytes(LARGE_PART_BYTES / 2, 'small').toString('base64')
    const longText = bytes(600 * 1024, 'text').toString('hex')
    const nested = message([text, attachment('inner.bin', wrap(big.toString('base64'), 76))], 'inner').toString('latin1')
    await expectSameAsPostalMime(
      message([
        { headers: ['Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: base64'], body: wrap(Buffer.from(longText).toString('base64'), 76) },
        attachment('small.bin', wrap(small, 76)),
        attachment('big.pdf', wrap(big.toString('base64'), 76), 'application/pdf'),
        { headers: ['Content-Type: message/rfc822'], body: nested },
      ]),
    )
  })
})
