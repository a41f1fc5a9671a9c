import type { Kysely } from 'kysely'
import { addIdColumn, type SqlDialect } from './dialect.ts'

// Phishing reports and the campaigns they are grouped into. A campaign is known by its keys: the sending
// domain, the domains its links go to, and a fingerprint of its normalised text; a report whose key is already
// owned by a campaign joins it. One key belongs to one campaign (unique), so the grouping is stable.

export async function up(db: Kysely<any>, dialect: SqlDialect): Promise<void> {
  const id = (t: any) => addIdColumn(t, dialect)

  await id(db.schema.createTable('phishing_campaigns'))
    .addColumn('report_count', 'integer', (c: any) => c.notNull().defaultTo(0))
    .addColumn('first_seen_at', 'text', (c: any) => c.notNull())
    .addColumn('last_seen_at', 'text', (c: any) => c.notNull())
    .addColumn('sample_subject', 'text')
    .execute()
  await db.schema.createIndex('phishing_campaigns_last_seen_idx').on('phishing_campaigns').column('last_seen_at').execute()

  await db.schema
    .createTable('phishing_campaign_keys')
    .addColumn('kind', 'text', (c: any) => c.notNull())
    .addColumn('value', 'text', (c: any) => c.notNull())
    .addColumn('campaign_id', 'integer', (c: any) => c.notNull().references('phishing_campaigns.id'))
    .addPrimaryKeyConstraint('phishing_campaign_keys_pk', ['kind', 'value'])
    .execute()
  await db.schema.createIndex('phishing_campaign_keys_campaign_idx').on('phishing_campaign_keys').column('campaign_id').execute()

  await id(db.schema.createTable('phishing_reports'))
    .addColumn('campaign_id', 'integer', (c: any) => c.notNull().references('phishing_campaigns.id'))
    .addColumn('source', 'text', (c: any) => c.notNull())
    .addColumn('reported_at', 'text', (c: any) => c.notNull())
    .addColumn('verdict', 'text', (c: any) => c.notNull())
    .addColumn('sender_domain', 'text')
    .addColumn('link_domains', 'text', (c: any) => c.notNull())
    .addColumn('fingerprint', 'text', (c: any) => c.notNull())
    .addColumn('subject', 'text')
    .addColumn('raw_message_id', 'integer')
    .execute()
  await db.schema.createIndex('phishing_reports_campaign_idx').on('phishing_reports').columns(['campaign_id', 'reported_at']).execute()
}
