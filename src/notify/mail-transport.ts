import { randomBytes } from 'node:crypto'
import { mkdir, open, rename, rm } from 'node:fs/promises'
import path from 'node:path'
import { syncDirectory } from '../sync-directory.ts'
import nodemailer from 'nodemailer'
import type { Config } from '../config.ts'
import type { Logger } from '../logger.ts'
import { loadOrCreateDkimKey, type DkimKey } from './dkim-key.ts'
import { createDkimSigner, type DkimSigner } from './dkim-signer.ts'

/** A composed message ready to leave: the envelope and the unsigned RFC 5322 bytes. */
export interface OutgoingMail {
  messageIdHeader: string
  envelope: { from: string; to: string[] }
  raw: Buffer | string
}

export type SendOutcome = PromiseSettledResult<{ transportId: string }>

/** Where outbound mail goes; every message is DKIM-signed on the way out. */
export interface MailTransport {
  /** 'outbox' writes .eml files; 'smtp' hands mail to the relay. */
  readonly kind: 'outbox' | 'smtp'
  /**
   * Signs and delivers one message; resolves once it is durably written or accepted by the relay.
   * @throws Error when the relay refuses or cannot be reached (the caller records and retries it).
   */
  send(mail: OutgoingMail): Promise<{ transportId: string }>
  /**
   * Signs and delivers several messages, one outcome each in the same order (one refused message does not fail the
   * others); resolves once every message is durably written, accepted by the relay, or has failed.
   */
  sendMany(mails: OutgoingMail[]): Promise<SendOutcome[]>
  close(): void
}

export interface MailTransportOptions {
  dataDir: string
  /** Unset: write to <dataDir>/outbox/. */
  smtpRelayUrl: string | undefined
  dkim: DkimKey
}

/** Messages handed to the relay at once by sendMany, each on its own connection (as many as the worker's after-commit tasks used to open). */
const RELAY_CONCURRENCY = 4

/** The transport named by the config: the SMTP relay when MAILDESK_SMTP_RELAY_URL is set, else the local outbox. */
export function createMailTransport(config: Config, log: Logger): MailTransport {
  const dkim = loadOrCreateDkimKey(config.dataDir, config.dkimSelector, config.brand.officialDomains[0] ?? 'localhost')
  return createMailTransportWith({ dataDir: config.dataDir, smtpRelayUrl: config.smtpRelayUrl, dkim }, log)
}

export function createMailTransportWith(options: MailTransportOptions, log: Logger): MailTransport {
  const child = log.child({ component: 'outbound' })
  // Both transports sign with our signer (same bytes as nodemailer's, RSA off the event loop; see dkim-signer.ts),
  // so nodemailer itself gets no dkim option and passes the signed bytes through unchanged.
  let reported = false
  const signer = createDkimSigner(options.dkim, (err) => {
    if (reported) return
    reported = true
    child.error({ err, selector: options.dkim.keySelector }, 'DKIM key cannot sign; outbound mail leaves unsigned')
  })
  if (options.smtpRelayUrl) return smtpTransport(options.smtpRelayUrl, signer, child)
  return outboxTransport(path.join(options.dataDir, 'outbox'), signer, child)
}

function bytesOf(raw: Buffer | string): Buffer {
  return Buffer.isBuffer(raw) ? raw : Buffer.from(raw, 'utf8')
}

async function sendOne(transport: MailTransport, mail: OutgoingMail): Promise<{ transportId: string }> {
  const [outcome] = await transport.sendMany([mail])
  if (!outcome) throw new Error('the transport returned no outcome')
  if (outcome.status === 'rejected') throw outcome.reason
  return outcome.value
}

