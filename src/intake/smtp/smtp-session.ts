import type { Socket } from 'node:net'
import { TLSSocket, type SecureContext } from 'node:tls'
import type { RawMessageFile } from '../raw-message-file.ts'
import { DataReader, type DataSink } from './data-reader.ts'
import { formatReply, MAX_ADDRESS_LENGTH, parseCommandLine, parsePath, reply, type SmtpReply } from './smtp-command.ts'

/** What a session has been told so far in the current transaction. */
export interface SmtpEnvelope {
  /** The MAIL FROM address; '' for the null sender <>. */
  mailFrom: string
  rcptTo: string[]
  remoteAddress: string | undefined
}

/** The decisions the receiver leaves to its owner. */
export interface SmtpHandlers {
  /** undefined accepts the recipient; a reply refuses it. */
  checkRecipient(address: string, envelope: SmtpEnvelope): SmtpReply | undefined
  /**
   * Takes a complete message; the reply is sent when the promise settles. A rejection is answered with 451: the
   * message was not accepted and the client will retry.
   */
  receiveMessage(raw: Buffer | RawMessageFile, envelope: SmtpEnvelope): Promise<SmtpReply>
  /**
   * Where each message's bytes go while DATA arrives; without it they are kept in memory. A large message is then
   * written to a durable file and never whole in memory (see intake/raw-message-file.ts).
   */
  createRawSink?(): RawSink
  /** A message that was too large, a socket error or an unexpected failure, for the logs. */
  onEvent?(event: 'too-large' | 'socket-error' | 'failure', details: Record<string, unknown>): void
}

/** A DATA sink that ends as the message's bytes or its durable file, or is dropped (too large, connection lost). */
export interface RawSink extends DataSink {
  finish(): Promise<Buffer | RawMessageFile>
  abort(): Promise<void>
}

export interface SmtpSessionOptions {
  serverName: string
  maxMessageBytes: number
  maxRecipients: number
  /** A command line longer than this (without CRLF) gets 500. */
  maxLineBytes: number
  /** After this many 500/501/502/503 replies the session is closed with 421. */
  maxBadCommands: number
  /** With a context, STARTTLS is announced and offered. */
  tls: SecureContext | undefined
}

const CRLF_LF = 0x0a
/** While a message is being stored, at most this much pipelined input is buffered before the socket is paused. */
const MAX_BUFFERED_INPUT = 64 * 1024
/** A client that does not read its replies is not fed more than this before we stop reading from it. */
const MAX_UNREAD_OUTPUT = 256 * 1024

const OK = reply(250, '2.0.0', 'OK')

/**
 * One SMTP conversation (RFC 5321 server side): reads commands, keeps the transaction state, reads DATA, hands
 * complete messages to the owner and answers in order. Pipelined commands (RFC 2920) are answered in one write.
 */
export class SmtpSession {
  private socket: Socket
  private pending: Buffer | undefined
  /** A command line that grew past maxLineBytes: ignore until its LF. */
  private discardingLine = false
  private reader: DataReader | undefined
  private sink: RawSink | undefined
  /** The sink's write failed (disk full, …): the rest of DATA is read and dropped, and the message gets 451. */
  private sinkError: unknown
  /** A message is being stored; input waits in `pending`. */
  private busy = false
  private closed = false
  private closing = false
  private greeted: 'EHLO' | 'HELO' | undefined
  private envelope: SmtpEnvelope | undefined
  private secure = false
  private badCommands = 0
  private output = ''
  private waitingForDrain = false
  /** The client has half-closed (sent FIN): nothing more will come, but replies owed are still sent. */
  private inputEnded = false
  /**
   * Runs while a command line or a message is incomplete. The idle timer restarts on every byte, so a client sending
   * a byte every few seconds would hold its connection for hours: a command line must be whole within the idle time,
   * and DATA within ten times it.
   */
  private deadline: NodeJS.Timeout | undefined
  readonly ended: Promise<void>

