import type { Config } from '../config.ts'
import { requeueFailedRawMessages } from '../intake/raw-message.repository.ts'
import type { Logger } from '../logger.ts'
import { openRuntime } from '../runtime.ts'
import type { CliIo } from './ingest.ts'

/** `maildesk reprocess [ID…]`: puts failed messages (all, or the ids given) back through the pipeline. */
export async function reprocess(config: Config, log: Logger, args: string[], io: CliIo): Promise<number> {
  const ids = args.map(Number)
  const bad = args.filter((a, i) => !Number.isSafeInteger(ids[i]) || (ids[i] as number) < 1)
  if (bad.length > 0) {
    io.err(`maildesk reprocess: raw message ids are positive whole numbers (got ${bad.map((b) => JSON.stringify(b.slice(0, 20))).join(', ')})`)
    return 2
  }
  const runtime = await openRuntime(config, log)
  try {
    const requeued = await requeueFailedRawMessages(runtime.store.db, ids.length > 0 ? ids : undefined)
    const results = await runtime.worker.runUntilIdle()
    const failed = results.filter((r) => !r.ok)
    io.out(`requeued ${requeued}; processed ${results.length - failed.length}; failed ${failed.length}`)
    for (const f of failed) if (!f.ok) io.err(`raw message ${f.rawMessageId}: ${f.code}: ${f.message}`)
    return failed.length > 0 ? 1 : 0
  } finally {
    await runtime.close()
  }
}
