import { randomBytes } from 'node:crypto'
import { mkdirSync, openSync, closeSync, fsyncSync, renameSync, writeSync } from 'node:fs'
import path from 'node:path'
import nodemailer from 'nodemailer'
import type { Config } from '../config.ts'
import type { Logger } from '../logger.ts'
import { loadOrCreateDkimKey, type DkimKey } from './dkim-key.ts'

/** A composed message ready to leave: the envelope and the unsigned RFC 5322 bytes. */
export interface OutgoingMail {
  messageIdHeader: string
  envelope: { from: string; to: string[] }
  raw: Buffer | string
}

/** Where outbound mail goes; every message is DKIM-signed on the way out. */
export interface MailTransport {
  /** 'outbox' writes .eml files; 'smtp' hands mail to the relay. */
  readonly kind: 'outbox' | 'smtp'
  /**
   * Signs and delivers one message; resolves once it is durably written or accepted by the relay.
   * @throws Error when the relay refuses or cannot be reached (the caller records and retries it).
   */
  send(mail: OutgoingMail): Promise<{ transportId: string }>
  close(): void
}

export interface MailTransportOptions {
  dataDir: string
  /** Unset: write to <dataDir>/outbox/. */
  smtpRelayUrl: string | undefined
  dkim: DkimKey
}

/** The transport named by the config: the SMTP relay when MAILDESK_SMTP_RELAY_URL is set, else the local outbox. */
export function createMailTransport(config: Config, log: Logger): MailTransport {
  const dkim = loadOrCreateDkimKey(config.dataDir, config.dkimSelector, config.brand.officialDomains[0] ?? 'localhost')
  return createMailTransportWith({ dataDir: config.dataDir, smtpRelayUrl: config.smtpRelayUrl, dkim }, log)
}

export function createMailTransportWith(options: MailTransportOptions, log: Logger): MailTransport {
  const dkim = { domainName: options.dkim.domainName, keySelector: options.dkim.keySelector, privateKey: options.dkim.privateKey }
  const child = log.child({ component: 'outbound' })
  if (options.smtpRelayUrl) return smtpTransport(options.smtpRelayUrl, dkim, child)
  return outboxTransport(path.join(options.dataDir, 'outbox'), dkim, child)
}

function smtpTransport(url: string, dkim: DkimKey, log: Logger): MailTransport {
  const relay = nodemailer.createTransport({
    url,
    // smtp:// upgrades with STARTTLS when offered; demand it for any relay off this machine, so relay credentials
    // and customer mail never cross the network in clear text because a middlebox stripped the STARTTLS offer.
    requireTLS: requiresTls(url),
    dkim,
    connectionTimeout: 30_000, // 30 s
    greetingTimeout: 30_000,
    socketTimeout: 60_000, // 1 min
  })
  const host = safeHost(url)
  return {
    kind: 'smtp',
    async send(mail) {
      const info = await relay.sendMail({ envelope: mail.envelope, raw: mail.raw })
      log.info({ relay: host, accepted: info.accepted.length }, 'outbound mail relayed')
      return { transportId: (info.response || 'accepted').slice(0, 200) }
    },
    close: () => relay.close(),
  }
}

function outboxTransport(dir: string, dkim: DkimKey, log: Logger): MailTransport {
  // The stream transport runs the same DKIM signer as SMTP, so an .eml in the outbox is exactly what a relay would get.
  const signer = nodemailer.createTransport({ streamTransport: true, buffer: true, dkim })
  return {
    kind: 'outbox',
    async send(mail) {
      const info = await signer.sendMail({ envelope: mail.envelope, raw: mail.raw })
      const bytes = Buffer.isBuffer(info.message) ? info.message : Buffer.from(String(info.message))
      const name = `${new Date().toISOString().replace(/[-:.]/g, '')}-${outboxId(mail.messageIdHeader)}.eml`
      writeFileDurably(dir, name, bytes)
      log.info({ file: name, sizeBytes: bytes.length }, 'outbound mail written to the outbox')
      return { transportId: name }
    },
    close: () => signer.close(),
  }
}

function outboxId(messageIdHeader: string): string {
  const local = /^<?([^@>]+)/.exec(messageIdHeader)?.[1] ?? ''
  const safe = local.replace(/[^A-Za-z0-9.]/g, '').slice(0, 80)
  return safe || randomBytes(8).toString('hex')
}

/** Write aside, fsync, rename, fsync the directory: a crash leaves either no file or the whole file. */
function writeFileDurably(dir: string, name: string, bytes: Buffer): void {
  mkdirSync(dir, { recursive: true })
  const temp = path.join(dir, `.${name}.${randomBytes(4).toString('hex')}.tmp`)
  const fd = openSync(temp, 'wx', 0o600)
  try {
    let offset = 0
    while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  renameSync(temp, path.join(dir, name))
  const dirFd = openSync(dir, 'r')
  try {
    fsyncSync(dirFd)
  } finally {
    closeSync(dirFd)
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
