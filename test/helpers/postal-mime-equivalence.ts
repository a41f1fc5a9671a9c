import { createHash } from 'node:crypto'
import PostalMime, { type Email } from 'postal-mime'
import { expect } from 'vitest'
import { parseWithCharsetFallback } from '../../src/pipeline/mime/charset-aware-parser.ts'

/** A parse in comparable form: the body texts and, per attachment, its metadata and what it decoded to. */
export function parseSummary(email: Email) {
  return {
    text: email.text,
    html: email.html,
    attachments: email.attachments.map((a) => {
      const content = typeof a.content === 'string' ? Buffer.from(a.content) : new Uint8Array(a.content)
      return { filename: a.filename, mimeType: a.mimeType, disposition: a.disposition, sha256: createHash('sha256').update(content).digest('hex'), bytes: content.byteLength }
    }),
  }
}

/** Parses with Maildesk's parser (our part decoders) and with bare postal-mime, expects the same result and returns it. */
export async function expectParsedLikePostalMime(raw: Buffer): Promise<ReturnType<typeof parseSummary>> {
  const ours = parseSummary((await parseWithCharsetFallback(raw, { maxNestingDepth: 50, maxHeadersSize: 1024 * 1024 })).email)
  expect(ours).toEqual(parseSummary(await PostalMime.parse(Buffer.from(raw))))
  return ours
}

/** A multipart/mixed message whose parts are attachments `part0`, `part1`… with the given transfer encoding. */
export function multipartMessage(parts: Array<{ type: string; body: string }>, transferEncoding: string, eol = '\r\n'): Buffer {
  const lines = ['From: a@example.com', 'To: support@okpay.com', 'Subject: parts', 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="b"', '']
  parts.forEach((part, i) => {
    lines.push('--b', `Content-Type: ${part.type}; name="part${i}"`, `Content-Disposition: attachment; filename="part${i}"`, `Content-Transfer-Encoding: ${transferEncoding}`, '', part.body)
  })
  lines.push('--b--', '')
  return Buffer.from(lines.join(eol), 'latin1')
}
