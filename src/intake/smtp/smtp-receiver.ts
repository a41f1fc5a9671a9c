import net, { type AddressInfo, type Socket } from 'node:net'
import type { SecureContext } from 'node:tls'
import { formatReply, reply } from './smtp-command.ts'
import { SmtpSession, type SmtpHandlers } from './smtp-session.ts'

export interface SmtpReceiverOptions {
  host: string
  port: number
  /** Host name in the greeting and EHLO reply. */
  serverName: string
  /** Announced with SIZE; bigger messages get 552. */
  maxMessageBytes: number
  /** Connections beyond this get 421 at once. */
  maxClients: number
  /**
   * Connections from one address beyond this get 421 (Postfix's smtpd_client_connection_count_limit), so one host
   * cannot take every slot; loopback is exempt, as Postfix exempts $mynetworks. Default: a quarter of maxClients.
   */
  maxClientsPerAddress?: number
  /** Addresses the per-address limit does not apply to. Default: loopback (127.0.0.0/8, ::1). */
  limitExempt?: (address: string) => boolean
  /** Recipients per message beyond this get 452 (RFC 5321 4.5.3.1.8 asks for at least 100). */
  maxRecipients?: number
  /** Command line limit without CRLF (RFC 5321 allows 512 octets plus extension parameters). Default 4 KiB. */
  maxLineBytes?: number
  /**
   * Errors (5xx replies: junk commands, bad syntax, refused recipients) before the session is closed with 421.
   * Default 20, Postfix's smtpd_hard_error_limit: a customer who copies a dozen guessed addresses of ours
   * (ceo@, legal@…) beside support@ must still get the message through, and a client trying address after address
   * is still stopped.
   */
  maxBadCommands?: number
  /** A session silent this long gets 421 and is closed. Default 60 s. */
  socketTimeoutMs?: number
  /** close() waits this long for sessions to finish, then cuts them. Default 30 s. */
  closeTimeoutMs?: number
  /** With a context, STARTTLS is offered. */
  tls?: SecureContext | undefined
}

/**
 * A small RFC 5321 receiving server on node:net: the sockets, the connection limit and a graceful close. Each
 * connection is an SmtpSession. Written for Maildesk because smtp-server's fixed 100 ms greet pause and stream-based
 * DATA kept it at 40% of Postfix's smtp-sink without any storage (docs/deploy.md).
 */
export class SmtpReceiver {
  private readonly server: net.Server
  private readonly sessions = new Set<SmtpSession>()
  /** Open sessions per remote address. */
  private readonly connectionsFrom = new Map<string, number>()
  private stopping = false

  constructor(
    private readonly options: SmtpReceiverOptions,
    private readonly handlers: SmtpHandlers,
  ) {
    // Half-open: a client may send its last message and QUIT, then FIN at once; its 250 comes after the commit.
    this.server = net.createServer({ allowHalfOpen: true }, (socket) => this.accept(socket))
  }

  private accept(socket: Socket): void {
    const address = socket.remoteAddress ?? ''
    const perAddress = this.options.maxClientsPerAddress ?? Math.max(1, Math.ceil(this.options.maxClients / 4))
    const refusal =
      this.stopping || this.sessions.size >= this.options.maxClients
        ? `${this.options.serverName} too many connections, try again later`
        : !(this.options.limitExempt ?? isLoopback)(address) && (this.connectionsFrom.get(address) ?? 0) >= perAddress
          ? `${this.options.serverName} too many connections from your address, try again later`
          : undefined
    if (refusal) {
      socket.on('error', () => {})
      socket.end(formatReply(reply(421, '4.3.2', refusal)))
      return
    }
    this.connectionsFrom.set(address, (this.connectionsFrom.get(address) ?? 0) + 1)
    const session = new SmtpSession(
      socket,
      {
        serverName: this.options.serverName,
        maxMessageBytes: this.options.maxMessageBytes,
        maxRecipients: this.options.maxRecipients ?? 100,
        maxLineBytes: this.options.maxLineBytes ?? 4096,
        maxBadCommands: this.options.maxBadCommands ?? 20,
        tls: this.options.tls,
      },
      this.handlers,
      this.options.socketTimeoutMs ?? 60_000,
    )
    this.sessions.add(session)
    void session.ended.then(() => {
      this.sessions.delete(session)
      const left = (this.connectionsFrom.get(address) ?? 1) - 1
      if (left > 0) this.connectionsFrom.set(address, left)
      else this.connectionsFrom.delete(address)
    })
  }

  /** Binds the port; rejects when it is taken. */
  async listen(): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject)
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.off('error', reject)
        resolve()
      })
    })
    return this.server.address() as AddressInfo
  }

  /**
   * Stops accepting connections; idle sessions get 421 at once, a session in the middle of a message gets its reply
   * (250 after the commit) and then 421. After closeTimeoutMs the rest are cut.
   */
  async close(): Promise<void> {
    this.stopping = true
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()))
    for (const session of this.sessions) session.shutdown()
    const timeoutMs = this.options.closeTimeoutMs ?? 30_000
    let timer: NodeJS.Timeout | undefined
    const timedOut = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        for (const session of this.sessions) session.destroy()
        resolve()
      }, timeoutMs)
    })
    await Promise.race([Promise.all([...this.sessions].map((s) => s.ended)), timedOut])
    clearTimeout(timer)
    await closed
  }
}

function isLoopback(address: string): boolean {
  return address.startsWith('127.') || address === '::1' || address.startsWith('::ffff:127.')
}
