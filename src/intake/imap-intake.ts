import { randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import type { ImapFlow, ImapFlowOptions } from 'imapflow'
import type { Logger } from '../logger.ts'
import { addressDomain } from '../logger.ts'
import type { Db } from '../store/database.ts'
import type { ImapMailboxConfig } from './imap-config.ts'
import { acquireImapMailboxLease, recordImapMailboxFailure, releaseImapMailboxLease, upsertImapMailbox } from './imap-mailbox.repository.ts'
import type { RawMessageSpool } from './raw-message-spool.ts'
import { SyncAbortedError, syncSelectedMailbox, type SyncResult } from './imap-sync.ts'

export interface ImapIntakeOptions {
  /** Larger messages are left on the server and logged (the SMTP limit, for the same reason). */
  maxMessageBytes: number
  /** A mailbox failing for this long raises an alert (an error log line and an `alert` event). */
  alertAfterMs: number
  /** Messages fetched, spooled and flagged on the server together. */
  batchSize?: number
  /** ...and at most this many bytes of them, since a batch is held in memory. */
  maxBatchBytes?: number
  /** Without IDLE: how often to look. With IDLE: how often to look anyway, against silent dead connections. */
  pollIntervalMs?: number
  /** Reconnect delays grow from this, doubling, up to maxDelayMs, with jitter. */
  initialDelayMs?: number
  maxDelayMs?: number
  /** Connect, greeting and socket timeouts for each connection. */
  connectTimeoutMs?: number
  /**
   * Only the process holding a mailbox's lease reads it; the lease is renewed while reading, and a
   * crashed holder's lease runs out after this long, when another process takes over.
   */
  leaseMs?: number
  now?: () => Date
  random?: () => number
}

/** Raised once per failure period when a mailbox has failed for longer than alertAfterMs. */
export interface MailboxAlert {
  mailbox: string
  failingSince: string
  code: string
  message: string
}

export interface ImapIntakeDeps {
  db: Db
  spool: RawMessageSpool
  log: Logger
}

/** Error codes recorded in a mailbox's health (imap_mailboxes.last_error_code). */
export type ImapFailureCode =
  | 'IMAP_AUTH_FAILED'
  | 'IMAP_CONNECTION_FAILED'
  | 'IMAP_FOLDER_NOT_FOUND'
  | 'IMAP_SECRET_UNREADABLE'
  | 'IMAP_ERROR'

/**
 * Delay before reconnect attempt `attempt` (0-based): exponential, capped, with "equal jitter" (half
 * fixed, half random) so mailboxes that failed together do not all come back in the same second.
 */
export function backoffDelayMs(attempt: number, initialMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30))
  return Math.round(ceiling / 2 + (ceiling / 2) * random())
}

class SecretUnreadableError extends Error {}

/** Another process took the mailbox over (this one stalled past its lease): stop reading it, quietly. */
class LeaseLostError extends Error {
  constructor(mailbox: string) {
    super(`the lease on mailbox ${mailbox} passed to another process`)
  }
}

/** A property ImapFlow (or Node) attaches to its errors, if present. */
function errorField(err: unknown, key: string): unknown {
  return typeof err === 'object' && err !== null ? Reflect.get(err, key) : undefined
}

function describeImapFailure(err: unknown, mailbox: ImapMailboxConfig): { code: ImapFailureCode; message: string } {
  const where = `${mailbox.host}:${mailbox.port}`
  if (err instanceof SecretUnreadableError) return { code: 'IMAP_SECRET_UNREADABLE', message: err.message }
  const responseText = errorField(err, 'responseText')
  const text = err instanceof Error ? err.message : String(err)
  if (errorField(err, 'authenticationFailed') === true) {
    const secret = mailbox.auth.kind === 'password' ? `the password in ${mailbox.auth.passwordFile}` : `the OAuth2 access token in ${mailbox.auth.tokenFile} (it may have expired)`
    const said = typeof responseText === 'string' ? ` (server said: ${responseText.slice(0, 200)})` : ''
    return { code: 'IMAP_AUTH_FAILED', message: `${where} rejected the login of mailbox "${mailbox.name}"${said}; check the user name and ${secret}` }
  }
  if (errorField(err, 'mailboxMissing') === true) {
    return { code: 'IMAP_FOLDER_NOT_FOUND', message: `folder "${mailbox.folder}" does not exist in mailbox "${mailbox.name}" on ${where}` }
  }
  const code = errorField(err, 'code')
  if (typeof code === 'string' && /^(E[A-Z]+|NoConnection|EConnectionClosed|CONNECT_TIMEOUT|GREETING_TIMEOUT|ETIMEOUT|ClosedAfterConnect\w*)$/.test(code)) {
    return { code: 'IMAP_CONNECTION_FAILED', message: `cannot reach ${where} for mailbox "${mailbox.name}": ${code} (${text.slice(0, 200)})` }
  }
  return { code: 'IMAP_ERROR', message: `mailbox "${mailbox.name}" on ${where}: ${text.slice(0, 300)}` }
}