  constructor(
    socket: Socket,
    private readonly options: SmtpSessionOptions,
    private readonly handlers: SmtpHandlers,
    socketTimeoutMs: number,
  ) {
    this.socket = socket
    this.ended = new Promise((resolve) => socket.once('close', () => resolve()))
    this.deadlineMs = socketTimeoutMs
    socket.once('end', () => {
      this.inputEnded = true
      this.endIfInputDone()
    })
    socket.once('close', () => {
      this.closed = true
      clearTimeout(this.deadline)
      // A connection lost mid-DATA: nothing was accepted, so a temporary file is dropped.
      void this.sink?.abort()
      this.sink = undefined
    })
    socket.setNoDelay(true)
    socket.setTimeout(socketTimeoutMs, () => this.quit(reply(421, '4.4.2', `${options.serverName} idle for too long, closing connection`)))
    this.attach(socket)
    // No greet pause: a client that talks before the greeting can't be told from one that talks right after it
    // without waiting, and waiting is what capped smtp-server at 10 connections a second per session.
    this.send(reply(220, '', `${options.serverName} ESMTP Maildesk`))
    this.flush()
  }

  private readonly deadlineMs: number

  /** Starts the deadline of an incomplete command line or message, unless one runs; `undefined` stops it. */
  private setDeadline(what: 'line' | 'data' | undefined): void {
    if (what === undefined) {
      clearTimeout(this.deadline)
      this.deadline = undefined
      return
    }
    if (this.deadline) return
    const ms = what === 'data' ? this.deadlineMs * 10 : this.deadlineMs
    this.deadline = setTimeout(() => {
      this.deadline = undefined
      this.quit(reply(421, '4.4.2', `${this.options.serverName} ${what === 'data' ? 'message' : 'command'} took too long, closing connection`))
    }, ms)
    this.deadline.unref()
  }

  /**
   * After the client's FIN: once no message is being stored (its reply is still owed and sent), the input that came
   * before the FIN has been handled, so our side is closed too. An unfinished command or message is dropped.
   */
  private endIfInputDone(): void {
    if (!this.inputEnded || this.busy || this.closed) return
    this.flush()
    this.closed = true
    clearTimeout(this.deadline)
    this.socket.end()
  }

  get isIdle(): boolean {
    return !this.busy && this.reader === undefined && this.envelope === undefined
  }

  /** The server is stopping: an idle session is told now, a busy one after its current transaction. */
  shutdown(): void {
    this.closing = true
    if (this.isIdle) this.quit(reply(421, '4.3.2', `${this.options.serverName} shutting down, try again later`))
  }

  destroy(): void {
    this.socket.destroy()
  }

  private attach(socket: Socket): void {
    socket.on('data', this.onData)
    socket.on('error', (err) => this.handlers.onEvent?.('socket-error', { err }))
  }

  private readonly onData = (chunk: Buffer): void => {
    if (this.closed) return
    if (this.busy) {
      this.pending = this.pending ? Buffer.concat([this.pending, chunk]) : chunk
      if (this.pending.length > MAX_BUFFERED_INPUT) this.socket.pause()
      return
    }
    this.process(chunk)
  }

