import { generateKeyPairSync } from 'node:crypto'
import { dkimVerify } from 'mailauth'
import nodemailer from 'nodemailer'
import { describe, expect, it } from 'vitest'
import { testConfig } from '../../test/helpers/fixtures.ts'
import { createZoneResolver } from '../pipeline/authenticate-sender.ts'
import { composeOutboundMessage } from './compose-outbound-message.ts'
import { dkimDnsRecord, type DkimKey } from './dkim-key.ts'
import { createDkimSigner } from './dkim-signer.ts'

const key: DkimKey = {
  domainName: 'okpay.com',
  keySelector: 'maildesk',
  privateKey: generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } })
    .privateKey,
}

/** What the transports produced before: nodemailer's own DKIM signer, through its stream transport. */
async function signedByNodemailer(raw: Buffer, dkim: DkimKey = key): Promise<Buffer> {
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, dkim })
  const info = await transport.sendMail({ envelope: { from: 'support@okpay.com', to: ['jane.doe@example.com'] }, raw })
  transport.close()
  return info.message as Buffer
}

async function verify(signed: Buffer): Promise<string | undefined> {
  const record = dkimDnsRecord(key)
  const result = await dkimVerify(signed, { resolver: createZoneResolver({ [record.name]: { TXT: [record.value] } }) })
  return result.results[0]?.status.result
}

const config = testConfig({ MAILDESK_SECRET_KEY: 'ab'.repeat(32) })

function compose(overrides: Partial<Parameters<typeof composeOutboundMessage>[0]> = {}) {
  return composeOutboundMessage({
    brand: config.brand,
    secretKey: config.secretKey,
    publicUrl: 'https://help.okpay.com',
    ticketId: 1042,
    kind: 'acknowledgement',
    to: { address: 'jane.doe@example.com', name: 'Jane Doe' },
    subject: 'We have received your message',
    text: 'Hello,\n\nWe have your message.\n',
    language: 'en',
    verificationCode: '7KQM-4XPT',
    now: new Date('2026-11-25T02:05:10Z'),
    ...overrides,
  })
}

const crlf = (lines: string[]) => Buffer.from(lines.join('\r\n'), 'latin1')

// Messages a canonicalizer can get wrong: each is signed by both signers and must come out byte for byte the same.
const EDGE_CASES: Record<string, Buffer> = {
  'LF-only line endings': Buffer.from('From: a@okpay.com\nTo: b@example.com\nSubject: hi\n\nline one\nline two\n'),
  'trailing spaces and tabs, runs of whitespace inside lines': crlf(['From: a@okpay.com', 'Subject:  spaced \t out ', '', 'a  b\t\tc  ', ' \t', 'end\t', '']),
  'empty lines at the end are ignored, inner ones kept': crlf(['From: a@okpay.com', '', 'one', '', '', 'two', '', '', '', '']),
  'no line break at the end of the body': Buffer.from('From: a@okpay.com\r\nSubject: x\r\n\r\nno newline at the end'),
  'a CR that is not part of a line break, also before spaces and at the very end': Buffer.from('From: a@okpay.com\r\n\r\na\rb\r\nc\r \r\nd \re\r'),
  'an empty body': Buffer.from('From: a@okpay.com\r\nSubject: empty\r\n\r\n'),
  'headers only, no empty line': Buffer.from('From: a@okpay.com\r\nSubject: only headers\r\n'),
  'folded headers, a repeated field (the last one is signed), odd spacing around names': crlf([
    'From: "Support"',
    '\t<support@okpay.com>',
    'Subject: first',
    'Subject : second one',
    '  X-Weird: leading space line',
    'To:b@example.com,',
    '  c@example.com',
    'Received: from somewhere',
    '',
    'body',
    '',
  ]),
  'header bytes above ASCII and a NBSP before a field name': Buffer.concat([Buffer.from('From: a@okpay.com\r\n\xa0Subject: caf\xe9\r\nTo: b@example.com\r\n\r\n', 'latin1'), Buffer.from('über\r\n')]),
  'a long body line and no signed field but From': Buffer.from(`From: a@okpay.com\r\n\r\n${'x'.repeat(5000)} ${'y '.repeat(300)}\r\n`),
}

