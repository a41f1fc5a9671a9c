import { mkdirSync } from 'node:fs'
import path from 'node:path'
import SQLite from 'better-sqlite3'
import { Kysely, Migrator, SqliteDialect, sql } from 'kysely'
import type {
  AgentSessionTable,
  AgentTable,
  ApiTokenTable,
  AuditLogTable,
  LoginAttemptTable,
  ReplyTemplateTable,
} from '../agents/agent.table.ts'
import type { CustomerTable } from '../customers/customer.table.ts'
import { MaildeskError } from '../errors.ts'
import { cjkBigrams } from './cjk-bigrams.ts'
import type { AttachmentVerdictTable } from '../attachments/attachment-verdict.table.ts'
import type { ImapFetchedMessageTable, ImapMailboxTable } from '../intake/imap-mailbox.table.ts'
import type { RawMessageTable } from '../intake/raw-message.table.ts'
import type { ScheduledJobTable } from '../jobs/scheduled-job.table.ts'
import type { OutboundMessageTable } from '../notify/outbound-message.table.ts'
import type { PhishingCampaignKeyTable, PhishingCampaignTable, PhishingReportTable } from '../phishing-reports/phishing-report.table.ts'
import type {
  AntiPhishingCodeTable,
  ChatAgentPresenceTable,
  ChatConversationTable,
  PortalLinkTable,
  PortalSessionTable,
  PublicSigningKeyTable,
  SurveyResponseTable,
} from '../public/public.tables.ts'
import type { TicketSlaFlagTable } from '../sla/ticket-sla-flag.table.ts'
import type { AttachmentTable } from '../tickets/attachment.table.ts'
import type { TicketEventTable } from '../tickets/ticket-event.table.ts'
import type { TicketMessageTable } from '../tickets/ticket-message.table.ts'
import type { TicketTable } from '../tickets/ticket.table.ts'
import type { SqlDialect } from './migrations/dialect.ts'
import { migrationProvider } from './migrations/index.ts'
import { PostgresSchemaDialect } from './postgres-schema-dialect.ts'
import { containsIgnoringCase } from './contains-ignoring-case.ts'
import { registerSearchIndexDeferral } from './search-index-deferral.ts'
import { withStatementCache } from './sqlite-statement-cache.ts'

export type { SqlDialect }

/** Every table, as Kysely sees it. */
export interface Database {
  customers: CustomerTable
  tickets: TicketTable
  raw_messages: RawMessageTable
  ticket_messages: TicketMessageTable
  attachments: AttachmentTable
  ticket_events: TicketEventTable
  imap_mailboxes: ImapMailboxTable
  imap_fetched_messages: ImapFetchedMessageTable
  attachment_verdicts: AttachmentVerdictTable
  outbound_messages: OutboundMessageTable
  public_signing_keys: PublicSigningKeyTable
  portal_links: PortalLinkTable
  portal_sessions: PortalSessionTable
  anti_phishing_codes: AntiPhishingCodeTable
  survey_responses: SurveyResponseTable
  chat_conversations: ChatConversationTable
  chat_agent_presence: ChatAgentPresenceTable
  agents: AgentTable
  agent_sessions: AgentSessionTable
  api_tokens: ApiTokenTable
  login_attempts: LoginAttemptTable
  audit_log: AuditLogTable
  reply_templates: ReplyTemplateTable
  phishing_campaigns: PhishingCampaignTable
  phishing_campaign_keys: PhishingCampaignKeyTable
  phishing_reports: PhishingReportTable
  scheduled_jobs: ScheduledJobTable
  ticket_sla_flags: TicketSlaFlagTable
}

export type Db = Kysely<Database>

export interface Store {
  db: Db
  dialect: SqlDialect
  /** Closes every connection; pending queries finish first. */
  destroy(): Promise<void>
}

export interface DatabaseOptions {
  /** postgres://… selects PostgreSQL; unset selects SQLite at sqlitePath. */
  databaseUrl?: string | undefined
  /** File path, or ':memory:'. */
  sqlitePath?: string
  /** PostgreSQL only: run in this schema (tests use one schema each). */
  pgSchema?: string
  /** PostgreSQL pool size. */
  maxConnections?: number
}

