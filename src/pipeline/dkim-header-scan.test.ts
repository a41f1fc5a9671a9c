import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'
import { randomText, seededRandom } from '../../test/helpers/seeded-random.ts'
import { installDkimHeaderScan } from './dkim-header-scan.ts'

const require = createRequire(import.meta.url)
type ProcessChunk = (this: object, chunk: Buffer) => Promise<void>
const { MessageParser } = require('mailauth/lib/dkim/message-parser.js') as { MessageParser: { prototype: { processChunk: ProcessChunk } } }
const { DkimVerifier } = require('mailauth/lib/dkim/dkim-verifier.js') as { DkimVerifier: { prototype: { processChunk: ProcessChunk } } }

/** What processChunk leaves behind and hands on, for chunks fed one after the other. */
async function run(processChunk: ProcessChunk, chunks: Buffer[]) {
  const calls: string[] = []
  const parser = {
    state: 'header',
    stateBytes: [] as number[],
    headerChunks: [] as Buffer[],
    headers: false as false | { original: Buffer },
    messageHeaders: async (headers: { original: Buffer }) => {
      calls.push(`headers ${JSON.stringify(headers.original.toString('latin1'))}`)
    },
    nextChunk: async (chunk: Buffer) => {
      calls.push(`body ${JSON.stringify(chunk.toString('latin1'))}`)
    },
  }
  for (const chunk of chunks) await processChunk.call(parser, chunk)
  return {
    calls,
    state: parser.state,
    stateBytes: parser.stateBytes,
    headerChunks: parser.headerChunks.map((c) => c.toString('latin1')),
    headers: parser.headers ? parser.headers.original.toString('latin1') : false,
  }
}

describe('DKIM header scan', () => {
  it('is installed on the DkimVerifier of the mailauth in node_modules (a new mailauth needs this module checked)', () => {
    expect(installDkimHeaderScan()).toBe(true)
    expect(DkimVerifier.prototype.processChunk).not.toBe(MessageParser.prototype.processChunk)
    // Installing twice changes nothing.
    const first = DkimVerifier.prototype.processChunk
    expect(installDkimHeaderScan()).toBe(true)
    expect(DkimVerifier.prototype.processChunk).toBe(first)
  })

  it.each([
    ['LF', ['From: a\nTo: b\n\nbody\n']],
    ['CRLF', ['From: a\r\nTo: b\r\n\r\nbody\r\n']],
    ['the blank line split over chunks', ['From: a\r\n', '\r', '\nbody']],
    ['one byte at a time', [...'A: 1\n\nx'].map((c) => c)],
    ['the header ending on the chunk end', ['A: 1\n\n', 'body']],
    ['no blank line', ['A: 1\nB: 2\n']],
    ['an empty chunk', ['A: 1\n', '', '\nbody']],
    ['a message starting with a blank line', ['\n\nbody']],
    ['CR CR LF', ['A: 1\n\r\r\nB\n\nbody']],
  ])('reads %s as mailauth does', async (_name, pieces) => {
    installDkimHeaderScan()
    const chunks = pieces.map((p) => Buffer.from(p, 'latin1'))
    expect(await run(DkimVerifier.prototype.processChunk, chunks)).toEqual(await run(MessageParser.prototype.processChunk, chunks))
  })

  it('reads 5,000 generated messages, cut into chunks at random, as mailauth does', async () => {
    installDkimHeaderScan()
    const alphabet = ['a', ':', ' ', '\r', '\n', '\n', '\r\n', 'X-Y: z']
    const next = seededRandom(11)
    let headerEnds = 0
    for (let n = 0; n < 5000; n++) {
      const text = randomText(next, alphabet, Math.floor(next() * 30))
      const bytes = Buffer.from(text, 'latin1')
      const chunks: Buffer[] = []
      for (let at = 0; at < bytes.length; ) {
        const size = Math.floor(next() * 6)
        chunks.push(bytes.subarray(at, at + size))
        at += size
      }
      const expected = await run(MessageParser.prototype.processChunk, chunks)
      if (expected.state === 'body') headerEnds++
      expect(await run(DkimVerifier.prototype.processChunk, chunks), JSON.stringify(text)).toEqual(expected)
    }
    // Both outcomes are well represented: a header end found, and none.
    expect(headerEnds).toBe(3329)
  })
})
