import { generateKeyPairSync } from 'node:crypto'
import { createSocket } from 'node:dgram'
import { dkimSign } from 'mailauth'
import { beforeAll, describe, expect, it } from 'vitest'
import { loadOkpayZone, signAsOkpay } from '../../test/fixtures/dns/okpay-zone.ts'
import { loadConfig } from '../config.ts'
import {
  authenticateSender,
  createSystemResolver,
  createZoneResolver,
  DNS_QUERY_TRIES,
  isForgedSender,
  KEY_LOOKUP_LIMIT_CODE,
  MAX_KEY_LOOKUPS_PER_MESSAGE,
  withCrlfLineEnds,
  type DnsZone,
} from './authenticate-sender.ts'

const brand = loadConfig({}).brand
const MESSAGE = [
  'From: OKPay <noreply@okpay.com>',
  'To: customer@example.net',
  'Subject: Your ticket OKP-1042',
  'Date: Fri, 20 Nov 2026 08:00:00 +0000',
  'Message-ID: <ack-1042@okpay.com>',
  'MIME-Version: 1.0',
  'Content-Type: text/plain; charset=utf-8',
  '',
  'We received your message. Your ticket number is OKP-1042.',
  '',
].join('\r\n')

describe('authenticateSender', () => {
  let zone: DnsZone
  let privateKey: string
  beforeAll(() => {
    // A key made for this test run, published under its own selector next to the fixture zone.
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 })
    privateKey = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
    const pub = pair.publicKey.export({ type: 'spki', format: 'der' }).toString('base64')
    zone = { ...loadOkpayZone(), 'run._domainkey.okpay.com': { TXT: [[`v=DKIM1; k=rsa; p=${pub.slice(0, 250)}`, pub.slice(250)]] } }
  })

  it('passes SPF, aligned DKIM and DMARC for a message we signed, sent from our network', async () => {
    const signed = await signAsOkpay(MESSAGE, { privateKey, selector: 'run' })
    const result = await authenticateSender(signed, {
      ip: '203.0.113.10', helo: 'mx.okpay.com', mailFrom: 'noreply@okpay.com', mta: 'mx.test', resolver: createZoneResolver(zone), brand,
    })
    expect(result.spf).toEqual({ result: 'pass', domain: 'okpay.com' })
    expect(result.dkim).toEqual([{ signingDomain: 'okpay.com', selector: 'run', result: 'pass', aligned: true, comment: undefined }])
    expect(result.dmarc).toMatchObject({ result: 'pass', policy: 'reject', domain: 'okpay.com' })
    expect(result.headerFromDomain).toBe('okpay.com')
    expect(result.spoofed).toBe(false)
    expect(result.dnsTemporaryFailure).toBe(false)
    expect(JSON.parse(JSON.stringify(result))).toEqual(result)
  })

  it('fails DKIM when the body was changed after signing, and marks the official From spoofed', async () => {
    const signed = (await signAsOkpay(MESSAGE, { privateKey, selector: 'run' })).toString().replace('OKP-1042.', 'OKP-9999. Reply with your password.')
    const result = await authenticateSender(Buffer.from(signed), {
      ip: '198.51.100.7', helo: 'evil.example', mailFrom: 'noreply@okpay.com', mta: 'mx.test', resolver: createZoneResolver(zone), brand,
    })
    expect(result.dkim[0]).toMatchObject({ signingDomain: 'okpay.com', result: 'neutral' })
    expect(result.dkim[0]?.comment).toMatch(/body hash/)
    expect(result.spf.result).toBe('fail')
    expect(result.dmarc.result).toBe('fail')
    expect(result.spoofed).toBe(true)
  })

  it('marks an unsigned message with an official From as spoofed', async () => {
    const result = await authenticateSender(Buffer.from(MESSAGE), {
      ip: '198.51.100.7', helo: 'evil.example', mailFrom: 'bounce@okpay-support.com', mta: 'mx.test', resolver: createZoneResolver(zone), brand,
    })
    expect(result.dkim).toEqual([])
    expect(result.spf).toEqual({ result: 'pass', domain: 'okpay-support.com' })
    expect(result.dmarc.result).toBe('fail')
    expect(result.spoofed).toBe(true)
  })

  it('looks up at most MAX_KEY_LOOKUPS_PER_MESSAGE DKIM keys, however many signatures a stranger sends', async () => {
    const signed = (await signAsOkpay(MESSAGE, { privateKey, selector: 'run' })).toString()
    const signature = /^DKIM-Signature:[^]*?\r\n(?=\S)/.exec(signed)?.[0] ?? ''
    expect(signature).toMatch(/d=okpay\.com/)
    // Each copy names another domain and carries the right body hash, so mailauth would look up every one.
    const forged = Array.from({ length: 100 }, (_, i) => signature.replace('d=okpay.com', `d=s${i}.evil.example`)).join('')
    const resolver = createZoneResolver(zone)
    const result = await authenticateSender(Buffer.from(forged + signed), { ip: '198.51.100.7', mailFrom: 'x@evil.example', mta: 'mx.test', resolver, brand })
    expect(resolver.queries.filter((q) => q.includes('._domainkey.'))).toHaveLength(MAX_KEY_LOOKUPS_PER_MESSAGE)
    expect(result.dkim).toHaveLength(101)
    expect(result.dkim.slice(0, MAX_KEY_LOOKUPS_PER_MESSAGE).map((d) => d.comment)).toEqual(Array(MAX_KEY_LOOKUPS_PER_MESSAGE).fill('no key'))
    expect(result.dkim[MAX_KEY_LOOKUPS_PER_MESSAGE]).toMatchObject({ signingDomain: `s${MAX_KEY_LOOKUPS_PER_MESSAGE}.evil.example`, result: 'temperror' })
    expect(result.dkim[MAX_KEY_LOOKUPS_PER_MESSAGE]?.comment).toContain(KEY_LOOKUP_LIMIT_CODE)
    expect(result.spoofed).toBe(true)
  })

  // Files and the benchmark corpora end lines with LF; mailauth reads them as CRLF, and so does authenticateSender.
  it.each(['relaxed/relaxed', 'simple/simple', 'relaxed/simple'])('judges a %s-signed message the same with LF line ends as with CRLF', async (canonicalization) => {
    const key = { signingDomain: 'okpay.com', selector: 'run', privateKey }
    const body = `${MESSAGE}Line with  two spaces and a tab\t\r\n\r\n\r\n`
    const signed = await dkimSign(Buffer.from(body), { ...key, canonicalization, signatureData: [key] })
    const crlf = Buffer.concat([Buffer.from(signed.signatures), Buffer.from(body)])
    const lf = Buffer.from(crlf.toString('latin1').replace(/\r\n/g, '\n'), 'latin1')
    const opts = { ip: '203.0.113.10', mailFrom: 'noreply@okpay.com', mta: 'mx.test', brand }
    const fromCrlf = await authenticateSender(crlf, { ...opts, resolver: createZoneResolver(zone) })
    const fromLf = await authenticateSender(lf, { ...opts, resolver: createZoneResolver(zone) })
    expect(fromCrlf.dkim).toEqual([{ signingDomain: 'okpay.com', selector: 'run', result: 'pass', aligned: true, comment: undefined }])
    expect(fromLf).toEqual(fromCrlf)
    // A changed body fails the same way in both forms.
    const tamperedLf = Buffer.from(lf.toString('latin1').replace('OKP-1042.', 'OKP-9999.'), 'latin1')
    const tamperedCrlf = withCrlfLineEnds(tamperedLf)
    const fromTamperedLf = await authenticateSender(tamperedLf, { ...opts, resolver: createZoneResolver(zone) })
    expect(fromTamperedLf.dkim[0]).toMatchObject({ result: 'neutral', comment: 'body hash did not verify' })
    expect(fromTamperedLf).toEqual(await authenticateSender(tamperedCrlf, { ...opts, resolver: createZoneResolver(zone) }))
  })

  it('does not call unrelated unsigned mail spoofed', async () => {
    const raw = MESSAGE.replace('OKPay <noreply@okpay.com>', 'Li Lei <lilei@example.net>')
    const result = await authenticateSender(Buffer.from(raw), { ip: '192.0.2.5', mta: 'mx.test', resolver: createZoneResolver(zone), brand, mailFrom: 'lilei@example.net' })
    expect(result.spf.result).toBe('pass')
    expect(result.dmarc.result).toBe('pass') // SPF-aligned: example.net's own server sent it
    expect(result.spoofed).toBe(false)
  })
})

