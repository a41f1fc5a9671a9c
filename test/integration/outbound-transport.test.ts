import { readdirSync, readFileSync, statSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { dkimVerify } from 'mailauth'
import PostalMime from 'postal-mime'
import nodemailer from 'nodemailer'
import { SMTPServer } from 'smtp-server'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { main } from '../../src/cli/main.ts'
import { silentLogger } from '../../src/logger.ts'
import { composeOutboundMessage } from '../../src/notify/compose-outbound-message.ts'
import { dkimDnsRecord, dkimKeyPath, loadOrCreateDkimKey, type DkimKey } from '../../src/notify/dkim-key.ts'
import { createMailTransport } from '../../src/notify/mail-transport.ts'
import { createZoneResolver } from '../../src/pipeline/authenticate-sender.ts'
import { testConfig } from '../helpers/fixtures.ts'

const SECRET = 'cd'.repeat(32)

/** What nodemailer's own DKIM signer (the transports' signer before) makes of a message: the bytes to compare with. */
async function signedByNodemailer(raw: Buffer, dkim: DkimKey): Promise<Buffer> {
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, dkim })
  const info = await transport.sendMail({ envelope: { from: 'support@okpay.com', to: ['jane.doe@example.com'] }, raw })
  transport.close()
  return info.message as Buffer
}

async function composeFor(config: ReturnType<typeof testConfig>, to = 'jane.doe@example.com') {
  return composeOutboundMessage({
    brand: config.brand,
    secretKey: config.secretKey,
    publicUrl: 'https://help.okpay.com',
    ticketId: 42,
    kind: 'reply',
    to: { address: to, name: 'Jane Doe' },
    subject: 'Re: Refund',
    text: 'Hello Jane,\n\nYour refund was sent today.\n',
    language: 'en',
    inReplyTo: '<m1@mail.example.com>',
    verificationCode: '7KQM-4XPT',
    now: new Date('2026-11-25T02:05:10Z'),
  })
}

describe('DKIM key', () => {
  it('is generated once (RSA 2048, mode 0600) and kept across starts', () => {
    const config = testConfig({ MAILDESK_SECRET_KEY: SECRET })
    const first = loadOrCreateDkimKey(config.dataDir, 'maildesk', 'okpay.com')
    const file = dkimKeyPath(config.dataDir, 'maildesk')
    expect(file).toBe(path.join(config.dataDir, 'dkim', 'maildesk.private.pem'))
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(first.privateKey).toContain('-----BEGIN PRIVATE KEY-----')
    expect(loadOrCreateDkimKey(config.dataDir, 'maildesk', 'okpay.com').privateKey).toBe(first.privateKey)
    const record = dkimDnsRecord(first)
    expect(record.name).toBe('maildesk._domainkey.okpay.com')
    // RSA 2048 SubjectPublicKeyInfo: 294 bytes, 392 base64 characters.
    expect(record.value).toMatch(/^v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA[A-Za-z0-9+/]{348}$/)
  })

  it('`maildesk dkim` prints the TXT record to publish', async () => {
    const config = testConfig({ MAILDESK_SECRET_KEY: SECRET })
    const out: string[] = []
    const io = { out: (l: string) => out.push(l), err: (l: string) => out.push(`ERR ${l}`) }
    expect(await main(['dkim', '--data-dir', config.dataDir, '--json'], { MAILDESK_SECRET_KEY: SECRET }, io)).toBe(0)
    const printed = JSON.parse(out[0] ?? '{}') as { type: string; name: string; value: string }
    expect(printed).toEqual({ type: 'TXT', ...dkimDnsRecord(loadOrCreateDkimKey(config.dataDir, 'maildesk', 'okpay.com')) })
    out.length = 0
    expect(await main(['dkim', '--data-dir', config.dataDir], { MAILDESK_SECRET_KEY: SECRET }, io)).toBe(0)
    expect(out).toContain(`name:  maildesk._domainkey.okpay.com`)
    expect(out.at(-1)).toMatch(/^maildesk\._domainkey\.okpay\.com\. 3600 IN TXT \( "v=DKIM1; k=rsa; p=[^"]{237}" "[^"]{155}" \)$/)
  })
})