function openSqlite(file: string): Db {
  if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true })
  const sqlite = new SQLite(file)
  // WAL with synchronous=FULL: a committed transaction survives power loss, and readers never block the writer.
  sqlite.pragma('journal_mode = WAL')
  sqlite.pragma('synchronous = FULL')
  sqlite.pragma('foreign_keys = ON')
  sqlite.pragma('busy_timeout = 5000')
  // Used by the two-character Chinese search index's triggers (migration 0042): every connection needs it.
  sqlite.function('maildesk_cjk_bigrams', { deterministic: true }, (text: unknown) => cjkBigrams(typeof text === 'string' ? text : null))
  // Checks a search term's trigram candidates (ticket-search.repository.ts): the index keeps no positions (migration 0084).
  sqlite.function('maildesk_contains', { deterministic: true }, containsIgnoringCase)
  // Read by the search index triggers (migration 0082): a stored batch indexes its messages at its end.
  registerSearchIndexDeferral(sqlite)
  // Temporary tables and sorting in memory, not in temporary files.
  sqlite.pragma('temp_store = MEMORY')
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) })
}

async function openPostgres(url: string, schema: string | undefined, max: number): Promise<Db> {
  // Loaded only for PostgreSQL: a SQLite installation never needs the driver (several MB of memory idle).
  const { default: pg } = await import('pg')
  const pool = new pg.Pool({
    connectionString: url,
    max,
    // public stays on the path: extensions (pg_trgm) live there, once per database.
    ...(schema ? { options: `-c search_path=${schema},public` } : {}),
  })
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => {})
  return new Kysely<Database>({ dialect: new PostgresSchemaDialect({ pool }) })
}

/**
 * Opens the database named by the options and brings its schema to the latest version.
 * @throws MaildeskError STORAGE_UNAVAILABLE when it cannot be opened or migrated.
 */
export async function openDatabase(options: DatabaseOptions): Promise<Store> {
  const dialect: SqlDialect = options.databaseUrl ? 'postgres' : 'sqlite'
  let db: Db | undefined
  let migrationTableSchema: string | undefined
  try {
    db = options.databaseUrl
      ? await openPostgres(options.databaseUrl, options.pgSchema, options.maxConnections ?? 10)
      : openSqlite(options.sqlitePath ?? ':memory:')
    // Kysely looks for its bookkeeping tables in every schema unless told one; name ours (search_path's first).
    if (dialect === 'postgres') migrationTableSchema = await currentSchema(db)
  } catch (err) {
    await db?.destroy().catch(() => {})
    throw new MaildeskError('STORAGE_UNAVAILABLE', `cannot open the ${dialect} database: ${(err as Error).message}`, {
      cause: err,
    })
  }
  // Unordered: features land in parallel branches, each with its own numbered migration.
  const migrator = new Migrator({
    db,
    provider: migrationProvider(dialect),
    allowUnorderedMigrations: true,
    ...(migrationTableSchema ? { migrationTableSchema } : {}),
  })
  const { error, results } = await migrator.migrateToLatest()
  if (error) {
    await db.destroy()
    const failed = results?.find((r) => r.status === 'Error')?.migrationName
    const detail = error instanceof Error ? error.message : String(error)
    throw new MaildeskError(
      'STORAGE_UNAVAILABLE',
      `cannot migrate the ${dialect} database${failed ? ` (migration ${failed})` : ''}: ${detail}`,
      { cause: error },
    )
  }
  return { db, dialect, destroy: () => db.destroy() }
}

async function currentSchema(db: Db): Promise<string> {
  const result = await sql<{ schema: string }>`select current_schema() as schema`.execute(db)
  return result.rows[0]?.schema ?? 'public'
}

/** The SQLite file inside a data directory. */
export function sqlitePathIn(dataDir: string): string {
  return path.join(dataDir, 'maildesk.sqlite')
}