describe('isForgedSender', () => {
  const unsignedFrom = (domain: string) =>
    Buffer.from(`From: Li Wei <li.wei@${domain}>\r\nTo: support@okpay.com\r\nSubject: Payout\r\nMessage-ID: <p1@${domain}>\r\n\r\nChange my payout account.\r\n`)
  const zone: DnsZone = {
    'reject.example': { TXT: ['v=spf1 ip4:192.0.2.10 -all'] },
    '_dmarc.reject.example': { TXT: ['v=DMARC1; p=reject'] },
    'quarantine.example': { TXT: ['v=spf1 ip4:192.0.2.10 -all'] },
    '_dmarc.quarantine.example': { TXT: ['v=DMARC1; p=quarantine'] },
    'none.example': { TXT: ['v=spf1 ip4:192.0.2.10 -all'] },
    '_dmarc.none.example': { TXT: ['v=DMARC1; p=none'] },
  }
  const judge = async (domain: string, ip: string) =>
    isForgedSender(await authenticateSender(unsignedFrom(domain), { ip, mailFrom: `li.wei@${domain}`, mta: 'mx.test', resolver: createZoneResolver(zone) }))

  it('is true when DMARC fails for a domain that publishes p=reject or p=quarantine', async () => {
    expect(await judge('reject.example', '203.0.113.66')).toBe(true)
    expect(await judge('quarantine.example', '203.0.113.66')).toBe(true)
  })

  it('is false when DMARC passes, when the domain publishes p=none, and when it publishes no DMARC at all', async () => {
    expect(await judge('reject.example', '192.0.2.10')).toBe(false)
    expect(await judge('none.example', '203.0.113.66')).toBe(false)
    expect(await judge('no-dmarc.example', '203.0.113.66')).toBe(false)
  })
})

