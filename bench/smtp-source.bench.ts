// SMTP acceptance measured with Postfix's own load generator, side by side in one run:
//   smtp-source → smtp-sink (Postfix's sink: answers 250 and throws the mail away; the ceiling on loopback)
//   smtp-source → maildesk serve --role smtp on SQLite and on PostgreSQL (250 only after the spool commit)
//   smtp-source → a private Postfix (250 only after its queue file is fsynced; messages held, not delivered): what a
//   real MTA's durable intake reaches on the same machine and load (run as root only)
//   and, for where the time goes, two in-process servers that answer 250 and store nothing: Maildesk's own receiver
//   (src/intake/smtp/) and the smtp-server package it replaced (kept as a devDependency for test fakes)
// same message size, sessions and count. Target: Maildesk with durable 250s at ≥ 50% of smtp-sink.
// Every server first takes SMTP_SOURCE_WARMUP messages (untimed, same load), then the timed count: the rate is the
// steady state of a server under sustained load. Without it a Node server started for the run is timed while V8
// still compiles its hot paths and its spool thread loads (5,000 messages take ~0.8 s: a third slower, cold), and
// smtp-sink, C, has nothing to warm.
// Then ingest throughput (spool → pipeline → stored tickets → acknowledgements) with 1 and 2 worker processes
// on PostgreSQL, and the one SQLite worker for comparison.
//   node --import tsx bench/smtp-source.bench.ts
// Needs the Debian package postfix (installed here when smtp-source is missing, with a policy-rc.d that stops the
// Postfix service from starting) and, for PostgreSQL, TEST_POSTGRES_URL (or BENCH_POSTGRES_URL).
// Knobs: SMTP_SOURCE_COUNT (default 5000), SMTP_SOURCE_SESSIONS (a list, default "20,100": each count is measured; 0 skips),
// SMTP_SOURCE_RUNS (3: every line is the median of the runs, each run measuring all servers back to back so a ratio
// compares like with like), SMTP_SOURCE_WARMUP (1000; 0 times a cold start), SMTP_SOURCE_BYTES (4096),
// INGEST_COUNT (1000; 0 skips the ingest part).
// Why two session counts: every smtp-source session waits for its 250 before it sends again, so with few sessions a
// durable intake's rate is bounded by its commit latency (group commit has few messages to share an fsync), and
// with many it is bounded by its CPU; 20 is a handful of busy senders, 100 an MX under load.
import { execFileSync, spawn } from 'node:child_process'
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import { loadavg, tmpdir } from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { SMTPServer } from 'smtp-server'
import { reply } from '../src/intake/smtp/smtp-command.ts'
import { SmtpReceiver } from '../src/intake/smtp/smtp-receiver.ts'
import { RawMessageSpool } from '../src/intake/raw-message-spool.ts'
import { deriveRawMessageKey } from '../src/intake/raw-message-crypto.ts'
import { loadConfig } from '../src/config.ts'
import { openDatabase, sqlitePathIn, type Store } from '../src/store/database.ts'
import { findFreePort } from '../test/helpers/free-port.ts'
import { startServeProcess, type ServeProcess } from '../test/helpers/serve-process.ts'
import { fmt, loadGeneratedCorpus, median, runIfMain } from './lib/measure.ts'

const COUNT = Number(process.env.SMTP_SOURCE_COUNT ?? 5000)
const WARMUP = Number(process.env.SMTP_SOURCE_WARMUP ?? 1000)
const SESSION_COUNTS = (process.env.SMTP_SOURCE_SESSIONS ?? '20,100').split(',').map(Number).filter((n) => n > 0)
const RUNS = Number(process.env.SMTP_SOURCE_RUNS ?? 3)
const BYTES = Number(process.env.SMTP_SOURCE_BYTES ?? 4096) // 4 KiB body, the size of a typical support mail
const INGEST_COUNT = Number(process.env.INGEST_COUNT ?? 1000)
const POSTGRES_URL = process.env.BENCH_POSTGRES_URL ?? process.env.TEST_POSTGRES_URL
// A fixed key, so the bench processes and this one agree on the raw-message encryption.
const SECRET_KEY = 'b'.repeat(64)

/** The 1-minute load average, so a reader can tell a quiet run from a busy one. */
function loadAverage(): string {
  return loadavg()[0]?.toFixed(2) ?? '?'
}

