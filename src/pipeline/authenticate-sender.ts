import { promises as dns } from 'node:dns'
import type { Readable } from 'node:stream'
import { authenticate, type AuthenticateResult } from 'mailauth'
import type { Brand } from '../brand.ts'
import { isOfficialDomain } from '../brand.ts'
import { installDkimHeaderScan } from './dkim-header-scan.ts'
import { cachingResolver } from './dns-cache.ts'

installDkimHeaderScan()

/** The DNS lookup mailauth calls: records of one type for one name, rejecting as node:dns does. */
export type DnsResolver = (name: string, rrtype: string) => Promise<string[][] | string[]>

export type AuthVerdict = 'pass' | 'fail' | 'neutral' | 'none' | 'temperror' | 'permerror' | 'policy' | 'softfail' | 'skipped'

export interface DkimSignatureResult {
  signingDomain: string
  selector: string | undefined
  result: AuthVerdict
  /** The signing domain is aligned with the From domain (relaxed, as DMARC judges it). */
  aligned: boolean
  comment: string | undefined
}

/** Compact, JSON-serialisable result of SPF, DKIM, DMARC and ARC for one message. */
export interface AuthenticationResult {
  /** Domain of the From header as mailauth read it; undefined when there is none or more than one. */
  headerFromDomain: string | undefined
  spf: { result: AuthVerdict; domain: string | undefined }
  dkim: DkimSignatureResult[]
  dmarc: { result: AuthVerdict; policy: string | undefined; domain: string | undefined }
  arc: { result: AuthVerdict }
  /** From claims an official domain, and neither DMARC nor an aligned DKIM signature passes. */
  spoofed: boolean
  /** A DNS lookup failed temporarily (temperror): the verdicts may change on a retry. */
  dnsTemporaryFailure: boolean
  /** The Authentication-Results header mailauth produced (to prepend when relaying; never shown to customers). */
  authenticationResultsHeader: string
}

const VERDICTS = new Set<string>(['pass', 'fail', 'neutral', 'none', 'temperror', 'permerror', 'policy', 'softfail', 'skipped'])

function isVerdict(value: string): value is AuthVerdict {
  return VERDICTS.has(value)
}

function toVerdict(value: string | undefined): AuthVerdict {
  if (value === 'temperr') return 'temperror'
  return value !== undefined && isVerdict(value) ? value : 'none'
}

export interface AuthenticateSenderOptions {
  /** The connecting client's IP address (SPF); omitted for files, then SPF is "none". */
  ip?: string
  /** EHLO/HELO name of the client. */
  helo?: string
  /** The envelope sender (MAIL FROM). */
  mailFrom?: string
  /** Our own host name, written into the Authentication-Results header. */
  mta: string
  resolver: DnsResolver
  /** With a brand, `spoofed` is computed for its official domains. */
  brand?: Brand
}

/** True when an aligned DKIM signature or DMARC passes for the From domain. */
export function isAuthenticatedFrom(auth: AuthenticationResult): boolean {
  return auth.dmarc.result === 'pass' || auth.dkim.some((d) => d.result === 'pass' && d.aligned)
}

/**
 * True when the From address is provably not the sender's: DMARC fails for its domain, and the domain's owner
 * publishes a policy of reject or quarantine, so it stands behind its alignment and mail failing it is not theirs.
 * Such a From must not be trusted for identity: no automatic reply goes to it (a forger would aim our
 * acknowledgements at a stranger), and it cannot add to that address's tickets by who it claims to be. Under
 * p=none a failure proves nothing (forwarding and lists break alignment all the time), and a temporary DNS error
 * is not a failure.
 */
export function isForgedSender(auth: AuthenticationResult): boolean {
  return auth.dmarc.result === 'fail' && (auth.dmarc.policy === 'reject' || auth.dmarc.policy === 'quarantine')
}

function relaxedAligned(signingDomain: string, fromDomain: string | undefined): boolean {
  if (!fromDomain) return false
  const s = signingDomain.toLowerCase()
  const f = fromDomain.toLowerCase()
  return s === f || f.endsWith(`.${s}`) || s.endsWith(`.${f}`)
}

