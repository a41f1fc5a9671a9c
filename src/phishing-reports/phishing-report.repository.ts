import type { Db } from '../store/database.ts'
import type {
  CampaignKeyKind,
  NewPhishingReportRow,
  PhishingCampaignKeyRow,
  PhishingCampaignRow,
} from './phishing-report.table.ts'

/** Campaign ids owning any of the keys, oldest campaign first. */
export async function findCampaignIdsByKeys(db: Db, keys: Array<{ kind: CampaignKeyKind; value: string }>): Promise<number[]> {
  if (keys.length === 0) return []
  const rows = await db
    .selectFrom('phishing_campaign_keys')
    .select('campaign_id')
    .where((eb) => eb.or(keys.map((k) => eb.and([eb('kind', '=', k.kind), eb('value', '=', k.value)]))))
    .orderBy('campaign_id')
    .execute()
  return [...new Set(rows.map((r) => r.campaign_id))]
}

export async function insertCampaign(db: Db, at: string, subject: string | null): Promise<number> {
  const row = await db
    .insertInto('phishing_campaigns')
    .values({ first_seen_at: at, last_seen_at: at, sample_subject: subject, report_count: 0 })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

/** Gives the campaign the keys nobody owns yet; a key owned by another campaign stays there. */
export async function insertCampaignKeys(db: Db, campaignId: number, keys: Array<{ kind: CampaignKeyKind; value: string }>): Promise<void> {
  if (keys.length === 0) return
  await db
    .insertInto('phishing_campaign_keys')
    .values(keys.map((k) => ({ kind: k.kind, value: k.value, campaign_id: campaignId })))
    .onConflict((oc) => oc.columns(['kind', 'value']).doNothing())
    .execute()
}

export async function insertReport(db: Db, row: NewPhishingReportRow): Promise<number> {
  const inserted = await db.insertInto('phishing_reports').values(row).returning('id').executeTakeFirstOrThrow()
  return inserted.id
}

/** Counts one more report; first/last seen widen to include `at` (reports may arrive out of order). */
export async function touchCampaign(db: Db, campaignId: number, at: string): Promise<void> {
  const c = await db.selectFrom('phishing_campaigns').select(['first_seen_at', 'last_seen_at']).where('id', '=', campaignId).executeTakeFirstOrThrow()
  await db
    .updateTable('phishing_campaigns')
    .set((eb) => ({
      report_count: eb('report_count', '+', 1),
      first_seen_at: at < c.first_seen_at ? at : c.first_seen_at,
      last_seen_at: at > c.last_seen_at ? at : c.last_seen_at,
    }))
    .where('id', '=', campaignId)
    .execute()
}

export async function listCampaigns(db: Db, opts: { limit: number; offset: number }): Promise<PhishingCampaignRow[]> {
  return db.selectFrom('phishing_campaigns').selectAll().orderBy('last_seen_at', 'desc').orderBy('id', 'desc').limit(opts.limit).offset(opts.offset).execute()
}

export async function listKeysOfCampaigns(db: Db, campaignIds: number[]): Promise<PhishingCampaignKeyRow[]> {
  if (campaignIds.length === 0) return []
  return db.selectFrom('phishing_campaign_keys').selectAll().where('campaign_id', 'in', campaignIds).orderBy('kind').orderBy('value').execute()
}
