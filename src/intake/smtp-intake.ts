import { readFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { createSecureContext } from 'node:tls'
import type { Logger } from '../logger.ts'
import { addressDomain } from '../logger.ts'
import { removeOrphanRawMessageFiles, removeRawMessageFile, SpillingRawSink, type RawMessageFile } from './raw-message-file.ts'
import type { RawMessageSpool } from './raw-message-spool.ts'
import { reply, type SmtpReply } from './smtp/smtp-command.ts'
import { SmtpReceiver } from './smtp/smtp-receiver.ts'
import type { SmtpEnvelope } from './smtp/smtp-session.ts'

export interface SmtpIntakeOptions {
  host: string
  port: number
  /** Lowercased addresses mail is accepted for; anything else gets 550. */
  acceptedRecipients: string[]
  maxMessageBytes: number
  maxClients: number
  /** Host name in the greeting. */
  serverName: string
  tls?: { keyFile: string; certFile: string } | undefined
  /** A silent session is closed with 421 after this long. Default 60 s. */
  socketTimeoutMs?: number
  /** close() waits this long for open sessions. Default 30 s. */
  closeTimeoutMs?: number
  /**
   * Messages above 1 MiB are encrypted into files in `dir` (<data-dir>/spool/raw, shared by all nodes) as they
   * arrive, never whole in memory; without it every message is held in memory until spooled.
   */
  rawFiles?: { dir: string; rawMessageKey: Buffer } | undefined
}

const MAX_RECIPIENTS = 100

/**
 * Letter case of A–Z only. String#toLowerCase maps look-alikes onto ASCII (the Kelvin sign U+212A becomes "k"), so
 * support@o\u212Apay.com would match support@okpay.com and be stored as it.
 */
function asciiLowerCase(address: string): string {
  return address.replace(/[A-Z]+/g, (letters) => letters.toLowerCase())
}

/**
 * The SMTP receiver. Accepts mail for the official addresses only and answers 250 only after the
 * spool has committed the bytes.
 */
export class SmtpIntake {
  private readonly receiver: SmtpReceiver
  private readonly accepted: Set<string>

  constructor(
    private readonly options: SmtpIntakeOptions,
    private readonly spool: RawMessageSpool,
    private readonly log: Logger,
  ) {
    this.accepted = new Set(options.acceptedRecipients.map((a) => a.toLowerCase()))
    const rawFiles = options.rawFiles
    this.receiver = new SmtpReceiver(
      {
        host: options.host,
        port: options.port,
        serverName: options.serverName,
        maxMessageBytes: options.maxMessageBytes,
        maxClients: options.maxClients,
        maxRecipients: MAX_RECIPIENTS,
        socketTimeoutMs: options.socketTimeoutMs ?? 60_000,
        closeTimeoutMs: options.closeTimeoutMs ?? 30_000,
        tls: options.tls ? createSecureContext({ key: readFileSync(options.tls.keyFile), cert: readFileSync(options.tls.certFile) }) : undefined,
      },
      {
        checkRecipient: (address) => this.checkRecipient(address),
        receiveMessage: (raw, envelope) => this.receive(raw, envelope),
        ...(rawFiles ? { createRawSink: () => new SpillingRawSink(rawFiles.dir, rawFiles.rawMessageKey) } : {}),
        onEvent: (event, details) => {
          if (event === 'too-large') this.log.info(details, 'message refused: too large')
          else if (event === 'failure') this.log.error(details, 'spool write failed; message refused with 451')
          else this.log.warn(details, 'smtp connection error')
        },
      },
    )
  }

  private checkRecipient(address: string): SmtpReply | undefined {
    if (this.accepted.has(asciiLowerCase(address))) return undefined
    this.log.info({ rcptDomain: addressDomain(address) }, 'recipient refused')
    // Echoed only when short printable ASCII (RFC 5321 4.2: reply text is printable US-ASCII).
    const shown = address.length <= 100 && /^[\x21-\x7e]+$/.test(address) ? address : 'this address'
    return reply(550, '5.1.1', `mailbox unavailable: ${shown} is not an address of this service`)
  }

  private async receive(raw: Buffer | RawMessageFile, envelope: SmtpEnvelope): Promise<SmtpReply> {
    let id: number
    try {
      id = await this.spool.spool({
        raw,
        source: 'smtp',
        mailFrom: envelope.mailFrom || undefined,
        rcptTo: envelope.rcptTo.map(asciiLowerCase),
        remoteAddress: envelope.remoteAddress,
      })
    } catch (err) {
      // Not committed: the client gets 451 and sends again, so the file is nobody's.
      if (!Buffer.isBuffer(raw) && this.options.rawFiles) await removeRawMessageFile(this.options.rawFiles.dir, raw.name).catch(() => {})
      throw err
    }
    return reply(250, '2.0.0', `OK: queued as ${id}`)
  }

  async listen(): Promise<AddressInfo> {
    // Temporary files of a receiver that died mid-DATA (this node or another sharing the data directory).
    if (this.options.rawFiles) {
      const removed = await removeOrphanRawMessageFiles(this.options.rawFiles.dir)
      if (removed > 0) this.log.info({ removed }, 'removed unfinished raw message files')
    }
    return this.receiver.listen()
  }

  /** Stops accepting connections and waits for open sessions to end (or closeTimeout). */
  async close(): Promise<void> {
    await this.receiver.close()
  }
}