/** Installs Debian's postfix for smtp-source and smtp-sink without ever starting the Postfix service. */
function ensureSmtpSource(): void {
  if (existsSync('/usr/sbin/smtp-source') && existsSync('/usr/sbin/smtp-sink')) return
  const policy = '/usr/sbin/policy-rc.d'
  const backup = path.join(tmpdir(), `policy-rc.d.${process.pid}`)
  const had = existsSync(policy)
  if (had) copyFileSync(policy, backup)
  // invoke-rc.d asks policy-rc.d before starting a service; 101 means "action forbidden".
  writeFileSync(policy, '#!/bin/sh\nexit 101\n')
  chmodSync(policy, 0o755)
  try {
    execFileSync('sh', ['-c', 'echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections'])
    execFileSync('apt-get', ['install', '-y', '-q', 'postfix'], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, stdio: 'ignore' })
  } finally {
    if (had) copyFileSync(backup, policy)
    else rmSync(policy, { force: true })
  }
}

async function waitForPort(port: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port }, () => {
        socket.destroy()
        resolve(true)
      })
      socket.once('error', () => resolve(false))
    })
    if (open) return
    if (Date.now() > deadline) throw new Error(`nothing listens on 127.0.0.1:${port}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

/**
 * How smtp-source sends: 'reuse' keeps each session's connection for its next message (-d), as MTAs with connection
 * caching deliver a burst; 'connect' opens a connection per message. The smtp-server package holds every new
 * connection's greeting for 100 ms (an anti-spam greet pause; smtp-sink and Maildesk's receiver have none), so in
 * 'connect' mode it tops out at sessions × 10 messages per second.
 */
type Mode = 'reuse' | 'connect'

/** One smtp-source load: how it connects and how many sessions it runs in parallel. */
interface Load {
  mode: Mode
  sessions: number
}

function smtpSourceArgs(load: Load, port: number, count: number): string[] {
  return [...(load.mode === 'reuse' ? ['-d'] : []), '-s', String(load.sessions), '-l', String(BYTES), '-m', String(count), '-f', 'customer@customer.example', '-t', 'support@okpay.com', '-S', 'Payment failed', '-M', 'bench.customer.example', `127.0.0.1:${port}`]
}

/** Runs smtp-source against the port: WARMUP messages untimed, then COUNT; messages per second of wall time of the COUNT. */
function smtpSource(port: number, load: Load): number {
  if (WARMUP > 0) execFileSync('/usr/sbin/smtp-source', smtpSourceArgs(load, port, WARMUP), { stdio: 'ignore', timeout: 600_000 })
  const started = performance.now()
  execFileSync('/usr/sbin/smtp-source', smtpSourceArgs(load, port, COUNT), { stdio: 'ignore', timeout: 600_000 })
  return COUNT / ((performance.now() - started) / 1000)
}

/** `maildesk serve --role ROLE` as `npm start` runs it, with the bench's fixed secret key. */
function startMaildesk(role: 'smtp' | 'worker', dataDir: string, env: Record<string, string>): Promise<ServeProcess> {
  return startServeProcess({ dataDir, args: ['--role', role], env: { MAILDESK_SECRET_KEY: SECRET_KEY, ...env } })
}

interface Database {
  env: Record<string, string>
  open(): Promise<Store>
  drop(): Promise<void>
}

async function sqliteDatabase(dataDir: string): Promise<Database> {
  return { env: {}, open: () => openDatabase({ sqlitePath: sqlitePathIn(dataDir) }), drop: async () => {} }
}

async function postgresDatabase(url: string): Promise<Database> {
  const schema = `bench_${process.pid}_${Date.now().toString(36)}`
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  await client.query('create extension if not exists pg_trgm schema public').catch(() => {})
  await client.query(`create schema ${schema}`)
  await client.end()
  return {
    env: { DATABASE_URL: `${url}${url.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema},public`)}` },
    open: () => openDatabase({ databaseUrl: url, pgSchema: schema, maxConnections: 2 }),
    drop: async () => {
      const c = new pg.Client({ connectionString: url })
      await c.connect()
      await c.query(`drop schema if exists ${schema} cascade`)
      await c.end()
    },
  }
}

