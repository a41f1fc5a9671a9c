import { isIP } from 'node:net'
import type { Config } from '../config.ts'
import type { CheckResult } from '../doctor/check-result.ts'
import { checkDnsRecords } from '../doctor/dns-checks.ts'
import { checkDataDir, checkDatabase, checkPortBindable, checkRelay } from '../doctor/local-checks.ts'
import { dkimDnsRecord, loadOrCreateDkimKey } from '../notify/dkim-key.ts'
import { createSystemResolver, type DnsResolver } from '../pipeline/authenticate-sender.ts'
import type { CliIo } from './ingest.ts'

export interface DoctorOptions {
  /** Skip the DNS checks (offline machines, CI). */
  noDns: boolean
  /** The host MX records should name; default: the host of the public URL. */
  mxHost?: string | undefined
  /** Skip the port checks (when maildesk is already running on them). */
  noPorts?: boolean
  /** Tests pass an offline zone. */
  resolver?: DnsResolver
}

/**
 * `maildesk doctor`: checks the configuration, the database, the ports, the data directory, the outbound relay and
 * the DNS records operators must publish; prints one line per check with how to fix it. Exit code 1 on any failure.
 */
export async function doctor(config: Config, io: CliIo, options: DoctorOptions): Promise<number> {
  const results: CheckResult[] = []
  const print = (r: CheckResult) => {
    io.out(`${r.status.padEnd(5)} ${r.name.padEnd(22)} ${r.detail}`)
    if (r.fix) io.out(`${' '.repeat(28)}fix: ${r.fix}`)
    results.push(r)
  }
  print({
    name: 'config',
    status: 'ok',
    detail: `brand ${config.brand.name}, domains ${config.brand.officialDomains.join(', ')}, ${config.databaseUrl ? 'PostgreSQL' : 'SQLite'}`,
  })
  for (const r of checkDataDir(config.dataDir)) print(r)
  print(await checkDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }))
  if (!options.noPorts) {
    print(await checkPortBindable('http', config.host, config.httpPort))
    print(await checkPortBindable('smtp', config.host, config.smtpPort))
  }
  print(await checkRelay(config.smtpRelayUrl))
  if (!options.noDns) {
    const key = loadOrCreateDkimKey(config.dataDir, config.dkimSelector, config.brand.officialDomains[0] ?? 'localhost')
    const dnsResults = await checkDnsRecords(options.resolver ?? createSystemResolver(), {
      domains: config.brand.officialDomains,
      mxHost: options.mxHost ?? publicHostName(config.publicUrl),
      dkim: dkimDnsRecord(key),
    })
    for (const r of dnsResults) print(r)
  }
  const failed = results.filter((r) => r.status === 'fail').length
  const warned = results.filter((r) => r.status === 'warn').length
  io.out('')
  io.out(failed > 0 ? `${failed} check(s) failed, ${warned} warning(s)` : warned > 0 ? `all checks passed, ${warned} warning(s)` : 'all checks passed')
  return failed > 0 ? 1 : 0
}

/** The public URL's host when it is a DNS name an MX can point at (not an IP address or localhost). */
function publicHostName(publicUrl: string): string | undefined {
  const host = new URL(publicUrl).hostname
  return isIP(host.replace(/^\[|\]$/g, '')) !== 0 || host === 'localhost' ? undefined : host
}
