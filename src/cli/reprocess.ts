import type { Config } from '../config.ts'
import { findRawMessageSummary, requeueFailedRawMessages } from '../intake/raw-message.repository.ts'
import type { Logger } from '../logger.ts'
import { openRuntime } from '../runtime.ts'
import type { CliIo } from './ingest.ts'

/**
 * `maildesk reprocess [ID…]`: puts failed messages (the ids given, or every failure but NOT_AN_EMAIL) back through the
 * pipeline. An id given that was not requeued is named with the reason: no such message (exit 1), or not failed.
 */
export async function reprocess(config: Config, log: Logger, args: string[], io: CliIo): Promise<number> {
  const bad = args.filter((a) => !/^\d{1,15}$/.test(a) || Number(a) < 1)
  if (bad.length > 0) {
    io.err(`maildesk reprocess: raw message ids are positive whole numbers (got ${bad.map((b) => JSON.stringify(b.slice(0, 20))).join(', ')})`)
    return 2
  }
  const ids = [...new Set(args.map(Number))]
  const runtime = await openRuntime(config, log)
  try {
    const requeued = await requeueFailedRawMessages(runtime.store.db, ids.length > 0 ? ids : undefined)
    let missing = 0
    for (const id of ids.filter((id) => !requeued.includes(id))) {
      const found = await findRawMessageSummary(runtime.store.db, id)
      if (!found) missing++
      io.err(found ? `raw message ${id}: not requeued, its status is ${found.status} (only failed messages are)` : `raw message ${id}: no such message`)
    }
    const results = await runtime.worker.runUntilIdle()
    const failed = results.filter((r) => !r.ok)
    io.out(`requeued ${requeued.length}; processed ${results.length - failed.length}; failed ${failed.length}`)
    for (const f of failed) if (!f.ok) io.err(`raw message ${f.rawMessageId}: ${f.code}: ${f.message}`)
    return failed.length > 0 || missing > 0 ? 1 : 0
  } finally {
    await runtime.close()
  }
}