  /**
   * Consumes input until it runs out or a message has to be stored first. A command line ends at LF with or without
   * CR before it (lenient, as smtp-server and Postfix are); inside DATA only CRLF counts (see DataReader).
   */
  private process(input: Buffer): void {
    let chunk = input
    let offset = 0
    if (this.pending && !this.reader) {
      chunk = Buffer.concat([this.pending, input])
      this.pending = undefined
    }
    while (offset < chunk.length && !this.closed && !this.busy) {
      if (this.reader) {
        const end = this.reader.push(chunk, offset)
        if (end === -1) {
          this.setDeadline('data')
          offset = chunk.length
          break
        }
        this.setDeadline(undefined)
        offset = end
        this.endOfData()
        continue
      }
      const lf = chunk.indexOf(CRLF_LF, offset)
      if (lf === -1) {
        const rest = chunk.length - offset
        if (this.discardingLine || rest > this.options.maxLineBytes) {
          if (!this.discardingLine) this.bad(reply(500, '5.5.2', `line too long (at most ${this.options.maxLineBytes} bytes)`))
          this.discardingLine = true
        } else {
          this.pending = chunk.subarray(offset)
        }
        this.setDeadline('line')
        offset = chunk.length
        break
      }
      this.setDeadline(undefined)
      const lineStart = offset
      const lineEnd = lf > offset && chunk[lf - 1] === 0x0d ? lf - 1 : lf
      offset = lf + 1
      if (this.discardingLine) {
        this.discardingLine = false
        continue
      }
      if (lineEnd - lineStart > this.options.maxLineBytes) {
        this.bad(reply(500, '5.5.2', `line too long (at most ${this.options.maxLineBytes} bytes)`))
        continue
      }
      let tlsStarted = false
      try {
        tlsStarted = this.command(chunk.toString('utf8', lineStart, lineEnd))
      } catch (err) {
        // A bug in a handler must cost one reply, not the process.
        this.handlers.onEvent?.('failure', { err })
        this.send(reply(451, '4.3.0', 'temporary failure; please try again later'))
      }
      if (tlsStarted) return // whatever followed STARTTLS in plain text is discarded (CVE-2011-0411)
    }
    if (this.busy && offset < chunk.length) this.pending = chunk.subarray(offset)
    this.flush()
    this.endIfInputDone()
  }

  /** Runs one command line; true when the connection switched to TLS. */
  private command(line: string): boolean {
    const { verb, argument } = parseCommandLine(line)
    if (this.closing && this.envelope === undefined) return this.quit(reply(421, '4.3.2', `${this.options.serverName} shutting down, try again later`))
    switch (verb) {
      case 'EHLO':
      case 'HELO':
        return this.hello(verb, argument)
      case 'MAIL':
        return this.mail(argument)
      case 'RCPT':
        return this.rcpt(argument)
      case 'DATA':
        if (argument !== '') return this.bad(reply(501, '5.5.4', 'syntax: DATA (no parameters)'))
        if (!this.envelope) return this.bad(reply(503, '5.5.1', 'send MAIL first'))
        if (this.envelope.rcptTo.length === 0) return this.bad(reply(503, '5.5.1', 'send RCPT first'))
        this.sink = this.handlers.createRawSink?.()
        this.sinkError = undefined
        this.reader = new DataReader(this.options.maxMessageBytes, this.sink && this.guardSink(this.sink))
        return this.send(reply(354, '', 'end data with <CR><LF>.<CR><LF>'))
      case 'RSET':
        this.envelope = undefined
        return this.send(OK)
      case 'NOOP':
        return this.send(OK)
      case 'QUIT':
        return this.quit(reply(221, '2.0.0', 'bye'))
      case 'VRFY':
        return this.send(reply(252, '2.5.2', 'cannot verify the user, but will accept a message and attempt delivery'))
      case 'HELP':
        return this.send(reply(214, '2.0.0', 'commands: EHLO HELO MAIL RCPT DATA RSET NOOP QUIT VRFY HELP' + (this.options.tls ? ' STARTTLS' : '')))
      case 'STARTTLS':
        return this.startTls(argument)
      case 'EXPN':
      case 'AUTH':
      case 'BDAT':
      case 'TURN':
      case 'ETRN':
        return this.bad(reply(502, '5.5.1', `${verb} is not implemented`))
      default:
        return this.bad(reply(500, '5.5.2', 'command not recognized'))
    }
  }