/** Reduces mailauth's result to what Maildesk stores and shows. */
export function summarizeAuthentication(result: AuthenticateResult, brand: Brand | undefined): AuthenticationResult {
  const fromDomains = result.dkim.headerFrom
  const headerFromDomain = fromDomains.length === 1 ? fromDomains[0]?.split('@').pop()?.toLowerCase() : undefined
  // An unsigned message yields one entry without a signing domain ("message not signed"); it is not a signature.
  const signatures = result.dkim.results.filter((r) => typeof r.signingDomain === 'string' && r.signingDomain.length > 0)
  const dkim = signatures.map((r) => ({
    signingDomain: r.signingDomain,
    selector: r.selector,
    result: toVerdict(r.status.result),
    aligned: r.status.aligned === true || relaxedAligned(r.signingDomain, headerFromDomain),
    comment: r.status.comment,
  }))
  const summary: AuthenticationResult = {
    headerFromDomain,
    spf: result.spf ? { result: toVerdict(result.spf.status.result), domain: result.spf.domain } : { result: 'none', domain: undefined },
    dkim,
    dmarc: result.dmarc
      ? { result: toVerdict(result.dmarc.status.result), policy: result.dmarc.policy, domain: result.dmarc.domain }
      : { result: 'none', policy: undefined, domain: undefined },
    arc: { result: result.arc ? toVerdict(result.arc.status.result) : 'none' },
    spoofed: false,
    dnsTemporaryFailure: false,
    authenticationResultsHeader: result.headers,
  }
  // Several From addresses: any one of them official counts as a claim.
  const claimsOfficial = brand !== undefined && fromDomains.some((a) => isOfficialDomain(brand, a.split('@').pop() ?? ''))
  summary.dnsTemporaryFailure = [summary.spf.result, summary.dmarc.result, ...dkim.map((d) => d.result)].includes('temperror')
  summary.spoofed = claimsOfficial && (fromDomains.length !== 1 || !isAuthenticatedFrom(summary))
  return summary
}

/**
 * SPF, DKIM, DMARC and ARC for one raw message (mailauth), with the DNS resolver injected.
 * DNS trouble is data (temperror), never an exception.
 */
export async function authenticateSender(raw: Uint8Array | Readable, opts: AuthenticateSenderOptions): Promise<AuthenticationResult> {
  // mailauth reads a stream as well (a large spooled message is never whole in memory).
  const result = await authenticate(raw instanceof Uint8Array ? withCrlfLineEnds(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength)) : raw, {
    ip: opts.ip,
    helo: opts.helo,
    sender: opts.mailFrom,
    mta: opts.mta,
    resolver: limitKeyLookups(opts.resolver, MAX_KEY_LOOKUPS_PER_MESSAGE),
    disableBimi: true,
  })
  return summarizeAuthentication(result, opts.brand)
}

const LF = 0x0a
const CR = 0x0d

/**
 * The message with every line feed not preceded by a carriage return written as CRLF: what mailauth's DKIM reader
 * turns it into anyway (MessageParser.ensureLinebreaks), which for such a message (a file, the benchmark corpora)
 * is a separate chunk and an async step per line. With CRLF line ends it reads the buffer in 64 KiB chunks; the
 * verdicts and the Authentication-Results header are the same. A message already in CRLF is returned as it is.
 */
export function withCrlfLineEnds(raw: Buffer): Buffer {
  let bare = 0
  for (let i = raw.indexOf(LF); i >= 0; i = raw.indexOf(LF, i + 1)) if (i === 0 || raw[i - 1] !== CR) bare++
  if (bare === 0) return raw
  const out = Buffer.allocUnsafe(raw.length + bare)
  let written = 0
  let from = 0
  for (let i = raw.indexOf(LF); i >= 0; i = raw.indexOf(LF, i + 1)) {
    if (i > 0 && raw[i - 1] === CR) continue
    written += raw.copy(out, written, from, i)
    out[written++] = CR
    out[written++] = LF
    from = i + 1
  }
  raw.copy(out, written, from)
  return out
}

/**
 * DKIM/ARC key lookups one message may cause. mailauth verifies every DKIM-Signature header, one after the other,
 * each with a lookup of a name the sender chose; SPF has its own limit (10 lookups, RFC 7208) but DKIM has none.
 * Real mail carries a few signatures (a mailing list adds one, ARC one per hop); a stranger's message with
 * thousands would otherwise hold a worker for thousands of lookups (each up to the resolver's timeout).
 */
export const MAX_KEY_LOOKUPS_PER_MESSAGE = 20

/** The code of the rejection past the limit; mailauth reports such a signature as temperror "DNS failure: <code>". */
export const KEY_LOOKUP_LIMIT_CODE = 'EKEYLOOKUPLIMIT'

