import type { Generated, Insertable, Selectable } from 'kysely'

export interface PhishingCampaignTable {
  id: Generated<number>
  report_count: Generated<number>
  first_seen_at: string
  last_seen_at: string
  /** Subject of the first report, for people skimming the list (phishing subjects are not personal data). */
  sample_subject: string | null
}
export type PhishingCampaignRow = Selectable<PhishingCampaignTable>
export type NewPhishingCampaignRow = Insertable<PhishingCampaignTable>

export type CampaignKeyKind = 'sender_domain' | 'link_domain' | 'fingerprint'

export interface PhishingCampaignKeyTable {
  kind: CampaignKeyKind
  value: string
  campaign_id: number
}
export type PhishingCampaignKeyRow = Selectable<PhishingCampaignKeyTable>

export type PhishingReportSource = 'verifier' | 'security_mailbox' | 'agent'

export interface PhishingReportTable {
  id: Generated<number>
  campaign_id: number
  source: PhishingReportSource
  reported_at: string
  verdict: string
  sender_domain: string | null
  /** JSON array of registrable domains the message links to (non-official only). */
  link_domains: string
  fingerprint: string
  subject: string | null
  raw_message_id: number | null
}
export type PhishingReportRow = Selectable<PhishingReportTable>
export type NewPhishingReportRow = Insertable<PhishingReportTable>
