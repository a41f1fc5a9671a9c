import type { DnsResolver } from '../pipeline/authenticate-sender.ts'
import type { CheckResult } from './check-result.ts'

export interface DnsCheckInput {
  /** The brand's official domains: each must route mail to us and authenticate ours. */
  domains: readonly string[]
  /** The host the MX records should name (our SMTP intake, or the MX in front of it); unknown: any MX will do. */
  mxHost: string | undefined
  /** Our DKIM record (dkimDnsRecord): its name and the value receivers must find. */
  dkim: { name: string; value: string }
}

/**
 * The DNS records operators must publish, checked through the resolver given (tests pass an offline zone):
 * MX of each official domain naming our host, SPF, the DKIM selector TXT holding our public key, DMARC.
 */
export async function checkDnsRecords(resolver: DnsResolver, input: DnsCheckInput): Promise<CheckResult[]> {
  const results: CheckResult[] = []
  const mxHost = input.mxHost ? normalizeHost(input.mxHost) : undefined
  const mxName = mxHost ?? 'mx.<your domain>'
  for (const domain of input.domains) {
    const mx = await lookup(resolver, domain, 'MX')
    if (mx.error) {
      results.push(fail(`mx ${domain}`, `no MX record (${mx.error})`, `publish "${domain}. IN MX 10 ${mxName}." so mail for ${domain} reaches Maildesk`))
    } else {
      const hosts = mx.records.map(mxExchange).filter((h): h is string => h !== undefined)
      results.push(
        !mxHost
          ? warn(`mx ${domain}`, `MX names ${hosts.join(', ')}`, 'pass --mx-host NAME (the public name of our SMTP intake) to check that it is ours')
          : hosts.includes(mxHost)
          ? ok(`mx ${domain}`, `MX names ${mxHost}`)
          : warn(`mx ${domain}`, `MX names ${hosts.join(', ') || 'nothing usable'}, not ${mxHost}`, `point the MX at ${mxHost}, or make sure the MX named relays ${domain} to it (doctor --mx-host NAME checks another name)`),
      )
    }

    const txt = await lookup(resolver, domain, 'TXT')
    const spf = txtValues(txt.records).filter((v) => /^v=spf1(\s|$)/i.test(v))
    if (spf.length === 1) results.push(ok(`spf ${domain}`, spf[0] ?? ''))
    else if (spf.length > 1) results.push(fail(`spf ${domain}`, `${spf.length} SPF records (RFC 7208 §3.2: receivers then fail SPF)`, 'merge them into one "v=spf1 … -all" TXT record'))
    else results.push(fail(`spf ${domain}`, 'no SPF record', `publish "${domain}. IN TXT \\"v=spf1 mx -all\\"" (add include: or ip4: for the relay that sends our mail)`))

    const dmarc = txtValues((await lookup(resolver, `_dmarc.${domain}`, 'TXT')).records).find((v) => /^v=DMARC1(;|\s|$)/i.test(v))
    if (!dmarc) {
      results.push(fail(`dmarc ${domain}`, 'no DMARC record', `publish "_dmarc.${domain}. IN TXT \\"v=DMARC1; p=reject; rua=mailto:dmarc@${domain}\\"" so forged mail in our name is refused`))
    } else {
      const policy = /(?:^|;)\s*p=\s*(\w+)/i.exec(dmarc)?.[1]?.toLowerCase()
      results.push(
        policy === 'reject' || policy === 'quarantine'
          ? ok(`dmarc ${domain}`, dmarc)
          : warn(`dmarc ${domain}`, `policy is p=${policy ?? '(missing)'}: forged mail in our name is still delivered`, 'raise it to p=quarantine, then p=reject, once reports show our own mail passes'),
      )
    }
  }

  const published = txtValues((await lookup(resolver, input.dkim.name, 'TXT')).records).map((v) => v.replace(/\s+/g, ''))
  const ours = publicKeyOf(input.dkim.value)
  const zoneLine = `${input.dkim.name}. IN TXT "${input.dkim.value}" (maildesk dkim prints it split for zone files)`
  if (published.length === 0) results.push(fail('dkim', `no TXT record at ${input.dkim.name}`, `publish ${zoneLine}`))
  else if (published.some((v) => publicKeyOf(v) === ours)) results.push(ok('dkim', `${input.dkim.name} holds our public key`))
  else results.push(fail('dkim', `${input.dkim.name} holds a different key: receivers will fail our signatures`, `replace it with ${zoneLine}`))
  return results
}

async function lookup(resolver: DnsResolver, name: string, rrtype: string): Promise<{ records: unknown[]; error?: string }> {
  try {
    return { records: await resolver(name, rrtype) }
  } catch (err) {
    const code = (err as { code?: unknown }).code
    return { records: [], error: typeof code === 'string' ? code : 'lookup failed' }
  }
}

/** node:dns gives MX as { exchange, priority }; the offline zone gives "10 mx.example" or "mx.example". */
function mxExchange(record: unknown): string | undefined {
  if (typeof record === 'string') return normalizeHost(record.trim().split(/\s+/).pop() ?? '')
  if (typeof record === 'object' && record !== null && 'exchange' in record && typeof record.exchange === 'string') return normalizeHost(record.exchange)
  return undefined
}

/** TXT records come as chunk arrays (node:dns); a record's chunks join without separators (RFC 7208 §3.3). */
function txtValues(records: unknown[]): string[] {
  return records.map((r) => (Array.isArray(r) ? r.map(String).join('') : String(r)))
}

function publicKeyOf(value: string): string | undefined {
  return /(?:^|;)\s*p=([^;]*)/.exec(value.replace(/\s+/g, ''))?.[1]
}

function normalizeHost(host: string): string {
  return host.toLowerCase().replace(/\.$/, '')
}

const ok = (name: string, detail: string): CheckResult => ({ name, status: 'ok', detail })
const warn = (name: string, detail: string, fix: string): CheckResult => ({ name, status: 'warn', detail, fix })
const fail = (name: string, detail: string, fix: string): CheckResult => ({ name, status: 'fail', detail, fix })
