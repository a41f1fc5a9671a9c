// IMAP intake throughput: the 2,000-message generated corpus delivered into a local Dovecot mailbox is
// ingested (spooled durably, then flagged \Seen on the server) exactly once, beside the SMTP path on the
// same corpus (nodemailer, 8 parallel connections, to a started SmtpIntake). Both on SQLite with durable
// commits; "ingested" means spooled and committed, which is the point where each path acknowledges.
//   node --import tsx bench/imap.bench.ts
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import nodemailer from 'nodemailer'
import { loadConfig } from '../src/config.ts'
import { ImapIntake } from '../src/intake/imap-intake.ts'
import { findImapMailboxByName } from '../src/intake/imap-mailbox.repository.ts'
import { SmtpIntake } from '../src/intake/smtp-intake.ts'
import { silentLogger } from '../src/logger.ts'
import { openRuntime, type Runtime } from '../src/runtime.ts'
import { appendMessages, dovecotMailbox, startDovecot } from '../test/helpers/dovecot.ts'
import { fmt, loadGeneratedCorpus, medianOf, runIfMain } from './lib/measure.ts'

const COUNT = 2000
const RUNS = 3
const SMTP_CONNECTIONS = 8

async function withRuntime<T>(fn: (runtime: Runtime) => Promise<T>): Promise<T> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'maildesk-bench-imap-'))
  const config = loadConfig({ MAILDESK_DATA_DIR: dataDir, MAILDESK_LOG_LEVEL: 'silent' })
  const runtime = await openRuntime(config, silentLogger)
  try {
    return await fn(runtime)
  } finally {
    await runtime.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

async function countSpooled(runtime: Runtime): Promise<{ rows: number; distinct: number }> {
  const row = await runtime.store.db
    .selectFrom('raw_messages')
    .select((eb) => [eb.fn.countAll<number>().as('rows'), eb.fn.count<number>('sha256').distinct().as('distinct')])
    .executeTakeFirstOrThrow()
  return { rows: Number(row.rows), distinct: Number(row.distinct) }
}

async function imapRate(corpus: Buffer[], run: number): Promise<number> {
  const user = { user: `bench${run}@okpay.com`, password: 'bench-password' }
  const dovecot = await startDovecot([user])
  const secrets = mkdtempSync(path.join(tmpdir(), 'maildesk-bench-secret-'))
  try {
    await appendMessages(dovecot, corpus, 'INBOX', user)
    const mailbox = dovecotMailbox(dovecot, user, secrets, { name: 'bench' })
    return await withRuntime(async (runtime) => {
      const options = { maxMessageBytes: 25 * 1024 * 1024, alertAfterMs: 60_000 }
      const deps = { db: runtime.store.db, spool: runtime.spool, log: silentLogger }
      const start = performance.now()
      const intake = new ImapIntake([mailbox], deps, options)
      intake.start()
      for (;;) {
        const state = await findImapMailboxByName(runtime.store.db, 'bench')
        if (state?.last_success_at && Number(state.last_uid) >= corpus.length) break
        await new Promise((r) => setTimeout(r, 20))
      }
      const seconds = (performance.now() - start) / 1000
      await intake.stop()
      // Exactly once: every message, no duplicates, and a restarted intake fetches nothing again.
      const again = new ImapIntake([mailbox], deps, options)
      again.start()
      await new Promise((r) => setTimeout(r, 1000))
      await again.stop()
      const spooled = await countSpooled(runtime)
      if (spooled.rows !== corpus.length || spooled.distinct !== corpus.length) {
        throw new Error(`IMAP: expected ${corpus.length} messages spooled once each, got ${spooled.rows} rows / ${spooled.distinct} distinct`)
      }
      return corpus.length / seconds
    })
  } finally {
    await dovecot.destroy()
    rmSync(secrets, { recursive: true, force: true })
  }
}

async function smtpRate(corpus: Buffer[]): Promise<number> {
  return withRuntime(async (runtime) => {
    const smtp = new SmtpIntake(
      { host: '127.0.0.1', port: 0, acceptedRecipients: ['support@okpay.com'], maxMessageBytes: 25 * 1024 * 1024, maxClients: 100, serverName: 'localhost' },
      runtime.spool,
      silentLogger,
    )
    const address = await smtp.listen()
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: address.port, secure: false, ignoreTLS: true, pool: true, maxConnections: SMTP_CONNECTIONS, maxMessages: Infinity })
    try {
      const start = performance.now()
      await Promise.all(corpus.map((raw) => transport.sendMail({ envelope: { from: 'customer@example.com', to: ['support@okpay.com'] }, raw })))
      const seconds = (performance.now() - start) / 1000
      const spooled = await countSpooled(runtime)
      if (spooled.rows !== corpus.length) throw new Error(`SMTP: expected ${corpus.length} spooled, got ${spooled.rows}`)
      return corpus.length / seconds
    } finally {
      transport.close()
      await smtp.close()
    }
  })
}

export async function run(): Promise<Record<string, unknown>> {
  const corpus = loadGeneratedCorpus(COUNT)
  const imap = await medianOf(RUNS, (i) => imapRate(corpus, i))
  const smtp = await medianOf(RUNS, () => smtpRate(corpus))
  console.log(
    `generated corpus (${fmt(COUNT)} messages): IMAP intake from local Dovecot ${fmt(imap.median)} msg/s (each spooled exactly once, then flagged \\Seen); ` +
      `SMTP intake, ${SMTP_CONNECTIONS} parallel connections ${fmt(smtp.median)} msg/s; IMAP/SMTP ${fmt((imap.median / smtp.median) * 100, 1)}% [median of ${RUNS}, SQLite durable]`,
  )
  return {
    messages: COUNT,
    imapMsgPerSec: Math.round(imap.median),
    smtpMsgPerSec: Math.round(smtp.median),
    imapRuns: imap.runs.map(Math.round),
    smtpRuns: smtp.runs.map(Math.round),
    smtpConnections: SMTP_CONNECTIONS,
    exactlyOnce: true,
  }
}

await runIfMain(import.meta.url, run)
