// Ingest throughput: the full spool → parse → thread → store path on SQLite with durable commits, beside the bare
// postal-mime parser on the same corpus in the same run. Target: ≥ 40% of the bare parser.
//   node --import tsx bench/ingest.bench.ts
import { rmSync } from 'node:fs'
import PostalMime from 'postal-mime'
import { loadConfig } from '../src/config.ts'
import { silentLogger } from '../src/logger.ts'
import { openRuntime } from '../src/runtime.ts'
import { fmt, isMain, loadGeneratedCorpus, loadSpamAssassinCorpus, medianOf } from './lib/measure.ts'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

const RUNS = 3

async function bareParseRate(corpus: Buffer[]): Promise<number> {
  const start = performance.now()
  for (const raw of corpus) await PostalMime.parse(raw)
  return corpus.length / ((performance.now() - start) / 1000)
}

async function ingestRate(corpus: Buffer[]): Promise<number> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'maildesk-bench-ingest-'))
  const config = loadConfig({ MAILDESK_DATA_DIR: dataDir, MAILDESK_LOG_LEVEL: 'silent' })
  const runtime = await openRuntime(config, silentLogger)
  try {
    const start = performance.now()
    // Spool everything (group-committed, as parallel SMTP sessions would), with the worker running alongside.
    runtime.worker.start()
    await Promise.all(corpus.map((raw) => runtime.spool.spool({ raw, source: 'smtp', rcptTo: ['support@okpay.com'] })))
    await runtime.worker.stop()
    const results = await runtime.worker.runUntilIdle()
    void results
    const elapsed = (performance.now() - start) / 1000
    const stored = await runtime.store.db
      .selectFrom('raw_messages')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', 'in', ['processed', 'duplicate'])
      .executeTakeFirstOrThrow()
    if (Number(stored.n) < corpus.length * 0.99) throw new Error(`only ${stored.n} of ${corpus.length} processed`)
    return corpus.length / elapsed
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
    const bare = await medianOf(RUNS, () => bareParseRate(corpus))
    const full = await medianOf(RUNS, () => ingestRate(corpus))
    const ratio = full.median / bare.median
    console.log(
      `${name}: bare postal-mime ${fmt(bare.median)} msg/s; full ingest (SQLite, durable) ${fmt(full.median)} msg/s; ratio ${fmt(ratio * 100, 1)}% (target ≥ 40%) [median of ${RUNS}]`,
    )
    out[name] = { bareParseMsgPerSec: Math.round(bare.median), ingestMsgPerSec: Math.round(full.median), ratio: Number(ratio.toFixed(3)) }
  }
  return out
}

if (isMain(import.meta.url)) await run()