describe('outbox transport (no relay configured)', () => {
  it('writes a DKIM-signed .eml that mailauth verifies against the published record', async () => {
    const config = testConfig({ MAILDESK_SECRET_KEY: SECRET })
    const transport = createMailTransport(config, silentLogger)
    expect(transport.kind).toBe('outbox')
    const composed = await composeFor(config)
    const { transportId } = await transport.send({ messageIdHeader: composed.messageIdHeader, envelope: composed.envelope, raw: composed.raw })
    transport.close()

    const outbox = path.join(config.dataDir, 'outbox')
    expect(readdirSync(outbox)).toEqual([transportId])
    expect(transportId).toMatch(/^\d{8}T\d{9}Z-42\.[0-9a-f]{16}\.[0-9a-f]{24}\.eml$/)
    const signed = readFileSync(path.join(outbox, transportId))
    expect(signed.toString('latin1')).toMatch(/^DKIM-Signature: v=1; a=rsa-sha256; c=relaxed\/relaxed; d=okpay\.com;/)
    expect(signed.equals(await signedByNodemailer(composed.raw, loadOrCreateDkimKey(config.dataDir, 'maildesk', 'okpay.com')))).toBe(true)

    const record = dkimDnsRecord(loadOrCreateDkimKey(config.dataDir, 'maildesk', 'okpay.com'))
    const resolver = createZoneResolver({ [record.name]: { TXT: [record.value] } })
    const result = await dkimVerify(signed, { resolver })
    expect(result.results.map((r) => ({ domain: r.signingDomain, selector: r.selector, result: r.status.result }))).toEqual([
      { domain: 'okpay.com', selector: 'maildesk', result: 'pass' },
    ])
  })

  it('writes several messages at once, each signed and in its own file, and names each file', async () => {
    const config = testConfig({ MAILDESK_SECRET_KEY: SECRET })
    const transport = createMailTransport(config, silentLogger)
    const composed = await Promise.all(['a@example.com', 'b@example.com', 'c@example.com'].map((to) => composeFor(config, to)))
    const outcomes = await transport.sendMany(composed.map((c) => ({ messageIdHeader: c.messageIdHeader, envelope: c.envelope, raw: c.raw })))
    transport.close()
    const names = outcomes.map((o) => (o.status === 'fulfilled' ? o.value.transportId : `failed: ${String(o.reason)}`))
    expect(readdirSync(path.join(config.dataDir, 'outbox')).sort()).toEqual([...names].sort())
    const key = loadOrCreateDkimKey(config.dataDir, 'maildesk', 'okpay.com')
    const record = dkimDnsRecord(key)
    for (const [i, name] of names.entries()) {
      expect(name).toMatch(/^\d{8}T\d{9}Z-42\.[0-9a-f]{16}\.[0-9a-f]{24}\.eml$/)
      const signed = readFileSync(path.join(config.dataDir, 'outbox', name))
      expect((await PostalMime.parse(signed)).messageId).toBe(composed[i]?.messageIdHeader)
      expect(signed.equals(await signedByNodemailer(composed[i]?.raw ?? Buffer.alloc(0), key))).toBe(true)
      const verified = await dkimVerify(signed, { resolver: createZoneResolver({ [record.name]: { TXT: [record.value] } }) })
      expect(verified.results[0]?.status.result).toBe('pass')
    }
  })

  it('does not pass DKIM when the body was altered after signing', async () => {
    const config = testConfig({ MAILDESK_SECRET_KEY: SECRET })
    const transport = createMailTransport(config, silentLogger)
    const composed = await composeFor(config)
    const { transportId } = await transport.send({ messageIdHeader: composed.messageIdHeader, envelope: composed.envelope, raw: composed.raw })
    const signed = readFileSync(path.join(config.dataDir, 'outbox', transportId), 'latin1').replace('refund was sent', 'refund was held')
    const record = dkimDnsRecord(loadOrCreateDkimKey(config.dataDir, 'maildesk', 'okpay.com'))
    const result = await dkimVerify(Buffer.from(signed, 'latin1'), { resolver: createZoneResolver({ [record.name]: { TXT: [record.value] } }) })
    // mailauth reports a body-hash mismatch as "neutral" with this comment; either way it is not a pass.
    expect(result.results[0]?.status).toMatchObject({ result: 'neutral', comment: 'body hash did not verify' })
  })
})

