import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildZip } from '../../test/helpers/archives.ts'
import { deterministicBytes as noise } from '../../test/helpers/deterministic-bytes.ts'
import { AttachmentStore } from '../tickets/attachment-store.ts'
import { inspectAttachment, inspectStoredAttachment } from './inspect-attachment.ts'

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex')
const PE = Buffer.concat([Buffer.from('MZ\x90\x00', 'latin1'), Buffer.alloc(60), Buffer.from('PE\0\0', 'latin1')])
const PDF = Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n')
const big = 300_000

// Each file is larger than the 64 KiB head; the verdicts that depend on bytes past it must still be found.
const cases: Array<[string, string, Buffer]> = [
  ['random bytes', 'data.bin', noise(big, 'r')],
  ['a photo', 'photo.png', Buffer.concat([PNG, noise(big, 'p')])],
  ['a program named as a document', 'invoice.pdf', Buffer.concat([PE, noise(big, 'e')])],
  ['a PDF with a ZIP holding a program appended', 'statement.pdf', Buffer.concat([PDF, noise(big, 'd'), buildZip([{ name: 'run.exe', content: PE }])])],
  ['a ZIP whose program sits past the first 64 KiB', 'docs.zip', buildZip([{ name: 'a.bin', content: noise(big, 'z'), store: true }, { name: 'run.exe', content: PE }])],
  ['text with a script at the end, named .html', 'page.html', Buffer.from('hello '.repeat(50_000) + '<script>x()</script>')],
  ['plain text', 'notes.txt', Buffer.from('hello '.repeat(50_000))],
  ['a small file', 'tiny.bin', noise(1000, 't')],
]

let dir: string
let store: AttachmentStore
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'inspect-'))
  store = new AttachmentStore(dir)
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('inspectStoredAttachment', () => {
  it.each(cases)('gives the verdict of inspectAttachment on the whole bytes: %s', async (_name, filename, bytes) => {
    const sha256 = await store.put(bytes)
    const expected = await inspectAttachment({ filename, declaredType: 'application/octet-stream', bytes }, undefined)
    const stored = await inspectStoredAttachment({ filename, declaredType: 'application/octet-stream', sha256, sizeBytes: bytes.length }, store, undefined)
    expect(stored).toEqual(expected)
  })

  it('quarantines what the cases above should quarantine (the comparison is not vacuous)', async () => {
    const verdicts = await Promise.all(
      cases.map(async ([, filename, bytes]) => (await inspectAttachment({ filename, declaredType: 'application/octet-stream', bytes }, undefined)).verdict),
    )
    expect(verdicts).toEqual(['ok', 'ok', 'quarantine', 'quarantine', 'quarantine', 'quarantine', 'ok', 'ok'])
  })
})
