import type { Brand } from '../brand.ts'
import { parseMessage } from '../pipeline/parse-message.ts'
import type { Db } from '../store/database.ts'
import { brandProfile } from '../verifier/brand-profile.ts'
import { judgeParsedMessage } from '../verifier/verify-email.ts'
import { campaignKeysOf } from './campaign-keys.ts'
import {
  findCampaignIdsByKeys,
  insertCampaign,
  insertCampaignKeys,
  insertReport,
  listCampaigns,
  listKeysOfCampaigns,
  touchCampaign,
} from './phishing-report.repository.ts'
import type { PhishingReportSource } from './phishing-report.table.ts'

export interface RecordPhishingReportInput {
  /** The reported message as received (forwarded attachments are unwrapped by the caller). */
  raw: Uint8Array
  /** The From is whoever reported it (an inline forward): not a sender to group by or to put on a block list. */
  senderIsReporter?: boolean
  source: PhishingReportSource
  now: Date
  rawMessageId?: number
}

export interface RecordedPhishingReport {
  reportId: number
  campaignId: number
  isNewCampaign: boolean
  verdict: string
}

/**
 * Stores a phishing report and puts it in a campaign: the oldest campaign sharing a key (sending domain, link
 * domain, text fingerprint), or a new one. The report's own new keys are added to that campaign.
 * @throws NotAnEmailError when the bytes are not a message.
 */
export async function recordPhishingReport(db: Db, brand: Brand, input: RecordPhishingReportInput): Promise<RecordedPhishingReport> {
  const message = await parseMessage(input.raw, { maxAttachments: 20, maxAttachmentBytes: 1024 * 1024 })
  const keys = campaignKeysOf(brand, message, { ignoreSender: input.senderIsReporter === true })
  const { verdict } = judgeParsedMessage(brandProfile(brand), message, undefined)
  const at = input.now.toISOString()
  const subject = message.subject.slice(0, 300) || null
  return db.transaction().execute(async (trx) => {
    const existing = await findCampaignIdsByKeys(trx, keys.keys)
    const campaignId = existing[0] ?? (await insertCampaign(trx, at, subject))
    await insertCampaignKeys(trx, campaignId, keys.keys)
    const reportId = await insertReport(trx, {
      campaign_id: campaignId,
      source: input.source,
      reported_at: at,
      verdict,
      sender_domain: keys.senderDomain ?? null,
      link_domains: JSON.stringify(keys.linkDomains),
      fingerprint: keys.fingerprint,
      subject,
      raw_message_id: input.rawMessageId ?? null,
    })
    await touchCampaign(trx, campaignId, at)
    return { reportId, campaignId, isNewCampaign: existing.length === 0, verdict }
  })
}

export interface PhishingCampaign {
  id: number
  reportCount: number
  firstSeenAt: string
  lastSeenAt: string
  sampleSubject: string | null
  senderDomains: string[]
  linkDomains: string[]
  fingerprints: string[]
}

/** Campaigns, most recently seen first, with their keys (for takedown requests and block lists). */
export async function listPhishingCampaigns(db: Db, opts: { limit: number; offset: number }): Promise<PhishingCampaign[]> {
  const rows = await listCampaigns(db, opts)
  const keys = await listKeysOfCampaigns(db, rows.map((r) => r.id))
  return rows.map((r) => {
    const mine = keys.filter((k) => k.campaign_id === r.id)
    const of = (kind: string) => mine.filter((k) => k.kind === kind).map((k) => k.value)
    return {
      id: r.id,
      reportCount: r.report_count,
      firstSeenAt: r.first_seen_at,
      lastSeenAt: r.last_seen_at,
      sampleSubject: r.sample_subject,
      senderDomains: of('sender_domain'),
      linkDomains: of('link_domain'),
      fingerprints: of('fingerprint'),
    }
  })
}

/** A CSV cell: quoted, and a leading = + - @ neutralised so spreadsheets do not run it as a formula. */
function csvCell(value: string | number | null): string {
  const s = value === null ? '' : String(value)
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s
  return `"${safe.replace(/"/g, '""')}"`
}

/** The campaigns as CSV (RFC 4180, CRLF), one row per campaign; lists are space-separated. */
export function phishingCampaignsToCsv(campaigns: PhishingCampaign[]): string {
  const header = ['id', 'report_count', 'first_seen_at', 'last_seen_at', 'sender_domains', 'link_domains', 'sample_subject']
  const lines = [header.join(',')]
  for (const c of campaigns) {
    lines.push([c.id, c.reportCount, c.firstSeenAt, c.lastSeenAt, c.senderDomains.join(' '), c.linkDomains.join(' '), c.sampleSubject].map(csvCell).join(','))
  }
  return `${lines.join('\r\n')}\r\n`
}
