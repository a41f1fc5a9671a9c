import { describe, expect, it } from 'vitest'
import { randomText, seededRandom } from '../../../test/helpers/seeded-random.ts'
import { expectParsedLikePostalMime, multipartMessage } from '../../../test/helpers/postal-mime-equivalence.ts'
import { deterministicBytes as bytes } from '../../../test/helpers/deterministic-bytes.ts'
import { Base64PartDecoder } from './base64-part-decoder.ts'

const wrap = (base64: string, width: number) => base64.replace(new RegExp(`.{${width}}`, 'g'), '$&\r\n')

const message = (parts: Array<{ type: string; body: string }>, eol = '\r\n') => multipartMessage(parts, 'base64', eol)

describe('Base64PartDecoder', () => {
  const data = bytes(10_000 + 2, 'b64') // not a multiple of 3: the encoding ends in padding

  it('decodes the base64 lines it is given, across its 4,096-character steps', async () => {
    const decoder = new Base64PartDecoder()
    for (const line of wrap(data.toString('base64'), 76).split('\r\n')) decoder.update(Buffer.from(line))
    expect(Buffer.from(await decoder.finalize()).equals(data)).toBe(true)
    expect((await new Base64PartDecoder().finalize()).byteLength).toBe(0)
  })

  it.each([
    ['76-column lines', wrap(data.toString('base64'), 76)],
    ['73-column lines', wrap(data.toString('base64'), 73)],
    ['one line', data.toString('base64')],
    ['each line padded on its own', Array.from({ length: 40 }, (_, i) => data.subarray(i * 58, i * 58 + 58).toString('base64')).join('\r\n')],
    ['junk, spaces and 8-bit bytes between the characters', wrap(data.toString('base64'), 64).replace(/\r\n/g, (_, i: number) => (i % 3 === 0 ? ' !\u00e9\t\r\n' : '\r\n'))],
    ['a truncated last group', `${wrap(data.toString('base64').replace(/=+$/, ''), 76)}Q`],
    ['padding in the middle of a line', `${Buffer.from('ab').toString('base64')}${Buffer.from('cde').toString('base64')}==QUJD`],
    ['nothing but padding and junk', '==\r\n*** =\r\n'],
    ['an empty body', ''],
  ])('decodes %s to the bytes postal-mime gives', async (_name, body) => {
    const ours = await expectParsedLikePostalMime(message([{ type: 'application/octet-stream', body }]))
    expect(ours.attachments).toHaveLength(1)
  })

  it('gives a base64 text body and a nested message the text postal-mime gives, with LF line ends too', async () => {
    const text = Buffer.from('Grüße aus Shanghai, 你好\n'.repeat(50)).toString('base64')
    const nested = Buffer.from('From: b@example.com\r\nSubject: inner\r\n\r\ninner body\r\n').toString('base64')
    for (const eol of ['\r\n', '\n']) {
      const raw = message([{ type: 'text/plain; charset=utf-8', body: wrap(text, 76) }, { type: 'message/rfc822', body: wrap(nested, 76) }], eol)
      await expectParsedLikePostalMime(raw)
    }
  })

  it('decodes 2,000 generated bodies (base64 with padding, junk and cuts anywhere) to the bytes postal-mime gives', async () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
    const pieces = [...alphabet, '=', '==', ' ', '\t', '\r\n', '\r\n', '\u00e9', '-', '*']
    const next = seededRandom(3)
    let decodedBytes = 0
    for (let n = 0; n < 2000; n++) {
      // Never a line that reads as a boundary ("--b") or a blank line ending nothing: the part is one body.
      const body = randomText(next, pieces, Math.floor(next() * 400)).replace(/^--/gm, 'A-')
      const ours = await expectParsedLikePostalMime(message([{ type: 'application/octet-stream', body }]))
      decodedBytes += ours.attachments[0]?.bytes ?? 0
    }
    // The bodies decode to something (262,255 bytes in all), so the comparison is not of empty parts.
    expect(decodedBytes).toBe(262_255)
  })
})