  private hello(verb: 'EHLO' | 'HELO', argument: string): boolean {
    if (argument === '' || argument.includes(' ')) return this.bad(reply(501, '5.5.4', `syntax: ${verb} hostname`))
    this.greeted = verb
    this.envelope = undefined
    const name = this.options.serverName
    if (verb === 'HELO') return this.send(reply(250, '', name))
    // The client's name is echoed only as printable ASCII, so it can't break or forge a reply line.
    const extensions = [`${name} greets ${argument.slice(0, 64).replace(/[^\x21-\x7e]/g, '?')}`, 'PIPELINING', '8BITMIME', 'SMTPUTF8', 'ENHANCEDSTATUSCODES', `SIZE ${this.options.maxMessageBytes}`]
    if (this.options.tls && !this.secure) extensions.push('STARTTLS')
    return this.send(reply(250, '', extensions.join('\n')))
  }

  private mail(argument: string): boolean {
    if (!this.greeted) return this.bad(reply(503, '5.5.1', 'send EHLO or HELO first'))
    if (this.envelope) return this.bad(reply(503, '5.5.1', 'nested MAIL command (send RSET first)'))
    const path = parsePath(argument, 'FROM')
    if (!path.ok) return this.bad(path.reply)
    if (path.address.length > MAX_ADDRESS_LENGTH) return this.send(reply(553, '5.1.7', 'sender address is too long'))
    for (const [name, value] of path.params) {
      if (name === 'SIZE') {
        if (!/^\d{1,15}$/.test(value)) return this.bad(reply(501, '5.5.4', 'syntax: SIZE=<number of bytes>'))
        if (Number(value) > this.options.maxMessageBytes) {
          return this.send(reply(552, '5.3.4', `message exceeds the size limit of ${this.options.maxMessageBytes} bytes`))
        }
      } else if (name === 'BODY') {
        if (value.toUpperCase() !== '7BIT' && value.toUpperCase() !== '8BITMIME') return this.bad(reply(501, '5.5.4', 'syntax: BODY=7BIT or BODY=8BITMIME'))
      } else if (name !== 'SMTPUTF8') {
        return this.send(reply(555, '5.5.4', 'unsupported MAIL parameter (supported: SIZE, BODY, SMTPUTF8)'))
      }
    }
    this.envelope = { mailFrom: path.address, rcptTo: [], remoteAddress: this.socket.remoteAddress }
    return this.send(reply(250, '2.1.0', 'OK'))
  }

  private rcpt(argument: string): boolean {
    if (!this.envelope) return this.bad(reply(503, '5.5.1', 'send MAIL first'))
    const path = parsePath(argument, 'TO')
    if (!path.ok) return this.bad(path.reply)
    if (path.params.size > 0) return this.bad(reply(555, '5.5.4', 'RCPT takes no parameters here'))
    if (this.envelope.rcptTo.length >= this.options.maxRecipients) {
      return this.send(reply(452, '4.5.3', `too many recipients (at most ${this.options.maxRecipients} per message)`))
    }
    const refusal = this.handlers.checkRecipient(path.address, this.envelope)
    // A permanent refusal counts as an error, as in Postfix: a client trying address after address (harvesting which
    // exist) is closed like one sending junk.
    if (refusal) return refusal.code >= 500 ? this.bad(refusal) : this.send(refusal)
    this.envelope.rcptTo.push(path.address)
    return this.send(reply(250, '2.1.5', 'OK'))
  }