describe('withCrlfLineEnds', () => {
  it('writes each line feed without a carriage return before it as CRLF, and leaves everything else', () => {
    expect(withCrlfLineEnds(Buffer.from('\na\nb\r\nc\n\n\rd\r')).toString('latin1')).toBe('\r\na\r\nb\r\nc\r\n\r\n\rd\r')
    expect(withCrlfLineEnds(Buffer.from('no line end')).toString('latin1')).toBe('no line end')
    expect(withCrlfLineEnds(Buffer.alloc(0)).length).toBe(0)
  })

  it('returns a message that is already CRLF as it is, without a copy', () => {
    const crlf = Buffer.from('Subject: x\r\n\r\nbody\r\n')
    expect(withCrlfLineEnds(crlf)).toBe(crlf)
  })
})

describe('createZoneResolver', () => {
  const resolver = createZoneResolver({ 'a.example': { TXT: ['v=spf1 -all'] }, 'x._domainkey.b.example': { TXT: [['p=AB', 'CD']] } })
  it('answers TXT records as chunk arrays like node:dns', async () => {
    expect(await resolver('a.example', 'TXT')).toEqual([['v=spf1 -all']])
    expect(await resolver('X._domainkey.b.example.', 'TXT')).toEqual([['p=AB', 'CD']])
  })
  it('rejects a missing name with ENOTFOUND and a missing type with ENODATA', async () => {
    await expect(resolver('nope.example', 'TXT')).rejects.toMatchObject({ code: 'ENOTFOUND' })
    await expect(resolver('a.example', 'MX')).rejects.toMatchObject({ code: 'ENODATA' })
    await expect(resolver('_domainkey.b.example', 'TXT')).rejects.toMatchObject({ code: 'ENODATA' })
  })
})

describe('createSystemResolver', () => {
  it('gives up on a DNS server that never answers after DNS_QUERY_TRIES tries, not node:dns default four', async () => {
    // A UDP "server" that counts queries and answers none (a sender's black-holed name server).
    const socket = createSocket('udp4')
    let queries = 0
    socket.on('message', () => queries++)
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve))
    try {
      const resolver = createSystemResolver({ servers: [`127.0.0.1:${socket.address().port}`], timeoutMs: 100 })
      await expect(resolver('selector._domainkey.blackhole.example', 'TXT')).rejects.toMatchObject({ code: 'ETIMEOUT' })
      expect(queries).toBe(DNS_QUERY_TRIES)
    } finally {
      socket.close()
    }
  })
})