/** smtp-source against `maildesk serve --role smtp`; checks every message is in raw_messages afterwards. */
async function maildeskIntakeRate(db: Database, dataDir: string, load: Load): Promise<number> {
  const node = await startMaildesk('smtp', dataDir, db.env)
  try {
    const rate = smtpSource(node.smtpPort, load)
    const store = await db.open()
    try {
      const row = await store.db.selectFrom('raw_messages').select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow()
      if (Number(row.n) !== WARMUP + COUNT) throw new Error(`expected ${WARMUP + COUNT} spooled messages, found ${row.n}`)
    } finally {
      await store.destroy()
    }
    return rate
  } finally {
    await node.stop()
  }
}

async function smtpSinkRate(load: Load): Promise<number> {
  const port = await findFreePort()
  const asRoot = process.getuid?.() === 0 ? ['-u', 'nobody'] : []
  const sink = spawn('/usr/sbin/smtp-sink', [...asRoot, `127.0.0.1:${port}`, '1024'], { stdio: 'ignore' })
  const exited = new Promise<void>((resolve) => sink.once('exit', () => resolve()))
  try {
    await waitForPort(port)
    return smtpSource(port, load)
  } finally {
    sink.kill('SIGTERM')
    await exited
  }
}

/**
 * A private Postfix instance (its own config and queue under a temporary directory, stopped afterwards): smtpd and
 * cleanup write each message to a queue file and fsync it before the 250, and an access rule puts every message on
 * hold, so nothing is delivered and the figure is acceptance alone, as with `maildesk --role smtp`. A real MTA's
 * durable intake, on the same machine and load. Needs root (the queue belongs to root and the postfix user).
 */
async function postfixQueueRate(load: Load): Promise<number> {
  const port = await findFreePort()
  const dir = mkdtempSync(path.join(tmpdir(), 'maildesk-bench-postfix-'))
  chmodSync(dir, 0o755) // the postfix user walks into its queue and data directories
  const postfix = (...args: string[]) => execFileSync('/usr/sbin/postfix', ['-c', dir, ...args], { stdio: 'ignore' })
  for (const sub of ['spool', 'data']) mkdirSync(path.join(dir, sub))
  const postfixUid = Number(execFileSync('id', ['-u', 'postfix'], { encoding: 'utf8' }))
  chownSync(path.join(dir, 'data'), postfixUid, -1)
  writeFileSync(
    path.join(dir, 'main.cf'),
    [
      'compatibility_level = 3.6',
      `queue_directory = ${dir}/spool`,
      `data_directory = ${dir}/data`,
      `maillog_file = ${dir}/maillog`,
      `maillog_file_prefixes = ${dir}`,
      'inet_interfaces = 127.0.0.1',
      'inet_protocols = ipv4',
      'myhostname = mx.okpay.com',
      'mydestination = okpay.com',
      'mynetworks = 127.0.0.0/8',
      'alias_maps =',
      'alias_database =',
      'local_recipient_maps =',
      'smtpd_recipient_restrictions = check_client_access static:HOLD, permit_mynetworks, reject',
      'smtpd_client_connection_count_limit = 0',
      'smtpd_client_connection_rate_limit = 0',
      'smtpd_client_message_rate_limit = 0',
      'default_process_limit = 200',
      'message_size_limit = 26214400',
      '',
    ].join('\n'),
  )
  const services = ['pickup unix n - n 60 1 pickup', 'cleanup unix n - n - 0 cleanup', 'qmgr unix n - n 300 1 qmgr', 'rewrite unix - - n - - trivial-rewrite', 'bounce unix - - n - 0 bounce', 'defer unix - - n - 0 bounce', 'trace unix - - n - 0 bounce', 'verify unix - - n - 1 verify', 'flush unix n - n 1000 0 flush', 'proxymap unix - - n - - proxymap', 'showq unix n - n - - showq', 'error unix - - n - - error', 'discard unix - - n - - discard', 'anvil unix - - n - 1 anvil', 'scache unix - - n - 1 scache', 'postlog unix-dgram n - n - 1 postlogd']
  writeFileSync(path.join(dir, 'master.cf'), [`127.0.0.1:${port} inet n - n - ${Math.max(200, load.sessions)} smtpd`, ...services, ''].join('\n'))
  try {
    postfix('set-permissions')
    postfix('start')
    await waitForPort(port)
    const rate = smtpSource(port, load)
    const hold = path.join(dir, 'spool', 'hold')
    const held = readdirSync(hold, { recursive: true }).filter((f) => statSync(path.join(hold, String(f))).isFile()).length
    if (held !== WARMUP + COUNT) throw new Error(`expected ${WARMUP + COUNT} messages in Postfix's hold queue, found ${held}`)
    return rate
  } finally {
    try {
      postfix('stop')
    } catch {
      // not running
    }
    rmSync(dir, { recursive: true, force: true })
  }
}

