import { describe, expect, it } from 'vitest'
import { randomText, seededRandom } from '../../../test/helpers/seeded-random.ts'
import { expectParsedLikePostalMime, multipartMessage } from '../../../test/helpers/postal-mime-equivalence.ts'
import { QuotedPrintablePartDecoder } from './quoted-printable-part-decoder.ts'


const message = (parts: Array<{ type: string; body: string }>, eol = '\r\n') => multipartMessage(parts, 'quoted-printable', eol)

async function decode(lines: string[]): Promise<string> {
  const decoder = new QuotedPrintablePartDecoder()
  for (const line of lines) decoder.update(Buffer.from(line, 'latin1'))
  return Buffer.from(await decoder.finalize()).toString('latin1')
}

describe('QuotedPrintablePartDecoder', () => {
  it('decodes escapes, keeps invalid ones, joins soft line breaks and ends other lines with a line feed', async () => {
    expect(await decode(['caf=C3=A9 =3D ok=', 'ay', '=ZZ =4 =', '=', 'last='])).toBe('caf\u00c3\u00a9 = okay\n=ZZ =4 last')
    expect(await decode(['a=3d=3D', '', 'x = y'])).toBe('a==\n\nx = y\n')
    expect(await decode(['=ff=Fa=9f=0A'])).toBe('\u00ff\u00fa\u009f\n\n')
    expect((await new QuotedPrintablePartDecoder().finalize()).byteLength).toBe(0)
  })

  it('grows past its first kilobyte', async () => {
    const line = 'x'.repeat(700)
    expect(await decode([line, line, `${line}=`, line])).toBe(`${line}\n${line}\n${line}${line}\n`)
  })

  it.each([
    ['soft line breaks and escapes', 'Gr=C3=BC=C3=9Fe aus Shanghai, das ist eine lange Zeile, die umbrochen wur=\r\nde.\r\n=E4=BD=A0=E5=A5=BD'],
    ['invalid and cut escapes', '=G1 =1 = =\r\n==41 =4\r\nend=4'],
    ['trailing spaces and tabs', 'line with spaces   \r\n\tand a tab\t=\r\n'],
    ['an empty body', ''],
  ])('decodes %s to the bytes postal-mime gives', async (_name, body) => {
    const ours = await expectParsedLikePostalMime(message([{ type: 'application/octet-stream', body }]))
    expect(ours.attachments).toHaveLength(1)
    await expectParsedLikePostalMime(message([{ type: 'text/plain; charset=utf-8', body }], '\n'))
  })

  it('decodes 2,000 generated bodies (escapes valid and not, soft breaks, 8-bit bytes) to the bytes postal-mime gives', async () => {
    const pieces = ['a', 'Z', ' ', '\t', '=', '=3D', '=c3=a9', '=C3', '=ff', '=9f', '=Fa', '=A', '=g0', '==', '=\r\n', '\r\n', '\r\n', '\u00e9', '0', 'F']
    const next = seededRandom(5)
    let decodedBytes = 0
    for (let n = 0; n < 2000; n++) {
      const body = randomText(next, pieces, Math.floor(next() * 120))
      const ours = await expectParsedLikePostalMime(message([{ type: 'application/octet-stream', body }]))
      decodedBytes += ours.attachments[0]?.bytes ?? 0
    }
    // The bodies decode to something (134,985 bytes in all), so the comparison is not of empty parts.
    expect(decodedBytes).toBe(134_985)
  })
})
