import { retryFailedOutbound, type OutboundDeps } from '../notify/outbound.service.ts'

export interface OutboundRetryJob {
  /** Runs one pass now (also what the timer calls); passes never overlap. */
  runOnce(): Promise<void>
  /** Stops the timer and waits for a running pass to finish. */
  stop(): Promise<void>
}

/** Retries failed outbound mail every `intervalMs` (default 1 min) until stopped. */
export function startOutboundRetryJob(deps: OutboundDeps, options: { intervalMs?: number } = {}): OutboundRetryJob {
  const log = deps.log.child({ component: 'outbound-retry' })
  let running: Promise<void> | undefined
  const runOnce = (): Promise<void> => {
    running ??= retryFailedOutbound(deps)
      .then((result) => {
        if (result.attempted > 0) log.info(result, 'outbound retry pass')
      })
      .catch((err: unknown) => log.error({ err }, 'outbound retry pass failed'))
      .finally(() => {
        running = undefined
      })
    return running
  }
  const timer = setInterval(() => void runOnce(), options.intervalMs ?? 60_000) // 1 min
  timer.unref()
  return {
    runOnce,
    async stop() {
      clearInterval(timer)
      await running
    },
  }
}
