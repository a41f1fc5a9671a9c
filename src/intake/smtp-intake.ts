import { readFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { SMTPServer, type SMTPServerDataStream, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server'
import type { Logger } from '../logger.ts'
import { addressDomain } from '../logger.ts'
import type { RawMessageSpool } from './raw-message-spool.ts'

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
}

const MAX_RECIPIENTS = 100

/** An SMTP reply code carried on an Error, as smtp-server expects. */
function smtpError(code: number, message: string): Error & { responseCode: number } {
  return Object.assign(new Error(message), { responseCode: code })
}

/**
 * The SMTP receiver. Accepts mail for the official addresses only and answers 250 only after the
 * spool has committed the bytes.
 */
export class SmtpIntake {
  private readonly server: SMTPServer
  private readonly accepted: Set<string>

  constructor(
    private readonly options: SmtpIntakeOptions,
    private readonly spool: RawMessageSpool,
    private readonly log: Logger,
  ) {
    this.accepted = new Set(options.acceptedRecipients.map((a) => a.toLowerCase()))
    const tls: Partial<SMTPServerOptions> = options.tls
      ? { key: readFileSync(options.tls.keyFile), cert: readFileSync(options.tls.certFile) }
      : {}
    this.server = new SMTPServer({
      name: options.serverName,
      banner: 'Maildesk ESMTP',
      size: options.maxMessageBytes,
      maxClients: options.maxClients,
      authOptional: true,
      disabledCommands: options.tls ? ['AUTH'] : ['AUTH', 'STARTTLS'],
      hideSTARTTLS: !options.tls,
      logger: false,
      socketTimeout: 60_000,
      closeTimeout: 30_000,
      ...tls,
      onMailFrom: (address, _session, callback) => {
        // smtp-server already refuses a declared SIZE above the limit; this guards odd addresses.
        if (address.address.length > 320) return callback(smtpError(553, 'sender address is too long'))
        callback()
      },
      onRcptTo: (address, session, callback) => this.checkRecipient(address.address, session, callback),
      onData: (stream, session, callback) => this.receive(stream, session, callback),
    })
    this.server.on('error', (err) => this.log.warn({ err }, 'smtp connection error'))
  }

  private checkRecipient(address: string, session: SMTPServerSession, callback: (err?: Error) => void): void {
    if (session.envelope.rcptTo.length >= MAX_RECIPIENTS) {
      return callback(smtpError(452, `too many recipients (at most ${MAX_RECIPIENTS} per message)`))
    }
    if (!this.accepted.has(address.toLowerCase())) {
      this.log.info({ rcptDomain: addressDomain(address) }, 'recipient refused')
      return callback(smtpError(550, `mailbox unavailable: ${address.length > 100 ? 'this address' : address} is not an address of this service`))
    }
    callback()
  }

  private receive(stream: SMTPServerDataStream, session: SMTPServerSession, callback: (err?: Error | null, message?: string) => void): void {
    const chunks: Buffer[] = []
    let size = 0
    stream.on('data', (chunk: Buffer) => {
      // Past the limit smtp-server keeps reading to the end of DATA but we stop keeping the bytes.
      if (size <= this.options.maxMessageBytes) chunks.push(chunk)
      size += chunk.length
    })
    stream.on('error', (err) => callback(err))
    stream.on('end', () => {
      if (stream.sizeExceeded || size > this.options.maxMessageBytes) {
        this.log.info({ sizeBytes: size }, 'message refused: too large')
        return callback(smtpError(552, `message exceeds the size limit of ${this.options.maxMessageBytes} bytes`))
      }
      const raw = Buffer.concat(chunks, size)
      chunks.length = 0
      const mailFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined
      this.spool
        .spool({
          raw,
          source: 'smtp',
          mailFrom: mailFrom || undefined,
          rcptTo: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
          remoteAddress: session.remoteAddress,
        })
        .then(
          (id) => callback(null, `OK: queued as ${id}`),
          (err: unknown) => {
            this.log.error({ err }, 'spool write failed; message refused with 451')
            callback(smtpError(451, 'temporary storage failure; please try again later'))
          },
        )
    })
  }

  async listen(): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject)
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.off('error', reject)
        resolve()
      })
    })
    return (this.server.server.address() as AddressInfo)
  }

  /** Stops accepting connections and waits for open sessions to end (or closeTimeout). */
  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }
}
