import { createHash } from 'node:crypto'
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { deterministicBytes as bytes } from '../../../test/helpers/deterministic-bytes.ts'
import { AttachmentStore } from '../../tickets/attachment-store.ts'
import { findForwardedMessage } from '../../verifier/forwarded-message.ts'
import { parseMessage, type ParsedMessage } from '../parse-message.ts'
import { LIFT_PART_BYTES, liftLargeParts } from './lift-large-parts.ts'

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')
const wrap = (base64: string, width: number, eol = '\r\n') => base64.replace(new RegExp(`.{${width}}`, 'g'), `$&${eol}`)

interface Part {
  headers: string[]
  body: string
}
function multipart(type: string, boundary: string, parts: Part[], eol = '\r\n'): string {
  const lines = [`Content-Type: multipart/${type}; boundary="${boundary}"`, '', 'preamble']
  for (const part of parts) lines.push(`--${boundary}`, ...part.headers, '', part.body)
  lines.push(`--${boundary}--`, 'epilogue')
  return lines.join(eol)
}
function message(body: string, eol = '\r\n'): Buffer {
  return Buffer.from(['From: Big <big@example.com>', 'To: support@okpay.com', 'Subject: large', 'Message-ID: <big@example.com>', 'MIME-Version: 1.0', body].join(eol), 'latin1')
}
const attachment = (name: string, content: Buffer, type = 'application/octet-stream', width = 76, eol = '\r\n'): Part => ({
  headers: [`Content-Type: ${type}; name="${name}"`, `Content-Disposition: attachment; filename="${name}"`, 'Content-Transfer-Encoding: base64'],
  body: width > 0 ? wrap(content.toString('base64'), width, eol) : content.toString('base64'),
})
const text: Part = { headers: ['Content-Type: text/plain; charset=utf-8'], body: 'see attached' }
const limits = { maxAttachments: 20, maxAttachmentBytes: 10 * 1024 * 1024 }

let dir: string
let store: AttachmentStore
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'lift-'))
  store = new AttachmentStore(dir)
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function* chunked(raw: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < raw.length; i += size) yield raw.subarray(i, i + size)
}

/** A parse in comparable form: stored parts by digest and size, in-memory ones by the digest of their bytes. */
async function comparable(parsed: ParsedMessage) {
  return {
    ...parsed,
    attachments: await Promise.all(
      parsed.attachments.map(async (a) => {
        const { content, stored, ...rest } = a
        if (!stored) return { ...rest, sha256: sha(content), size: content.byteLength }
        const onDisk = await readFile(store.pathOf(stored.sha256))
        expect(sha(onDisk)).toBe(stored.sha256)
        return { ...rest, sha256: stored.sha256, size: stored.sizeBytes }
      }),
    ),
  }
}

async function expectSameAsWholeParse(raw: Buffer, chunkSize = 65_536, lim = limits) {
  const whole = await parseMessage(raw, lim)
  const { skeleton, lifted } = await liftLargeParts(chunked(raw, chunkSize), store, lim.maxAttachmentBytes)
  const viaSkeleton = await parseMessage(skeleton, lim, lifted)
  expect(await comparable(viaSkeleton)).toEqual(await comparable(whole))
  return { skeleton, lifted, parsed: viaSkeleton }
}