/** Reads and polls (or IDLEs on) one mailbox, reconnecting with back-off; health goes to imap_mailboxes. */
class MailboxPoller {
  private stopping = false
  private aborted = false
  private hasNews = false
  private wake: (() => void) | undefined
  private loop: Promise<void> | undefined
  private client: ImapFlow | undefined
  private attempt = 0
  private alerted = false
  private readonly log: Logger

  constructor(
    private readonly mailbox: ImapMailboxConfig,
    private readonly deps: ImapIntakeDeps,
    private readonly opts: Required<ImapIntakeOptions>,
    private readonly onAlert: (alert: MailboxAlert) => void,
    private readonly owner: string,
  ) {
    this.log = deps.log.child({ mailbox: mailbox.name })
  }

  start(): void {
    this.loop ??= this.run()
  }

  /** Finishes the batch in flight, logs out, returns. */
  async stop(): Promise<void> {
    this.stopping = true
    this.wake?.()
    await this.loop
  }

  /** Drops the connection at once and writes nothing more, as a crash would. */
  async abort(): Promise<void> {
    this.aborted = true
    this.stopping = true
    this.client?.close()
    this.wake?.()
    await this.loop
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      try {
        if (!(await this.takeLease())) {
          // Another process reads this mailbox; look again in a while, in case it dies.
          await this.sleep(Math.min(this.opts.leaseMs / 2, this.opts.pollIntervalMs))
          continue
        }
        await this.session()
      } catch (err) {
        if (this.stopping) break
        if (err instanceof LeaseLostError) {
          this.log.warn('imap mailbox taken over by another process')
          continue
        }
        await this.recordFailure(err)
      }
      if (this.stopping) break
      await this.sleep(backoffDelayMs(this.attempt++, this.opts.initialDelayMs, this.opts.maxDelayMs, this.opts.random))
    }
    if (!this.aborted) await releaseImapMailboxLease(this.deps.db, this.mailbox.name, this.owner).catch(() => {})
  }

  private takeLease(): Promise<boolean> {
    return acquireImapMailboxLease(this.deps.db, this.mailbox.name, this.owner, this.opts.now(), this.opts.leaseMs)
  }

  private async renewLease(): Promise<void> {
    if (!(await this.takeLease())) throw new LeaseLostError(this.mailbox.name)
  }

  private async readSecret(): Promise<string> {
    const file = this.mailbox.auth.kind === 'password' ? this.mailbox.auth.passwordFile : this.mailbox.auth.tokenFile
    try {
      return (await readFile(file, 'utf8')).trim()
    } catch (err) {
      throw new SecretUnreadableError(`cannot read the secret of mailbox "${this.mailbox.name}" from ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`)
    }
  }

  private async clientOptions(): Promise<ImapFlowOptions> {
    const m = this.mailbox
    const secret = await this.readSecret()
    return {
      host: m.host,
      port: m.port,
      secure: m.tls,
      // Credentials never cross the wire in clear: STARTTLS is required unless the server is a local test one.
      doSTARTTLS: m.tls ? undefined : !m.allowPlaintext,
      auth: m.auth.kind === 'password' ? { user: m.user, pass: secret } : { user: m.user, accessToken: secret },
      logger: false,
      disableAutoIdle: true,
      connectionTimeout: this.opts.connectTimeoutMs,
      greetingTimeout: this.opts.connectTimeoutMs,
      socketTimeout: Math.max(this.opts.pollIntervalMs * 2, 5 * 60_000),
      maxIdleTime: Math.min(this.opts.pollIntervalMs, 25 * 60_000), // RFC 9051: servers may drop IDLE after 30 minutes
      clientInfo: { name: 'Maildesk' },
      // A message is fetched one byte past the size limit at most (imap-sync.ts); a server sending a longer literal
      // anyway fails the connection instead of filling memory (imapflow's default allows 1 GiB).
      maxLiteralSize: this.opts.maxMessageBytes + 1,
      maxResponseSize: this.opts.maxMessageBytes + 64 * 1024,
    }
  }

  private async session(): Promise<void> {
    // Loaded when a mailbox is first polled: most nodes poll none, and imapflow costs several MB of memory idle.
    const { ImapFlow } = await import('imapflow')
    const client = new ImapFlow(await this.clientOptions())
    this.client = client
    let closed = false
    client.once('close', () => {
      closed = true
      this.wake?.()
    })
    // ImapFlow emits 'error' before closing; without a listener it would crash the process.
    client.on('error', (err: Error) => this.log.debug({ err }, 'imap connection error'))
    client.on('exists', () => {
      this.hasNews = true
      this.wake?.()
    })
    try {
      await client.connect()
      await client.mailboxOpen(this.mailbox.folder)
      const after = this.mailbox.afterFetch
      if (after.action === 'move') await client.mailboxCreate(after.folder).catch(() => {}) // exists already: fine
      this.log.info({ host: this.mailbox.host, idle: client.capabilities.has('IDLE'), userDomain: addressDomain(this.mailbox.user) }, 'imap mailbox connected')
      while (!this.stopping) {
        this.hasNews = false
        const result = await syncSelectedMailbox({
          client,
          db: this.deps.db,
          spool: this.deps.spool,
          mailbox: this.mailbox,
          maxMessageBytes: this.opts.maxMessageBytes,
          batchSize: this.opts.batchSize,
          maxBatchBytes: this.opts.maxBatchBytes,
          now: this.opts.now,
          log: this.log,
          isStopping: () => this.stopping,
          isAborted: () => this.aborted,
          renewLease: () => this.renewLease(),
        })
        await this.recordSuccess(result)
        if (this.stopping) break
        await this.waitForNews(client, () => closed)
        if (closed && !this.stopping) throw Object.assign(new Error('the server closed the connection'), { code: 'EConnectionClosed' })
      }
    } finally {
      this.client = undefined
      if (!closed) {
        if (this.aborted) client.close()
        else await client.logout().catch(() => client.close())
      }
    }
  }

  /**
   * IDLE (or just wait, without it) until the server reports new mail, the poll interval passes, or stop;
   * the lease is renewed meanwhile, which needs no IMAP command, so IDLE goes on undisturbed.
   */
  private async waitForNews(client: ImapFlow, isClosed: () => boolean): Promise<void> {
    if (this.hasNews) return
    if (client.capabilities.has('IDLE')) void client.idle().catch(() => {}) // the next command ends it
    const pollAt = Date.now() + this.opts.pollIntervalMs
    while (!this.hasNews && !this.stopping && !isClosed() && Date.now() < pollAt) {
      await this.sleep(Math.min(pollAt - Date.now(), this.opts.leaseMs / 3))
      if (!this.hasNews && !this.stopping && !isClosed()) await this.renewLease()
    }
  }

  private async sleep(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms)
      this.wake = () => {
        clearTimeout(timer)
        resolve()
      }
    })
    this.wake = undefined
  }

  private async recordSuccess(result: SyncResult): Promise<void> {
    this.attempt = 0
    this.alerted = false
    const now = this.opts.now().toISOString()
    await upsertImapMailbox(this.deps.db, this.mailbox.name, { last_success_at: now, failing_since: null, backlog: result.backlog, updated_at: now })
  }

  private async recordFailure(err: unknown): Promise<void> {
    if (err instanceof SyncAbortedError) return
    const failure = describeImapFailure(err, this.mailbox)
    const now = this.opts.now()
    try {
      const row = await recordImapMailboxFailure(this.deps.db, this.mailbox.name, { ...failure, now })
      this.log.warn({ code: failure.code, attempt: this.attempt, err }, 'imap mailbox failed; will reconnect')
      const failingSince = row.failing_since ?? now.toISOString()
      if (!this.alerted && now.getTime() - Date.parse(failingSince) >= this.opts.alertAfterMs) {
        this.alerted = true
        const alert: MailboxAlert = { mailbox: this.mailbox.name, failingSince, ...failure }
        this.log.error({ code: failure.code, failingSince }, 'imap mailbox has been failing longer than the alert threshold')
        this.onAlert(alert)
      }
    } catch (dbErr) {
      this.log.error({ err: dbErr, code: failure.code }, 'imap mailbox failed and its health could not be recorded')
    }
  }
}

