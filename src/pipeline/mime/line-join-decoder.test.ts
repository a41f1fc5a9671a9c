import { createHash } from 'node:crypto'
import PostalMime from 'postal-mime'
import { describe, expect, it } from 'vitest'
import { parseWithCharsetFallback } from './charset-aware-parser.ts'
import { LineJoinDecoder } from './line-join-decoder.ts'

const OPTIONS = { maxNestingDepth: 50, maxHeadersSize: 1024 * 1024 }

/** Attachments in comparable form: what each decoded to. */
async function attachmentDigests(raw: Buffer, ours: boolean): Promise<string[]> {
  const email = ours ? (await parseWithCharsetFallback(raw, OPTIONS)).email : await PostalMime.parse(Buffer.from(raw))
  return email.attachments.map((a) => {
    const bytes = typeof a.content === 'string' ? Buffer.from(a.content) : new Uint8Array(a.content)
    return `${a.filename ?? ''} ${bytes.byteLength} ${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}`
  })
}

function multipart(eol: string, parts: Array<{ encoding: string | undefined; name: string; body: string }>, closing = true): Buffer {
  const lines = ['From: a@example.com', 'To: support@okpay.com', 'Subject: parts', 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="b"', '', 'preamble']
  for (const part of parts) {
    lines.push('--b', `Content-Type: application/octet-stream; name="${part.name}"`, `Content-Disposition: attachment; filename="${part.name}"`)
    if (part.encoding !== undefined) lines.push(`Content-Transfer-Encoding: ${part.encoding}`)
    lines.push('', part.body)
  }
  if (closing) lines.push('--b--', '')
  return Buffer.from(lines.join(eol), 'latin1')
}

describe('LineJoinDecoder', () => {
  it('joins the lines it was given, each followed by a line feed', async () => {
    const decoder = new LineJoinDecoder()
    decoder.update(Buffer.from('first'))
    decoder.update(new Uint8Array(0))
    decoder.update(Buffer.from('third line').subarray(6))
    expect(Buffer.from(await decoder.finalize()).toString('latin1')).toBe('first\n\nline\n')
  })

  it('gives an empty buffer for a part without lines', async () => {
    expect((await new LineJoinDecoder().finalize()).byteLength).toBe(0)
  })

  // postal-mime's PassThroughDecoder is what it replaces: every part without base64 or quoted-printable encoding.
  it.each(['\r\n', '\n'])('decodes 7bit, 8bit, binary, unknown and missing encodings to the bytes postal-mime gives (line end %j)', async (eol) => {
    const raw = multipart(eol, [
      { encoding: '7bit', name: 'seven.txt', body: `line one${eol}  line two with trailing space  ${eol}${eol}after a blank line` },
      { encoding: '8bit', name: 'eight.txt', body: `caf\u00e9 \u00fcber${eol}\u00ff\u00fe` },
      { encoding: 'binary', name: 'binary.bin', body: '\u0000\u0001\u0002\r\u0003' },
      { encoding: 'x-uuencode', name: 'unknown.bin', body: 'begin 644 x' },
      { encoding: undefined, name: 'none.txt', body: '' },
      { encoding: '(comment) 8BIT', name: 'comment.txt', body: 'text' },
    ])
    const ours = await attachmentDigests(raw, true)
    expect(ours).toHaveLength(6)
    expect(ours).toEqual(await attachmentDigests(raw, false))
  })

  it('decodes a last part cut off without a closing boundary or final line break as postal-mime does', async () => {
    const raw = multipart('\r\n', [{ encoding: '8bit', name: 'cut.txt', body: 'no end' }], false)
    const ours = await attachmentDigests(raw, true)
    expect(ours).toHaveLength(1)
    expect(ours).toEqual(await attachmentDigests(raw, false))
  })

  it('gives the text of a single-part 8-bit message exactly as postal-mime', async () => {
    const raw = Buffer.from('From: a@example.com\nSubject: x\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\nGr\u00fc\u00dfe,\n\n  Li Lei  \n', 'utf8')
    const ours = (await parseWithCharsetFallback(raw, OPTIONS)).email.text
    expect(ours).toBe('Gr\u00fc\u00dfe,\n\n  Li Lei  \n')
    expect(ours).toBe((await PostalMime.parse(Buffer.from(raw))).text)
  })
})