describe('createDkimSigner', () => {
  it('signs a composed acknowledgement exactly as nodemailer did, and mailauth verifies it', async () => {
    const composed = await compose({ antiPhishingCode: 'BlueFox-7', inReplyTo: '<m1@mail.example.com>', references: ['<m0@mail.example.com>'] })
    const signed = await createDkimSigner(key).sign(composed.raw)
    expect(signed.equals(await signedByNodemailer(composed.raw))).toBe(true)
    // The composed bytes follow the signature unchanged (they already end with CRLF).
    expect(signed.subarray(signed.length - composed.raw.length).equals(composed.raw)).toBe(true)
    expect(signed.toString('latin1')).toMatch(
      /^DKIM-Signature: v=1; a=rsa-sha256; c=relaxed\/relaxed; d=okpay\.com;\r\n q=dns\/txt; s=maildesk; bh=[A-Za-z0-9+/]{43}=;\r\n h=from:subject:date:message-id:to:mime-version:content-type:in-reply-to:references;\r\n b=[A-Za-z0-9+/]{73}\r\n [A-Za-z0-9+/]{75}\r\n/,
    )
    expect(await verify(signed)).toBe('pass')
  })

  it('signs a Chinese reply with a long References list exactly as nodemailer did', async () => {
    const references = Array.from({ length: 25 }, (_, i) => `<thread-${i}.${'a'.repeat(30)}@mail.example.cn>`)
    const composed = await compose({
      kind: 'reply',
      language: 'zh-CN',
      to: { address: 'li.wei@example.cn', name: '李伟' },
      subject: 'Re: 退款没有到账，已经等了一个星期',
      text: '您好：\n\n您的退款已于今天发出。\t请留意  银行通知。  \n\n\n',
      html: '<p>您好：</p><p>您的退款已于今天发出。</p>',
      inReplyTo: references.at(-1),
      references,
      antiPhishingCode: '蓝色狐狸 7',
    })
    const signed = await createDkimSigner(key).sign(composed.raw)
    expect(signed.equals(await signedByNodemailer(composed.raw))).toBe(true)
    expect(await verify(signed)).toBe('pass')
  })

  for (const [name, raw] of Object.entries(EDGE_CASES)) {
    it(`signs as nodemailer does: ${name}`, async () => {
      const signed = await createDkimSigner(key).sign(raw)
      expect(signed.toString('latin1')).toBe((await signedByNodemailer(raw)).toString('latin1'))
    })
  }

  for (const modulusLength of [1024, 3072]) {
    it(`folds the signature of a ${modulusLength}-bit key as nodemailer does`, async () => {
      const other: DkimKey = { ...key, privateKey: generateKeyPairSync('rsa', { modulusLength, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } }).privateKey }
      const composed = await compose()
      const signed = await createDkimSigner(other).sign(composed.raw)
      expect(signed.toString('latin1')).toBe((await signedByNodemailer(composed.raw, other)).toString('latin1'))
    })
  }

  it('sends a message unsigned, as nodemailer does, when the key cannot sign, and reports it', async () => {
    const broken = { ...key, privateKey: '-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n' }
    const errors: string[] = []
    const raw = EDGE_CASES['LF-only line endings'] ?? Buffer.alloc(0)
    const signed = await createDkimSigner(broken, (err) => errors.push(err.name)).sign(raw)
    expect(signed.toString('latin1')).toBe(raw.toString('latin1'))
    expect(signed.toString('latin1')).toBe((await signedByNodemailer(raw, broken)).toString('latin1'))
    expect(errors).toHaveLength(1)
  })
})
