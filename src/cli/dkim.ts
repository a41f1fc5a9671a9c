import type { Config } from '../config.ts'
import { dkimDnsRecord, loadOrCreateDkimKey } from '../notify/dkim-key.ts'
import type { CliIo } from './ingest.ts'

/** A TXT value as quoted strings of at most 255 bytes each (RFC 1035 §3.3.14: one string holds 255 at most). */
export function zoneFileStrings(value: string): string {
  const chunks: string[] = []
  for (let i = 0; i < value.length; i += 255) chunks.push(`"${value.slice(i, i + 255)}"`)
  return chunks.join(' ')
}

/** `maildesk dkim`: prints the DNS TXT record that publishes our DKIM key (creating the key if missing). */
export async function printDkimRecord(config: Config, io: CliIo, options: { json: boolean }): Promise<number> {
  const domain = config.brand.officialDomains[0] ?? 'localhost'
  const record = dkimDnsRecord(loadOrCreateDkimKey(config.dataDir, config.dkimSelector, domain))
  if (options.json) {
    io.out(JSON.stringify({ type: 'TXT', name: record.name, value: record.value }))
    return 0
  }
  io.out('Publish this DNS TXT record so receivers can check the DKIM signature of our mail:')
  io.out('')
  io.out(`name:  ${record.name}`)
  io.out(`type:  TXT`)
  io.out(`value: ${record.value}`)
  io.out('')
  io.out('As a zone-file line:')
  io.out(`${record.name}. 3600 IN TXT ( ${zoneFileStrings(record.value)} )`)
  return 0
}
