// Ingest throughput: the full spool → parse → authenticate → redact → classify → thread → store → acknowledge path on SQLite with durable commits, beside the bare
// postal-mime parser on the same corpus in the same run. Target: ≥ 40% of the bare parser.
//   node --import tsx bench/ingest.bench.ts
import { rmSync } from 'node:fs'
import PostalMime from 'postal-mime'
import { loadConfig } from '../src/config.ts'
import { silentLogger } from '../src/logger.ts'
import { openRuntime } from '../src/runtime.ts'
import { createZoneResolver } from '../src/pipeline/authenticate-sender.ts'
import { fmt, loadGeneratedCorpus, loadSpamAssassinCorpus, median, runIfMain } from './lib/measure.ts'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

const RUNS = 3

interface Rate {
  wall: number
  cpu: number
}

/** Messages per second of wall time, and per second of this process's CPU time (steadier on a busy machine). */
async function timed(count: number, fn: () => Promise<void>): Promise<Rate> {
  const cpu0 = process.cpuUsage()
  const start = performance.now()
  await fn()
  const cpu = process.cpuUsage(cpu0)
  return { wall: count / ((performance.now() - start) / 1000), cpu: count / ((cpu.user + cpu.system) / 1e6) }
}

async function bareParseRate(corpus: Buffer[]): Promise<Rate> {
  return timed(corpus.length, async () => {
    for (const raw of corpus) await PostalMime.parse(raw)
  })
}

/** Full ingest: spool (group-committed) then the worker until every ticket is stored; then acknowledgements. */
async function ingestRates(corpus: Buffer[]): Promise<{ stored: Rate; acknowledged: Rate }> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'maildesk-bench-ingest-'))
  const config = loadConfig({ MAILDESK_DATA_DIR: dataDir, MAILDESK_LOG_LEVEL: 'silent' })
  // Offline DNS (every lookup answers NXDOMAIN at once): authentication runs in full without network waits.
  const runtime = await openRuntime(config, silentLogger, { resolver: createZoneResolver({}) })
  try {
    // Steady state: a busy server has had its analysis thread since its first batch; loading it (~0.8 s under tsx)
    // is not ingest.
    await runtime.worker.startAnalysisThreads()
    const cpu0 = process.cpuUsage()
    const start = performance.now()
    await Promise.all(corpus.map((raw) => runtime.spool.spool({ raw, source: 'smtp', rcptTo: ['support@okpay.com'] })))
    while ((await runtime.worker.runOnce()).length > 0) {
      // batches until the queue is empty
    }
    const storedAt = performance.now()
    const storedCpu = process.cpuUsage(cpu0)
    // Acknowledgements are composed, DKIM-signed and written to the fsynced outbox in the background meanwhile.
    await runtime.worker.drainAcknowledgements()
    const doneCpu = process.cpuUsage(cpu0)
    const rate = (ms: number, cpu: NodeJS.CpuUsage): Rate => ({ wall: corpus.length / (ms / 1000), cpu: corpus.length / ((cpu.user + cpu.system) / 1e6) })
    const stored = await runtime.store.db
      .selectFrom('raw_messages')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', 'in', ['processed', 'duplicate'])
      .executeTakeFirstOrThrow()
    if (Number(stored.n) < corpus.length * 0.99) throw new Error(`only ${stored.n} of ${corpus.length} processed`)
    return { stored: rate(storedAt - start, storedCpu), acknowledged: rate(performance.now() - start, doneCpu) }
  } finally {
    await runtime.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

export async function run(): Promise<Record<string, unknown>> {
  const corpora: Record<string, Buffer[]> = {
    'spamassassin (6,046 real messages)': loadSpamAssassinCorpus(),
    'generated (2,000: plain, html, 100 KB attachments, GBK, replies)': loadGeneratedCorpus(2000),
  }
  const out: Record<string, unknown> = {}
  for (const [name, corpus] of Object.entries(corpora)) {
    const bareRuns: Rate[] = []
    const storedRuns: Rate[] = []
    const ackRuns: Rate[] = []
    for (let i = 0; i < RUNS; i++) {
      bareRuns.push(await bareParseRate(corpus))
      const full = await ingestRates(corpus)
      storedRuns.push(full.stored)
      ackRuns.push(full.acknowledged)
    }
    const med = (runs: Rate[]): Rate => ({ wall: median(runs.map((r) => r.wall)), cpu: median(runs.map((r) => r.cpu)) })
    const bare = med(bareRuns)
    const stored = med(storedRuns)
    const acked = med(ackRuns)
    const pct = (a: number, b: number) => `${fmt((a / b) * 100, 1)}%`
    console.log(
      `${name} [median of ${RUNS}]\n` +
        `  bare postal-mime parse:            ${fmt(bare.wall)} msg/s\n` +
        `  ingest to stored ticket (durable): ${fmt(stored.wall)} msg/s = ${pct(stored.wall, bare.wall)} of bare (per CPU-second: ${pct(stored.cpu, bare.cpu)}); target ≥ 40%\n` +
        `  ... and acknowledgements sent:     ${fmt(acked.wall)} msg/s = ${pct(acked.wall, bare.wall)} of bare`,
    )
    out[name] = {
      bareParseMsgPerSec: Math.round(bare.wall),
      storedMsgPerSec: Math.round(stored.wall),
      acknowledgedMsgPerSec: Math.round(acked.wall),
      ratioStoredWall: Number((stored.wall / bare.wall).toFixed(3)),
      ratioStoredCpu: Number((stored.cpu / bare.cpu).toFixed(3)),
    }
  }
  return out
}

await runIfMain(import.meta.url, run)