/**
 * IMAP intake for every configured mailbox: IDLE where offered, polling otherwise; spools what it fetches
 * and only then marks, moves or deletes it on the server; reconnects with back-off; records health.
 */
export class ImapIntake {
  private readonly pollers: MailboxPoller[]
  private readonly alertListeners: Array<(alert: MailboxAlert) => void> = []
  /** This intake's name in imap_mailboxes.lease_owner: host, pid and a random part. */
  readonly owner = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`

  constructor(mailboxes: readonly ImapMailboxConfig[], deps: ImapIntakeDeps, options: ImapIntakeOptions) {
    const opts: Required<ImapIntakeOptions> = {
      batchSize: 100,
      maxBatchBytes: 32 * 1024 * 1024, // 32 MiB
      pollIntervalMs: 60_000, // 1 min
      initialDelayMs: 1000,
      maxDelayMs: 5 * 60_000, // 5 min
      connectTimeoutMs: 30_000,
      leaseMs: 60_000, // 1 min
      now: () => new Date(),
      random: Math.random,
      ...options,
    }
    const log = deps.log.child({ component: 'imap' })
    this.pollers = mailboxes.map((m) => new MailboxPoller(m, { ...deps, log }, opts, (alert) => this.alertListeners.forEach((l) => l(alert)), this.owner))
  }

  /** Called when a mailbox has failed for longer than alertAfterMs (once per failure period). */
  onAlert(listener: (alert: MailboxAlert) => void): void {
    this.alertListeners.push(listener)
  }

  start(): void {
    for (const p of this.pollers) p.start()
  }

  /** Lets every mailbox finish the batch in flight, logs out. */
  async stop(): Promise<void> {
    await Promise.all(this.pollers.map((p) => p.stop()))
  }

  /** Drops every connection at once and writes nothing more: a crash, for tests. */
  async abort(): Promise<void> {
    await Promise.all(this.pollers.map((p) => p.abort()))
  }
}