function smtpTransport(url: string, signer: DkimSigner, log: Logger): MailTransport {
  const relay = nodemailer.createTransport({
    url,
    // smtp:// upgrades with STARTTLS when offered; demand it for any relay off this machine, so relay credentials
    // and customer mail never cross the network in clear text because a middlebox stripped the STARTTLS offer.
    requireTLS: requiresTls(url),
    connectionTimeout: 30_000, // 30 s
    greetingTimeout: 30_000,
    socketTimeout: 60_000, // 1 min
  })
  const host = safeHost(url)
  const relayOne = async (mail: OutgoingMail): Promise<{ transportId: string }> => {
    const signed = await signer.sign(bytesOf(mail.raw))
    const info = await relay.sendMail({ envelope: mail.envelope, raw: signed })
    log.info({ relay: host, accepted: info.accepted.length }, 'outbound mail relayed')
    return { transportId: (info.response || 'accepted').slice(0, 200) }
  }
  const transport: MailTransport = {
    kind: 'smtp',
    send: (mail) => sendOne(transport, mail),
    async sendMany(mails) {
      const outcomes = new Array<SendOutcome>(mails.length)
      let next = 0
      const lane = async () => {
        for (let i = next++, mail = mails[i]; mail; i = next++, mail = mails[i]) {
          outcomes[i] = await relayOne(mail).then(
            (value): SendOutcome => ({ status: 'fulfilled', value }),
            (reason: unknown): SendOutcome => ({ status: 'rejected', reason }),
          )
        }
      }
      await Promise.all(Array.from({ length: Math.min(RELAY_CONCURRENCY, mails.length) }, lane))
      return outcomes
    },
    close: () => relay.close(),
  }
  return transport
}

function outboxTransport(dir: string, signer: DkimSigner, log: Logger): MailTransport {
  const transport: MailTransport = {
    kind: 'outbox',
    send: (mail) => sendOne(transport, mail),
    async sendMany(mails) {
      // All messages of a batch are signed and written at once: the RSA operations, writes and file fsyncs run on
      // libuv's thread pool side by side, and the directory is fsynced once for the lot.
      const files = mails.map((mail) => ({ name: `${new Date().toISOString().replace(/[-:.]/g, '')}-${outboxId(mail.messageIdHeader)}.eml`, mail }))
      try {
        await mkdir(dir, { recursive: true })
      } catch (err) {
        return mails.map((): SendOutcome => ({ status: 'rejected', reason: err }))
      }
      const written = await Promise.allSettled(
        files.map(async ({ name, mail }) => {
          const bytes = await signer.sign(bytesOf(mail.raw))
          await writeFileAside(dir, name, bytes)
          return bytes.length
        }),
      )
      // A rename is durable once the directory is fsynced: until then no message counts as written.
      const dirSyncError = written.some((w) => w.status === 'fulfilled') ? await syncDirectory(dir).then(() => undefined, (err: unknown) => err) : undefined
      return written.map((w, i): SendOutcome => {
        const name = files[i]?.name ?? ''
        if (w.status === 'rejected') return w
        if (dirSyncError !== undefined) return { status: 'rejected', reason: dirSyncError }
        log.info({ file: name, sizeBytes: w.value }, 'outbound mail written to the outbox')
        return { status: 'fulfilled', value: { transportId: name } }
      })
    },
    close: () => {},
  }
  return transport
}

function outboxId(messageIdHeader: string): string {
  const local = /^<?([^@>]+)/.exec(messageIdHeader)?.[1] ?? ''
  const safe = local.replace(/[^A-Za-z0-9.]/g, '').slice(0, 80)
  return safe || randomBytes(8).toString('hex')
}

/**
 * Write aside, fsync, rename into place: a crash leaves either no file or the whole file (the caller fsyncs the
 * directory to make the rename durable). A failed write removes its temporary file.
 */
async function writeFileAside(dir: string, name: string, bytes: Buffer): Promise<void> {
  const temp = path.join(dir, `.${name}.${randomBytes(4).toString('hex')}.tmp`)
  const file = await open(temp, 'wx', 0o600)
  try {
    try {
      await file.writeFile(bytes)
      await file.sync()
    } finally {
      await file.close()
    }
    await rename(temp, path.join(dir, name))
  } catch (err) {
    await rm(temp, { force: true }).catch(() => {})
    throw err
  }
}

function requiresTls(url: string): boolean {
  try {
    const { protocol, hostname } = new URL(url)
    const loopback = hostname === 'localhost' || hostname === '[::1]' || hostname === '::1' || /^127\./.test(hostname)
    return protocol === 'smtp:' && !loopback
  } catch {
    return true
  }
}

/** The relay's host for logs; never its credentials. */
function safeHost(url: string): string {
  try {
    return new URL(url).host
  } catch {
    return 'relay'
  }
}