describe('SMTP relay transport', () => {
  interface Received {
    mailFrom: string
    rcptTo: string[]
    user: string | undefined
    raw: Buffer
  }
  let server: SMTPServer
  let port: number
  let received: Received[]
  let rejectNext: boolean

  beforeEach(async () => {
    received = []
    rejectNext = false
    server = new SMTPServer({
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      authMethods: ['PLAIN', 'LOGIN'],
      logger: false,
      onAuth(auth, _session, callback) {
        if (auth.username === 'relay-user' && auth.password === 's3cret/pass') callback(null, { user: auth.username })
        else callback(new Error('invalid credentials'))
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = []
        stream.on('data', (c: Buffer) => chunks.push(c))
        stream.on('end', () => {
          if (rejectNext || session.envelope.rcptTo.some((r) => r.address === 'busy@example.com')) {
            rejectNext = false
            const err = Object.assign(new Error('mailbox busy, try later'), { responseCode: 451 })
            return callback(err)
          }
          received.push({
            mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            rcptTo: session.envelope.rcptTo.map((r) => r.address),
            user: typeof session.user === 'string' ? session.user : undefined,
            raw: Buffer.concat(chunks),
          })
          callback(null, 'Ok: queued as 7F3A2')
        })
      },
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    port = (server.server.address() as AddressInfo).port
  })

  afterEach(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()))
  })

  it('delivers signed mail to the relay with the URL credentials, envelope, headers and body', async () => {
    const config = testConfig({ MAILDESK_SECRET_KEY: SECRET, MAILDESK_SMTP_RELAY_URL: `smtp://relay-user:${encodeURIComponent('s3cret/pass')}@127.0.0.1:${port}` })
    const transport = createMailTransport(config, silentLogger)
    expect(transport.kind).toBe('smtp')
    const composed = await composeFor(config)
    const { transportId } = await transport.send({ messageIdHeader: composed.messageIdHeader, envelope: composed.envelope, raw: composed.raw })
    transport.close()

    expect(transportId).toBe('250 Ok: queued as 7F3A2')
    expect(received).toHaveLength(1)
    const got = received[0]
    expect(got?.user).toBe('relay-user')
    expect(got?.mailFrom).toBe('support@okpay.com')
    expect(got?.rcptTo).toEqual(['jane.doe@example.com'])
    const email = await PostalMime.parse(got?.raw ?? Buffer.alloc(0))
    const header = (key: string) => email.headers.find((h) => h.key === key)?.value
    expect(header('dkim-signature')).toMatch(/^v=1; a=rsa-sha256; c=relaxed\/relaxed; d=okpay\.com;[\s\S]* s=maildesk;/)
    expect(email.messageId).toBe(composed.messageIdHeader)
    expect(email.inReplyTo).toBe('<m1@mail.example.com>')
    expect(email.subject).toBe('Re: Refund [OKP-1042]')
    expect(email.text).toContain('Your refund was sent today.')
    expect(email.text).toContain('Verify this email at https://help.okpay.com/verify?code=7KQM-4XPT')

    const key = loadOrCreateDkimKey(config.dataDir, 'maildesk', 'okpay.com')
    const record = dkimDnsRecord(key)
    const verified = await dkimVerify(got?.raw ?? Buffer.alloc(0), { resolver: createZoneResolver({ [record.name]: { TXT: [record.value] } }) })
    expect(verified.results[0]?.status.result).toBe('pass')
    // The relay gets the bytes it got when nodemailer signed inside its SMTP transport.
    const before = nodemailer.createTransport({ url: `smtp://relay-user:${encodeURIComponent('s3cret/pass')}@127.0.0.1:${port}`, dkim: key })
    await before.sendMail({ envelope: composed.envelope, raw: composed.raw })
    before.close()
    expect(received).toHaveLength(2)
    expect(received[1]?.raw.toString('latin1')).toBe(got?.raw.toString('latin1'))
  })

  it('relays several messages at once, one outcome each: a refused one fails alone', async () => {
    const config = testConfig({ MAILDESK_SECRET_KEY: SECRET, MAILDESK_SMTP_RELAY_URL: `smtp://relay-user:${encodeURIComponent('s3cret/pass')}@127.0.0.1:${port}` })
    const transport = createMailTransport(config, silentLogger)
    const composed = await Promise.all(['a@example.com', 'busy@example.com', 'c@example.com'].map((to) => composeFor(config, to)))
    const outcomes = await transport.sendMany(composed.map((c) => ({ messageIdHeader: c.messageIdHeader, envelope: c.envelope, raw: c.raw })))
    transport.close()
    expect(outcomes.map((o) => (o.status === 'fulfilled' ? o.value.transportId : String(o.reason)))).toEqual([
      '250 Ok: queued as 7F3A2',
      expect.stringMatching(/451/),
      '250 Ok: queued as 7F3A2',
    ])
    expect(received.map((r) => r.rcptTo).sort()).toEqual([['a@example.com'], ['c@example.com']])
  })

  it('rejects when the relay refuses, so the caller can record and retry', async () => {
    const config = testConfig({ MAILDESK_SECRET_KEY: SECRET, MAILDESK_SMTP_RELAY_URL: `smtp://relay-user:${encodeURIComponent('s3cret/pass')}@127.0.0.1:${port}` })
    const transport = createMailTransport(config, silentLogger)
    const composed = await composeFor(config)
    rejectNext = true
    await expect(transport.send({ messageIdHeader: composed.messageIdHeader, envelope: composed.envelope, raw: composed.raw })).rejects.toThrow(/451/)
    transport.close()
    expect(received).toHaveLength(0)
  })
})
