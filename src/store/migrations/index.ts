import type { Kysely, Migration, MigrationProvider } from 'kysely'
import type { SqlDialect } from './dialect.ts'
import * as m0001 from './0001-initial.ts'
import * as m0002 from './0002-message-analysis.ts'
import * as m0020 from './0020-phishing-reports.ts'
import * as m0030 from './0030-outbound-messages.ts'
import * as m0040 from './0040-agent-workspace.ts'
import * as m0041 from './0041-ticket-activity-index.ts'
import * as m0042 from './0042-cjk-bigram-search.ts'
import * as m0043 from './0043-cjk-bigram-search-postgres.ts'
import * as m0050 from './0050-public-side.ts'
import * as m0060 from './0060-imap-intake.ts'
import * as m0061 from './0061-attachment-verdicts.ts'
import * as m0062 from './0062-imap-mailbox-lease.ts'
import * as m0070 from './0070-scheduled-work.ts'
import * as m0080 from './0080-raw-message-files.ts'
import * as m0082 from './0082-search-index-deferral.ts'
import * as m0083 from './0083-customer-activity-index.ts'
import * as m0084 from './0084-trigram-search-without-positions.ts'

interface DialectMigration {
  up(db: Kysely<any>, dialect: SqlDialect): Promise<void>
}

/** Every migration, in order. Names never change once released: they are the version recorded in the database. */
const MIGRATIONS: Record<string, DialectMigration> = {
  '0001-initial': m0001,
  '0002-message-analysis': m0002,
  '0020-phishing-reports': m0020,
  '0030-outbound-messages': m0030,
  '0040-agent-workspace': m0040,
  '0041-ticket-activity-index': m0041,
  '0042-cjk-bigram-search': m0042,
  '0043-cjk-bigram-search-postgres': m0043,
  '0050-public-side': m0050,
  '0060-imap-intake': m0060,
  '0061-attachment-verdicts': m0061,
  '0062-imap-mailbox-lease': m0062,
  '0070-scheduled-work': m0070,
  '0080-raw-message-files': m0080,
  '0082-search-index-deferral': m0082,
  '0083-customer-activity-index': m0083,
  '0084-trigram-search-without-positions': m0084,
}

/** A provider that binds each migration to the dialect it runs on. */
export function migrationProvider(dialect: SqlDialect): MigrationProvider {
  return {
    async getMigrations(): Promise<Record<string, Migration>> {
      const out: Record<string, Migration> = {}
      for (const [name, migration] of Object.entries(MIGRATIONS)) {
        out[name] = { up: (db) => migration.up(db, dialect) }
      }
      return out
    },
  }
}
