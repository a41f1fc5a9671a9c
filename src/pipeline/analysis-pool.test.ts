import { readFileSync } from 'node:fs'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { loadConfig } from '../config.ts'
import { deriveRawMessageKey, encryptRawMessage } from '../intake/raw-message-crypto.ts'
import { silentLogger } from '../logger.ts'
import { AttachmentStore } from '../tickets/attachment-store.ts'
import { AnalysisPool, analyzeStoredMessage, describeAnalysisFailure, type AnalysisRequest, type AnalysisSetup } from './analysis-pool.ts'
import { createZoneResolver } from './authenticate-sender.ts'
import type { AnalysisContext, AnalyzedMessage } from './process-message.ts'
import PostalMime from 'postal-mime'
import { composeOutboundMessage, type ComposeOutboundInput } from '../notify/compose-outbound-message.ts'
import { parseOwnMessageId } from '../notify/own-message-id.ts'

const fixture = (name: string) => readFileSync(new URL(`../../test/fixtures/emails/${name}`, import.meta.url))

describe('analysis pool', () => {
  const dirs: string[] = []
  let pool: AnalysisPool | undefined
  afterEach(async () => {
    await pool?.close()
    pool = undefined
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
  })

  function setUp() {
    const dir = mkdtempSync(path.join(tmpdir(), 'maildesk-pool-'))
    dirs.push(dir)
    const config = loadConfig({ MAILDESK_DATA_DIR: dir, MAILDESK_LOG_LEVEL: 'silent' })
    const rawMessageKey = deriveRawMessageKey(config.secretKey)
    const zone = { 'customer.example': { TXT: ['v=spf1 -all'] } }
    const setup: AnalysisSetup = {
      limits: { maxAttachments: config.maxAttachments, maxAttachmentBytes: config.maxAttachmentBytes },
      attachmentsDir: path.join(dir, 'attachments'),
      brand: config.brand,
      mtaName: 'okpay.com',
      dns: { kind: 'zone', zone },
      clamdAddress: undefined,
      rawMessageKey,
    }
    const ctx: AnalysisContext = {
      limits: setup.limits,
      attachments: new AttachmentStore(setup.attachmentsDir),
      brand: config.brand,
      mtaName: setup.mtaName,
      resolver: createZoneResolver(zone),
      scanner: undefined,
    }
    const inThread = (request: AnalysisRequest) => analyzeStoredMessage(ctx, rawMessageKey, request)
    return { setup, ctx, rawMessageKey, inThread }
  }

  const envelope = { mailFrom: 'li.wei@customer.example', remoteAddress: '192.0.2.7', rcptTo: ['support@okpay.com'] }

  it('gives the same analysis in a worker thread as in the main thread, from the encrypted stored bytes', async () => {
    const { setup, rawMessageKey, inThread } = setUp()
    pool = new AnalysisPool(setup, inThread, { threads: 1, log: silentLogger })
    expect(await pool.whenReady()).toBe(true)
    for (const name of ['foxmail-gbk-raw-subject.eml', 'inline-image-cid.eml', 'outlook16-related-winmail.eml']) {
      const request: AnalysisRequest = { stored: encryptRawMessage(Buffer.from(rawMessageKey), fixture(name)), encryption: 'aes-256-gcm', envelope }
      const here = await inThread(request)
      const there = pool.tryAnalyze(request)
      expect(there, name).toBeDefined()
      const fromThread = (await there) as AnalyzedMessage
      // Buffers arrive as plain Uint8Arrays; the bytes and every other field are the same.
      expect(normalize(fromThread), name).toEqual(normalize(here))
    }
  })

  it('reports a failure in the thread by its code, as the main thread would', async () => {
    const { setup, inThread } = setUp()
    pool = new AnalysisPool(setup, inThread, { threads: 1, log: silentLogger })
    expect(await pool.whenReady()).toBe(true)
    const request: AnalysisRequest = { stored: new Uint8Array([0, 1, 2, 3, 255]), encryption: null, envelope }
    const here = await inThread(request).catch(describeAnalysisFailure)
    const there = await pool.tryAnalyze(request)?.catch(describeAnalysisFailure)
    expect(here).toMatchObject({ code: 'NOT_AN_EMAIL' })
    expect(there).toEqual(here)
  })

  it('declines work until a thread is ready, so the caller analyses in its own thread meanwhile', () => {
    const { setup, inThread } = setUp()
    pool = new AnalysisPool(setup, inThread, { threads: 1, log: silentLogger })
    expect(pool.tryAnalyze({ stored: fixture('gmail-alternative.eml'), encryption: null, envelope })).toBeUndefined()
    pool.start()
    expect(pool.freeSlots).toBe(0)
  })

  it('says when its threads can take work: at once when loaded, never when it has none or is closed', async () => {
    const { setup, inThread } = setUp()
    pool = new AnalysisPool(setup, inThread, { threads: 1, log: silentLogger })
    expect(await pool.whenReady()).toBe(true)
    expect(pool.freeSlots).toBe(32)
    const none = new AnalysisPool(setup, inThread, { threads: 0, log: silentLogger })
    expect(await none.whenReady()).toBe(false)
    const closing = new AnalysisPool(setup, inThread, { threads: 1, log: silentLogger })
    const waiting = closing.whenReady()
    await closing.close()
    expect(await waiting).toBe(false)
  })

  it('composes automatic mail in a thread as the main thread does: a Buffer with the same message', async () => {
    const { setup, inThread } = setUp()
    pool = new AnalysisPool(setup, inThread, { threads: 1, log: silentLogger })
    expect(await pool.whenReady()).toBe(true)
    const config = loadConfig({ MAILDESK_DATA_DIR: dirs[0] as string, MAILDESK_LOG_LEVEL: 'silent' })
    const input: ComposeOutboundInput = {
      brand: config.brand,
      secretKey: config.secretKey,
      publicUrl: 'https://help.okpay.com',
      ticketId: 1042,
      kind: 'acknowledgement',
      to: { address: 'li.wei@customer.example', name: '李伟' },
      subject: '我们已收到您的邮件',
      text: '您好，\n\n我们已收到您的邮件，工单号 OKP-1042。',
      language: 'zh-CN',
      verificationCode: '7KQM-4XPT',
      now: new Date('2026-11-25T02:05:10Z'),
    }
    const there = await pool.tryCompose(input)
    const here = await composeOutboundMessage(input)
    if (!there) throw new Error('the thread took no job')
    expect(Buffer.isBuffer(there.raw)).toBe(true)
    expect(parseOwnMessageId(there.messageIdHeader, config.secretKey)).toEqual({ ticketId: 1042 })
    expect({ ...there, raw: undefined, messageIdHeader: undefined }).toEqual({ ...here, raw: undefined, messageIdHeader: undefined })
    // The same message but for its random parts (Message-ID, MIME boundaries).
    const read = async (raw: Buffer) => {
      const email = await PostalMime.parse(raw)
      return { subject: email.subject, from: email.from, to: email.to, text: email.text, html: email.html, date: email.date }
    }
    expect(await read(there.raw)).toEqual(await read(here.raw))
    expect((await read(there.raw)).text).toContain('我们已收到您的邮件，工单号 OKP-1042。')
  })

  it('hands messages back to the main thread when it is closed with work in flight', async () => {
    const { setup, inThread } = setUp()
    const handedBack: AnalysisRequest[] = []
    pool = new AnalysisPool(setup, (request) => (handedBack.push(request), inThread(request)), { threads: 1, log: silentLogger })
    expect(await pool.whenReady()).toBe(true)
    const request: AnalysisRequest = { stored: fixture('gmail-alternative.eml'), encryption: null, envelope }
    const pending = pool.tryAnalyze(request)
    await pool.close()
    const analyzed = await pending
    // Analysed here (the thread never answered), with the same result as any in-thread analysis.
    expect(handedBack).toEqual([request])
    expect(analyzed?.parsed.subject).toBe('Transferencia no recibida – pedido nº 4471')
    expect(normalize(analyzed as AnalyzedMessage)).toEqual(normalize(await inThread(request)))
    expect(pool.tryAnalyze(request)).toBeUndefined()
  })
})

function normalize(analyzed: AnalyzedMessage): unknown {
  return JSON.parse(JSON.stringify(analyzed, (_key, value: unknown) => (value instanceof Uint8Array ? Buffer.from(value).toString('base64') : value)))
}