/** smtp-source run asynchronously (execFileSync would block a server in this process); messages per second. */
async function smtpSourceAsync(port: number, load: Load): Promise<number> {
  const send = (count: number) =>
    new Promise<void>((resolve, reject) => {
      const child = spawn('/usr/sbin/smtp-source', smtpSourceArgs(load, port, count), { stdio: 'ignore' })
      child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`smtp-source exited with ${code}`))))
    })
  if (WARMUP > 0) await send(WARMUP)
  const started = performance.now()
  await send(COUNT)
  return COUNT / ((performance.now() - started) / 1000)
}

/** Maildesk's own SMTP receiver (src/intake/smtp/) answering 250 without storing: what the spool leaves room for. */
async function bareReceiverRate(load: Load): Promise<number> {
  const receiver = new SmtpReceiver(
    { host: '127.0.0.1', port: 0, serverName: 'bench.example', maxMessageBytes: 25 * 1024 * 1024, maxClients: 1000 },
    { checkRecipient: () => undefined, receiveMessage: async () => reply(250, '2.0.0', 'OK') },
  )
  const { port } = await receiver.listen()
  try {
    return await smtpSourceAsync(port, load)
  } finally {
    await receiver.close()
  }
}

/** Node's smtp-server answering 250 and discarding, in this process: what Maildesk used before its own receiver. */
async function bareSmtpServerRate(load: Load): Promise<number> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    disableReverseLookup: true,
    onData(stream, _session, callback) {
      stream.on('data', () => {})
      stream.on('end', () => callback())
    },
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  try {
    return await smtpSourceAsync(port, load)
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }
}

/**
 * Worker processes first (idle), then the corpus is spooled; messages per second from the first spool write until
 * the queue is empty and every owed acknowledgement is sent.
 */
async function ingestRate(db: Database, dataDir: string, workers: number, corpus: Buffer[]): Promise<number> {
  const nodes = await Promise.all(Array.from({ length: workers }, () => startMaildesk('worker', dataDir, db.env)))
  const store = await db.open()
  try {
    const spool = new RawMessageSpool(store.db, deriveRawMessageKey(loadConfig({ MAILDESK_SECRET_KEY: SECRET_KEY, MAILDESK_DATA_DIR: dataDir }).secretKey))
    const started = performance.now()
    await Promise.all(corpus.map((raw) => spool.spool({ raw, source: 'smtp', mailFrom: 'customer@customer.example', rcptTo: ['support@okpay.com'] })))
    for (;;) {
      const queued = await store.db.selectFrom('raw_messages').select((eb) => eb.fn.countAll<number | string>().as('n')).where('status', 'in', ['pending', 'processing']).executeTakeFirstOrThrow()
      const owed = await store.db.selectFrom('tickets').select((eb) => eb.fn.countAll<number | string>().as('n')).where('ack_status', '=', 'pending').executeTakeFirstOrThrow()
      if (Number(queued.n) === 0 && Number(owed.n) === 0) break
      await new Promise((r) => setTimeout(r, 50))
    }
    return corpus.length / ((performance.now() - started) / 1000)
  } finally {
    await store.destroy()
    await Promise.all(nodes.map((node) => node.stop()))
  }
}