  /** The end marker was read: store the message, and answer only once that is done. */
  private endOfData(): void {
    const reader = this.reader
    const envelope = this.envelope
    const sink = this.sink
    this.reader = undefined
    this.envelope = undefined
    this.sink = undefined
    if (!reader || !envelope) return
    const size = reader.size
    const sinkError = this.sinkError
    this.sinkError = undefined
    if (sinkError !== undefined) {
      // The sink was dropped when its write failed (guardSink).
      this.handlers.onEvent?.('failure', { err: sinkError })
      this.send(reply(451, '4.3.0', 'temporary failure; please try again later'))
      this.afterTransaction()
      return
    }
    const raw = sink && !reader.isTooLarge ? sink.finish().catch(async (err: unknown) => Promise.reject(await sink.abort().then(() => err))) : reader.take()
    if (!raw) {
      void sink?.abort()
      this.handlers.onEvent?.('too-large', { sizeBytes: size })
      this.send(reply(552, '5.3.4', `message exceeds the size limit of ${this.options.maxMessageBytes} bytes`))
      this.afterTransaction()
      return
    }
    this.busy = true
    this.flush()
    const received = Buffer.isBuffer(raw) ? this.handlers.receiveMessage(raw, envelope) : raw.then((r) => this.handlers.receiveMessage(r, envelope))
    received.then(
      (answer) => this.finishMessage(answer),
      (err: unknown) => {
        this.handlers.onEvent?.('failure', { err })
        this.finishMessage(reply(451, '4.3.0', 'temporary failure; please try again later'))
      },
    )
  }

  /**
   * The sink is written from the socket's data handler, where a throw would end the process: a failed write is
   * recorded, the sink dropped at once (its temporary file removed), and later bytes are ignored.
   */
  private guardSink(sink: RawSink): DataSink {
    return {
      write: (chunk) => {
        if (this.sinkError !== undefined) return
        try {
          sink.write(chunk)
        } catch (err) {
          this.sinkError = err ?? new Error('DATA sink write failed')
          sink.abort().catch(() => {})
        }
      },
    }
  }

  private finishMessage(answer: SmtpReply): void {
    this.busy = false
    if (this.closed) return
    this.send(answer)
    this.afterTransaction()
    const pending = this.pending
    this.pending = undefined
    if (pending && !this.closed) {
      this.socket.resume()
      this.process(pending)
    } else {
      this.flush()
      this.endIfInputDone()
    }
  }

  private afterTransaction(): void {
    if (this.closing) this.quit(reply(421, '4.3.2', `${this.options.serverName} shutting down, try again later`))
  }

  private startTls(argument: string): boolean {
    if (!this.options.tls) return this.bad(reply(502, '5.5.1', 'STARTTLS is not offered here'))
    if (argument !== '') return this.bad(reply(501, '5.5.4', 'syntax: STARTTLS (no parameters)'))
    if (this.secure) return this.bad(reply(503, '5.5.1', 'TLS is already active'))
    this.send(reply(220, '2.0.0', 'ready to start TLS'))
    this.flush()
    // RFC 3207 4.2: forget everything learnt before TLS, including any input that came with STARTTLS.
    this.pending = undefined
    this.greeted = undefined
    this.envelope = undefined
    this.secure = true
    const plain = this.socket
    plain.removeListener('data', this.onData)
    const secure = new TLSSocket(plain, { isServer: true, secureContext: this.options.tls })
    this.socket = secure
    secure.on('error', (err) => {
      this.handlers.onEvent?.('socket-error', { err })
      plain.destroy()
    })
    secure.on('data', this.onData)
    return true
  }

  /** Counts a refused command; too many end the session. */
  private bad(r: SmtpReply): boolean {
    this.send(r)
    this.badCommands++
    if (this.badCommands >= this.options.maxBadCommands) this.quit(reply(421, '4.7.0', 'too many errors, closing connection'))
    return false
  }

  private send(r: SmtpReply): boolean {
    this.output += formatReply(r)
    return false
  }

  private flush(): void {
    if (this.output === '' || this.closed) return
    this.socket.write(this.output)
    this.output = ''
    if (this.socket.writableLength > MAX_UNREAD_OUTPUT && !this.busy && !this.waitingForDrain) {
      this.waitingForDrain = true
      this.socket.pause()
      this.socket.once('drain', () => {
        this.waitingForDrain = false
        this.socket.resume()
      })
    }
  }

  private quit(r: SmtpReply): boolean {
    if (this.closed) return false
    this.send(r)
    this.flush()
    this.closed = true
    clearTimeout(this.deadline)
    this.socket.end()
    return false
  }
}
