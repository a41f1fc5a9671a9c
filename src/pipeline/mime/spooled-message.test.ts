import { createHash } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { deriveRawMessageKey } from '../../intake/raw-message-crypto.ts'
import { rawMessageFilePath, RawMessageFileWriter } from '../../intake/raw-message-file.ts'
import { AttachmentStore } from '../../tickets/attachment-store.ts'
import { parseMessage } from '../parse-message.ts'
import { openSpooledMessage } from './spooled-message.ts'

const key = deriveRawMessageKey(Buffer.alloc(32, 3))
let dir: string
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'spooled-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('openSpooledMessage', () => {
  it('parses a spooled 3 MB message with its attachment stored, and streams the message byte for byte', async () => {
    const content = Buffer.alloc(3_000_000)
    for (let i = 0; i < content.length; i++) content[i] = (i * 7919) % 251
    const raw = Buffer.from(
      [
        'From: Big <big@example.com>', 'To: support@okpay.com', 'Subject: statement', 'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="b"', '', '--b', 'Content-Type: text/plain', '', 'see attached', '--b',
        'Content-Type: application/pdf; name="s.pdf"', 'Content-Transfer-Encoding: base64', '',
        content.toString('base64').replace(/.{76}/g, '$&\r\n'), '--b--', '',
      ].join('\r\n'),
    )
    const writer = RawMessageFileWriter.create(path.join(dir, 'raw'), key)
    writer.write(raw)
    const file = rawMessageFilePath(path.join(dir, 'raw'), (await writer.finish()).name)
    const store = new AttachmentStore(path.join(dir, 'attachments'))

    const spooled = await openSpooledMessage(file, key, store, 25 * 1024 * 1024)
    const parsed = await parseMessage(spooled.skeleton, { maxAttachments: 10, maxAttachmentBytes: 25 * 1024 * 1024 }, spooled.lifted)
    expect(parsed.text).toBe('see attached\n')
    expect(parsed.attachments.map((a) => [a.filename, a.contentType, a.stored])).toEqual([
      ['s.pdf', 'application/pdf', { sha256: createHash('sha256').update(content).digest('hex'), sizeBytes: content.length }],
    ])
    const streamed: Buffer[] = []
    for await (const chunk of spooled.openStream()) streamed.push(chunk as Buffer)
    expect(Buffer.concat(streamed).equals(raw)).toBe(true)
  })
})