describe('liftLargeParts', () => {
  it('lifts a 2 MB attachment into the store: same attachment as a whole parse, skeleton of a few hundred bytes', async () => {
    const raw = message(multipart('mixed', 'b1', [text, attachment('big.bin', bytes(2_000_000, 'a'))]))
    const { skeleton, lifted, parsed } = await expectSameAsWholeParse(raw)
    expect(lifted.size).toBe(1)
    expect(skeleton.length).toBeLessThan(1000)
    expect(parsed.attachments[0]?.stored).toEqual({ sha256: sha(bytes(2_000_000, 'a')), sizeBytes: 2_000_000 })
    expect(await readdir(path.join(dir, 'tmp'))).toEqual([])
  })

  // Chunk sizes that split lines, CRLFs and boundaries at every kind of place.
  for (const chunkSize of [1, 7, 77, 4096, 1_000_003]) {
    it(`gives the same result whatever the chunk size (${chunkSize})`, async () => {
      const size = chunkSize === 1 ? 300_000 : 700_000
      const raw = message(multipart('mixed', 'b1', [text, attachment('a.bin', bytes(size, 'c')), attachment('small.png', bytes(3000, 's'), 'image/png')]))
      const { lifted } = await expectSameAsWholeParse(raw, chunkSize)
      expect(lifted.size).toBe(1)
    })
  }

  it('keeps parts under the threshold, text parts, TNEF and nested mail in the skeleton', async () => {
    const nested = message(multipart('mixed', 'n1', [text, attachment('inner.bin', bytes(400_000, 'n'))]))
    const raw = message(
      multipart('mixed', 'b1', [
        text,
        attachment('small.bin', bytes(LIFT_PART_BYTES / 2, 's')),
        attachment('notes.txt', bytes(400_000, 't'), 'text/plain'),
        attachment('table.csv', bytes(400_000, 'v'), 'application/csv'),
        { headers: ['Content-Type: message/rfc822'], body: nested.toString('latin1') },
      ]),
    )
    const { lifted } = await expectSameAsWholeParse(raw)
    expect(lifted.size).toBe(0)
  })

  it('keeps a forwarded .eml sent as a plain file in the skeleton: security@ reads the phishing mail from it', async () => {
    const phishing = message(multipart('mixed', 'n1', [text, attachment('invoice.pdf', bytes(400_000, 'f'), 'application/pdf')]))
    const raw = message(multipart('mixed', 'b1', [text, attachment('Suspicious.EML', phishing), attachment('big.bin', bytes(400_000, 'b'))]))
    const { skeleton, lifted } = await expectSameAsWholeParse(raw)
    expect(lifted.size).toBe(1) // big.bin only
    expect(Buffer.from((await findForwardedMessage(skeleton)) ?? []).equals(phishing)).toBe(true)
  })

  it('lifts from nested multiparts, one-line base64, LF-only lines, odd widths and a top-level single part', async () => {
    const inner = multipart('related', 'r1', [{ headers: ['Content-Type: text/html'], body: '<p>hi</p>' }, attachment('photo.jpg', bytes(500_000, 'p'), 'image/jpeg', 0)])
    const alt = multipart('alternative', 'a1', [text, { headers: [], body: '' }])
    const raw = message(
      multipart('mixed', 'b1', [
        { headers: [inner.split('\r\n')[0] as string], body: inner.split('\r\n').slice(2).join('\r\n') },
        { headers: [alt.split('\r\n')[0] as string], body: alt.split('\r\n').slice(2).join('\r\n') },
        attachment('odd.bin', bytes(600_001, 'o'), 'application/pdf', 61),
      ]),
    )
    expect((await expectSameAsWholeParse(raw, 999)).lifted.size).toBe(2)
    const lfOnly = message(multipart('mixed', 'b2', [text, attachment('lf.bin', bytes(500_000, 'l'), 'application/zip', 76, '\n')], '\n'), '\n')
    expect((await expectSameAsWholeParse(lfOnly)).lifted.size).toBe(1)
    const single = message(['Content-Type: application/pdf; name="doc.pdf"', 'Content-Transfer-Encoding: base64', '', wrap(bytes(900_000, 'd').toString('base64'), 76)].join('\r\n'))
    expect((await expectSameAsWholeParse(single)).lifted.size).toBe(1)
  })

  it('decodes noise, padding in the middle and lines starting with "--" exactly as postal-mime does', async () => {
    const base64 = wrap(bytes(500_000, 'z').toString('base64'), 76).split('\r\n')
    base64.splice(100, 0, '--not-a-boundary', '!!@@##', 'QUI=', '--b1 x')
    const raw = message(multipart('mixed', 'b1', [text, { ...attachment('noise.bin', Buffer.alloc(0)), body: base64.join('\r\n') }]))
    expect((await expectSameAsWholeParse(raw)).lifted.size).toBe(1)
  })

  it('measures but does not store a part above the attachment limit (ATTACHMENT_TOO_LARGE, as a whole parse)', async () => {
    const raw = message(multipart('mixed', 'b1', [text, attachment('huge.bin', bytes(1_500_000, 'h'))]))
    const { parsed } = await expectSameAsWholeParse(raw, 65_536, { maxAttachments: 20, maxAttachmentBytes: 1_000_000 })
    expect(parsed.warnings).toContainEqual({ code: 'ATTACHMENT_TOO_LARGE', detail: 'huge.bin' })
    expect(await readdir(path.join(dir, 'tmp'))).toEqual([])
  })
})
