import { silentLogger } from '../../src/logger.ts'
import { createRuntime, type Runtime } from '../../src/runtime.ts'
import type { SqlDialect } from '../../src/store/database.ts'
import { testConfig } from './fixtures.ts'
import { createTestDatabase } from './test-database.ts'

/** The real runtime (spool, pipeline, worker) over a fresh database of the dialect and a fresh data dir. */
export async function createTestRuntime(dialect: SqlDialect, config = testConfig()): Promise<Runtime> {
  return createRuntime(config, silentLogger, await createTestDatabase(dialect))
}
