import type { FastifyInstance } from 'fastify'
import { silentLogger } from '../../src/logger.ts'
import { createZoneResolver, type DnsZone } from '../../src/pipeline/authenticate-sender.ts'
import { createRuntime, type Runtime, type RuntimeOptions } from '../../src/runtime.ts'
import { buildApp } from '../../src/web/app.ts'
import type { SqlDialect } from '../../src/store/database.ts'
import { testConfig } from './fixtures.ts'
import { createTestDatabase } from './test-database.ts'

/**
 * The real runtime (spool, pipeline, outbound mail to the outbox, worker) over a fresh database of the dialect and
 * a fresh data dir. DNS is an offline zone (empty unless given), so authentication results are deterministic.
 */
export async function createTestRuntime(
  dialect: SqlDialect,
  config = testConfig(),
  options: RuntimeOptions & { zone?: DnsZone } = {},
): Promise<Runtime> {
  return createRuntime(config, silentLogger, await createTestDatabase(dialect), {
    ...options,
    resolver: options.resolver ?? createZoneResolver(options.zone ?? {}),
  })
}

/** The HTTP app (never listening; use app.inject) over a fresh test runtime; close() closes both. */
export async function createTestApp(
  dialect: SqlDialect,
  config = testConfig(),
): Promise<{ rt: Runtime; app: FastifyInstance; close(): Promise<void> }> {
  const rt = await createTestRuntime(dialect, config)
  const app = await buildApp({ config: rt.config, store: rt.store, spool: rt.spool, log: silentLogger, transport: rt.transport })
  return {
    rt,
    app,
    async close() {
      await app.close()
      await rt.close()
    },
  }
}
