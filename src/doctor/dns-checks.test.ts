import { describe, expect, it } from 'vitest'
import { createZoneResolver, type DnsZone } from '../pipeline/authenticate-sender.ts'
import { checkDnsRecords } from './dns-checks.ts'

const KEY = 'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAtest'
const dkim = { name: 'maildesk._domainkey.okpay.com', value: `v=DKIM1; k=rsa; p=${KEY}` }
const good: DnsZone = {
  'okpay.com': { MX: ['10 mx.okpay.com'], TXT: ['v=spf1 mx include:relay.example -all', 'google-site-verification=abc'] },
  '_dmarc.okpay.com': { TXT: ['v=DMARC1; p=reject; rua=mailto:dmarc@okpay.com'] },
  // Long keys are published as several 255-byte strings; receivers join them.
  'maildesk._domainkey.okpay.com': { TXT: [['v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A', 'MIIBCgKCAQEAtest']] },
}

async function check(zone: DnsZone, mxHost = 'mx.okpay.com') {
  const results = await checkDnsRecords(createZoneResolver(zone), { domains: ['okpay.com'], mxHost, dkim })
  return results.map((r) => `${r.status} ${r.name}: ${r.detail}`)
}

describe('checkDnsRecords', () => {
  it('passes a domain with MX to our host, one SPF record, DMARC p=reject and our DKIM key split over two strings', async () => {
    expect(await check(good)).toEqual([
      'ok mx okpay.com: MX names mx.okpay.com',
      'ok spf okpay.com: v=spf1 mx include:relay.example -all',
      'ok dmarc okpay.com: v=DMARC1; p=reject; rua=mailto:dmarc@okpay.com',
      'ok dkim: maildesk._domainkey.okpay.com holds our public key',
    ])
  })

  it('fails every record of a domain that published nothing, and says what to publish', async () => {
    const results = await checkDnsRecords(createZoneResolver({}), { domains: ['okpay.com'], mxHost: 'mx.okpay.com', dkim })
    expect(results.map((r) => [r.status, r.name])).toEqual([
      ['fail', 'mx okpay.com'],
      ['fail', 'spf okpay.com'],
      ['fail', 'dmarc okpay.com'],
      ['fail', 'dkim'],
    ])
    expect(results[0]?.fix).toBe('publish "okpay.com. IN MX 10 mx.okpay.com." so mail for okpay.com reaches Maildesk')
    expect(results[3]?.fix).toBe(`publish maildesk._domainkey.okpay.com. IN TXT "v=DKIM1; k=rsa; p=${KEY}" (maildesk dkim prints it split for zone files)`)
  })

  it('fails a DKIM record holding another key and two SPF records; warns on DMARC p=none and an MX naming another host', async () => {
    const zone: DnsZone = {
      'okpay.com': { MX: ['10 mx.other-provider.example'], TXT: ['v=spf1 mx -all', 'v=spf1 include:other.example ~all'] },
      '_dmarc.okpay.com': { TXT: ['v=DMARC1; p=none'] },
      'maildesk._domainkey.okpay.com': { TXT: ['v=DKIM1; k=rsa; p=MIIBotherkey'] },
    }
    expect(await check(zone)).toEqual([
      'warn mx okpay.com: MX names mx.other-provider.example, not mx.okpay.com',
      'fail spf okpay.com: 2 SPF records (RFC 7208 §3.2: receivers then fail SPF)',
      'warn dmarc okpay.com: policy is p=none: forged mail in our name is still delivered',
      'fail dkim: maildesk._domainkey.okpay.com holds a different key: receivers will fail our signatures',
    ])
  })

  it('without a host to compare, any MX is a warning asking for --mx-host', async () => {
    const [mx] = await checkDnsRecords(createZoneResolver(good), { domains: ['okpay.com'], mxHost: undefined, dkim })
    expect(mx).toEqual({ name: 'mx okpay.com', status: 'warn', detail: 'MX names mx.okpay.com', fix: 'pass --mx-host NAME (the public name of our SMTP intake) to check that it is ours' })
  })
})