/** `resolver` for one message: after `max` lookups of `*._domainkey.*` names, further ones are refused without asking. */
function limitKeyLookups(resolver: DnsResolver, max: number): DnsResolver {
  let keyLookups = 0
  return (name, rrtype) => {
    if (name.toLowerCase().includes('._domainkey.') && ++keyLookups > max) {
      return Promise.reject(Object.assign(new Error(`more than ${max} DKIM key lookups for one message`), { code: KEY_LOOKUP_LIMIT_CODE }))
    }
    return resolver(name, rrtype)
  }
}

/**
 * How to build a resolver again in another thread (a function cannot be posted to a worker): the system's DNS, or an
 * offline zone. Resolvers made any other way have no description, and messages using them are analysed in-thread.
 */
export type DnsResolverDescription = { kind: 'system' } | { kind: 'zone'; zone: DnsZone }

const descriptions = new WeakMap<DnsResolver, DnsResolverDescription>()

/** The description of a resolver made by createSystemResolver or createZoneResolver; undefined for any other. */
export function describeResolver(resolver: DnsResolver): DnsResolverDescription | undefined {
  return descriptions.get(resolver)
}

/** A resolver equivalent to the one described (in a worker thread). */
export function resolverFromDescription(description: DnsResolverDescription): DnsResolver {
  return description.kind === 'system' ? createSystemResolver() : createZoneResolver(description.zone)
}

/**
 * How long one query waits for a DNS server, and how many times it is sent. node:dns's defaults (c-ares: 4 tries,
 * the wait doubling each time) let a name whose servers never answer hold a message for half a minute per lookup,
 * and a sender chooses the names (SPF includes, DKIM selectors): a dozen lookups were minutes of a worker lane.
 */
export const DNS_QUERY_TIMEOUT_MS = 2000
export const DNS_QUERY_TRIES = 2

/**
 * The production resolver: the system's DNS through node:dns, answers kept briefly (dns-cache.ts).
 * `servers` and `timeoutMs` are for tests (a server that never answers).
 */
export function createSystemResolver(options: { servers?: string[]; timeoutMs?: number } = {}): DnsResolver {
  const system = new dns.Resolver({ timeout: options.timeoutMs ?? DNS_QUERY_TIMEOUT_MS, tries: DNS_QUERY_TRIES })
  if (options.servers) system.setServers(options.servers)
  // node:dns returns MX records as objects, which mailauth reads; its declared resolver type is narrower.
  const resolver: DnsResolver = cachingResolver((name, rrtype) => system.resolve(name, rrtype) as Promise<string[][] | string[]>)
  descriptions.set(resolver, { kind: 'system' })
  return resolver
}

/**
 * Records of an in-memory zone: name → type → records (TXT records as strings or chunk arrays, like node:dns).
 * MX is not modelled; SPF in fixtures uses ip4/a mechanisms.
 */
export type DnsZone = Record<string, Partial<Record<string, Array<string | string[]>>>>

function dnsError(code: 'ENOTFOUND' | 'ENODATA', name: string, rrtype: string): Error {
  const err = new Error(`query${rrtype} ${code} ${name}`)
  Object.assign(err, { code, hostname: name, syscall: `query${rrtype}` })
  return err
}

/**
 * An offline resolver over a zone, keeping node:dns's contract: a name that does not exist rejects with
 * ENOTFOUND (NXDOMAIN), an existing name without records of that type rejects with ENODATA (NODATA).
 */
export function createZoneResolver(zone: DnsZone): DnsResolver & { queries: string[] } {
  const byName = new Map(Object.entries(zone).map(([k, v]) => [k.toLowerCase().replace(/\.$/, ''), v]))
  const queries: string[] = []
  const resolver = async (name: string, rrtype: string): Promise<string[][] | string[]> => {
    const key = name.toLowerCase().replace(/\.$/, '')
    const type = rrtype.toUpperCase()
    queries.push(`${type} ${key}`)
    const entry = byName.get(key)
    if (!entry) {
      // A name with records below it exists (empty non-terminal): NODATA, not NXDOMAIN.
      const hasChildren = [...byName.keys()].some((n) => n.endsWith(`.${key}`))
      throw dnsError(hasChildren ? 'ENODATA' : 'ENOTFOUND', name, type)
    }
    const records = entry[type]
    if (!records || records.length === 0) throw dnsError('ENODATA', name, type)
    if (type === 'TXT') return records.map((r) => (Array.isArray(r) ? r : [String(r)]))
    return records.map((r) => (typeof r === 'string' ? r : r.join('')))
  }
  const described = Object.assign(resolver, { queries })
  descriptions.set(described, { kind: 'zone', zone })
  return described
}