export async function run(): Promise<Record<string, number | string>> {
  ensureSmtpSource()
  const results: Record<string, number | string> = {}
  for (const sessions of SESSION_COUNTS) {
    for (const mode of ['reuse', 'connect'] as const) {
      const load: Load = { mode, sessions }
      const how = mode === 'reuse' ? 'connections kept (-d)' : 'a new connection per message'
      console.log(`smtp-source -s ${sessions} -l ${BYTES} -m ${COUNT} (after ${fmt(WARMUP)} untimed), ${how}, loopback [median of ${RUNS} runs; load average ${loadAverage()}]`)
      // Each run measures every server back to back; ratios are taken within a run, then the median is reported.
      const servers: Array<[key: string, label: string, measure: () => Promise<number>]> = [
        ['BareSmtpServer', 'smtp-server package (discards, no storage)', () => bareSmtpServerRate(load)],
        ['BareReceiver', 'Maildesk receiver (discards, no storage)', () => bareReceiverRate(load)],
        ...(process.getuid?.() === 0 ? [['PostfixQueue', 'Postfix, durable queue (held)', () => postfixQueueRate(load)] as [string, string, () => Promise<number>]] : []),
        ['MaildeskSqlite', 'maildesk --role smtp, SQLite (durable)', async () => {
          const dir = mkdtempSync(path.join(tmpdir(), 'maildesk-bench-smtp-sqlite-'))
          try {
            return await maildeskIntakeRate(await sqliteDatabase(dir), dir, load)
          } finally {
            rmSync(dir, { recursive: true, force: true })
          }
        }],
      ]
      if (POSTGRES_URL) {
        servers.push(['MaildeskPostgres', 'maildesk --role smtp, PostgreSQL (durable)', async () => {
          const dir = mkdtempSync(path.join(tmpdir(), 'maildesk-bench-smtp-pg-'))
          const postgres = await postgresDatabase(POSTGRES_URL)
          try {
            return await maildeskIntakeRate(postgres, dir, load)
          } finally {
            await postgres.drop()
            rmSync(dir, { recursive: true, force: true })
          }
        }])
      }
      const sinkRuns: number[] = []
      const rates = new Map<string, number[]>(servers.map(([key]) => [key, []]))
      const ratios = new Map<string, number[]>(servers.map(([key]) => [key, []]))
      for (let run = 0; run < RUNS; run++) {
        const sink = await smtpSinkRate(load)
        sinkRuns.push(sink)
        for (const [key, , measure] of servers) {
          const rate = await measure()
          rates.get(key)?.push(rate)
          ratios.get(key)?.push(rate / sink)
        }
      }
      const prefix = `${mode}${sessions}`
      results[`${prefix}SmtpSinkPerSecond`] = Math.round(median(sinkRuns))
      console.log(`  ${'smtp-sink (Postfix, discards):'.padEnd(44)}${fmt(median(sinkRuns))} msg/s`)
      for (const [key, label] of servers) {
        const rate = median(rates.get(key) ?? [])
        const ratio = median(ratios.get(key) ?? [])
        const range = (ratios.get(key) ?? []).map((r) => Math.round(100 * r))
        results[`${prefix}${key}PerSecond`] = Math.round(rate)
        results[`${prefix}${key}Ratio`] = Number(ratio.toFixed(2))
        const target = key === 'MaildeskSqlite' || key === 'MaildeskPostgres' ? '; target ≥ 50%' : ''
        console.log(`  ${`${label}:`.padEnd(44)}${fmt(rate)} msg/s = ${fmt(100 * ratio)}% of smtp-sink (runs: ${range.join(', ')}%${target})`)
      }
      if (mode === 'connect') console.log(`  (the smtp-server package's 100 ms greet pause caps it here at ${sessions} sessions × 10 = ${sessions * 10} msg/s)`)
    }
  }

  if (INGEST_COUNT === 0) return results
  const corpus = loadGeneratedCorpus(INGEST_COUNT)
  console.log(`ingest: ${corpus.length} generated messages (plain, HTML, attachments, GBK, replies) spooled, then processed by worker processes`)
  const ingestDir = mkdtempSync(path.join(tmpdir(), 'maildesk-bench-ingest-sqlite-'))
  results.ingestSqlite1WorkerPerSecond = Math.round(await ingestRate(await sqliteDatabase(ingestDir), ingestDir, 1, corpus))
  console.log(`  SQLite, 1 worker:      ${fmt(results.ingestSqlite1WorkerPerSecond)} msg/s`)
  if (POSTGRES_URL) {
    for (const workers of [1, 2]) {
      const dir = mkdtempSync(path.join(tmpdir(), `maildesk-bench-ingest-pg${workers}-`))
      const postgres = await postgresDatabase(POSTGRES_URL)
      try {
        const rate = Math.round(await ingestRate(postgres, dir, workers, corpus))
        results[`ingestPostgres${workers}WorkerPerSecond`] = rate
        console.log(`  PostgreSQL, ${workers} worker${workers > 1 ? 's' : ' '}: ${fmt(rate)} msg/s`)
      } finally {
        await postgres.drop()
      }
    }
  }
  results.cpus = String(readFileSync('/proc/cpuinfo', 'utf8').match(/^processor/gm)?.length ?? '?')
  return results
}

await runIfMain(import.meta.url, run)
