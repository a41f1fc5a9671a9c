import net from 'node:net'
import { connect as tlsConnect, createSecureContext } from 'node:tls'
import { afterEach, describe, expect, it } from 'vitest'
import { reply } from './smtp-command.ts'
import { SmtpReceiver, type SmtpReceiverOptions } from './smtp-receiver.ts'
import type { SmtpEnvelope, SmtpHandlers } from './smtp-session.ts'

// A self-signed EC key and certificate for localhost, made for these tests only (openssl req -x509, 100 years).
const TEST_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgNDYaND8bP8GpEafd
8ia5PN/rKPOoKtoBnCgQMh3Fxp2hRANCAAROEcSBDFsq+VAvrEnSO9oUFiy8Po4G
WkADeFf1oKfwmeNKuYu6Md9AGYqEzLYS3zkAZZBp8313YwPCpXfhtrQ+
-----END PRIVATE KEY-----`
const TEST_CERT = `-----BEGIN CERTIFICATE-----
MIIBgDCCASWgAwIBAgIUMym8D5hCD9Gw2CFPLzRWXO84MwEwCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTEyNjAwMTYyNVoYDzIxMjYxMTAy
MDAxNjI1WjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAAROEcSBDFsq+VAvrEnSO9oUFiy8Po4GWkADeFf1oKfwmeNKuYu6Md9A
GYqEzLYS3zkAZZBp8313YwPCpXfhtrQ+o1MwUTAdBgNVHQ4EFgQUBhrms1YuLtIl
Dtct1MhVf0AMU4kwHwYDVR0jBBgwFoAUBhrms1YuLtIlDtct1MhVf0AMU4kwDwYD
VR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNJADBGAiEAgCn60emz6Kd7ktBYV+FO
ESzWStXz+qbqw9MNN6tlyTkCIQCHof3JowgQkU+qLqSXobclsR+Wszt6RlnrUHa9
6lxzhw==
-----END CERTIFICATE-----`

interface Received {
  raw: string
  envelope: SmtpEnvelope
}

let receiver: SmtpReceiver | undefined
afterEach(async () => {
  await receiver?.close()
  receiver = undefined
})

async function start(options: Partial<SmtpReceiverOptions> = {}, storeMs = 0, createRawSink?: SmtpHandlers['createRawSink']): Promise<{ port: number; received: Received[] }> {
  const received: Received[] = []
  let next = 1
  receiver = new SmtpReceiver(
    { host: '127.0.0.1', port: 0, serverName: 'mx.test', maxMessageBytes: 1000, maxClients: 5, closeTimeoutMs: 300, ...options },
    {
      checkRecipient: (address) => (address.endsWith('@okpay.com') ? undefined : reply(550, '5.1.1', `${address} is not an address of this service`)),
      receiveMessage: async (raw, envelope) => {
        if (storeMs) await new Promise((r) => setTimeout(r, storeMs))
        if (raw.toString().includes('FAIL-STORE')) throw new Error('disk full')
        received.push({ raw: raw.toString('latin1'), envelope: { ...envelope, rcptTo: [...envelope.rcptTo] } })
        return reply(250, '2.0.0', `OK: queued as ${next++}`)
      },
      ...(createRawSink ? { createRawSink } : {}),
    },
  )
  const address = await receiver.listen()
  return { port: address.port, received }
}

/** A raw client: writes exactly what it is given and collects every reply line. */
class Client {
  private buffer = ''
  private waiters: Array<() => void> = []
  closed = false
  constructor(readonly socket: net.Socket) {
    socket.setEncoding('latin1')
    socket.on('data', (d: string) => {
      this.buffer += d
      this.wake()
    })
    socket.on('close', () => {
      this.closed = true
      this.wake()
    })
    socket.on('error', () => {})
  }
  static async open(port: number): Promise<Client> {
    const socket = net.connect({ host: '127.0.0.1', port })
    await new Promise((resolve) => socket.once('connect', resolve))
    return new Client(socket)
  }
  private wake(): void {
    for (const w of this.waiters.splice(0)) w()
  }
  write(text: string | Buffer): void {
    this.socket.write(text)
  }
  /** Waits for n complete replies (a multi-line reply counts once) and returns them. */
  async replies(n: number): Promise<string[]> {
    for (;;) {
      const out: string[] = []
      let rest = this.buffer
      let current = ''
      while (out.length < n) {
        const eol = rest.indexOf('\r\n')
        if (eol === -1) break
        const line = rest.slice(0, eol)
        rest = rest.slice(eol + 2)
        current += (current ? '\n' : '') + line
        if (line[3] !== '-') {
          out.push(current)
          current = ''
        }
      }
      if (out.length === n) {
        this.buffer = rest
        return out
      }
      if (this.closed) throw new Error(`connection closed after ${JSON.stringify(this.buffer)}`)
      await new Promise<void>((resolve) => this.waiters.push(resolve))
    }
  }
  async reply(): Promise<string> {
    return (await this.replies(1))[0] as string
  }
  async untilClosed(): Promise<void> {
    while (!this.closed) await new Promise<void>((resolve) => this.waiters.push(resolve))
  }
}

async function greeted(port: number): Promise<Client> {
  const c = await Client.open(port)
  expect(await c.reply()).toBe('220 mx.test ESMTP Maildesk')
  return c
}

const ENVELOPE = 'EHLO client.test\r\nMAIL FROM:<li.wei@customer.example>\r\nRCPT TO:<support@okpay.com>\r\nDATA\r\n'

describe('SMTP receiver over a real socket', () => {
  it('greets at once and lists its extensions after EHLO', async () => {
    const { port } = await start()
    const c = await greeted(port)
    c.write('EHLO client.test\r\n')
    expect(await c.reply()).toBe(['250-mx.test greets client.test', '250-PIPELINING', '250-8BITMIME', '250-SMTPUTF8', '250-ENHANCEDSTATUSCODES', '250 SIZE 1000'].join('\n'))
    c.write('HELO client.test\r\n')
    expect(await c.reply()).toBe('250 mx.test')
    c.write('EHLO a\rb\u00e9\r\n')
    expect((await c.reply()).split('\n')[0]).toBe('250-mx.test greets a?b?')
  })

  it('answers a whole pipelined transaction in order, 250 only for the stored message, and unstuffs dots', async () => {
    const { port, received } = await start()
    const c = await greeted(port)
    c.write(`${ENVELOPE}Subject: hi\r\n\r\n..leading dot\r\n.x\r\n.\r\nQUIT\r\n`)
    expect(await c.replies(6)).toEqual(['250-mx.test greets client.test\n250-PIPELINING\n250-8BITMIME\n250-SMTPUTF8\n250-ENHANCEDSTATUSCODES\n250 SIZE 1000', '250 2.1.0 OK', '250 2.1.5 OK', '354 end data with <CR><LF>.<CR><LF>', '250 2.0.0 OK: queued as 1', '221 2.0.0 bye'])
    expect(received).toEqual([{ raw: 'Subject: hi\r\n\r\n.leading dot\r\nx\r\n', envelope: { mailFrom: 'li.wei@customer.example', rcptTo: ['support@okpay.com'], remoteAddress: '127.0.0.1' } }])
    await c.untilClosed()
  })

  it('finds the end of DATA split across writes at every byte, and keeps the next command that came with it', async () => {
    const { port, received } = await start()
    const body = 'a\r\n..b\r\n'
    const tail = `${body}.\r\nNOOP\r\n`
    for (let split = 0; split <= tail.length; split++) {
      const c = await greeted(port)
      c.write(ENVELOPE)
      await c.replies(4)
      c.write(tail.slice(0, split))
      await new Promise((r) => setTimeout(r, 2))
      c.write(tail.slice(split))
      expect(await c.replies(2)).toEqual([`250 2.0.0 OK: queued as ${split + 1}`, '250 2.0.0 OK'])
      c.socket.destroy()
    }
    expect(new Set(received.map((r) => r.raw))).toEqual(new Set(['a\r\n.b\r\n']))
  })

  it('does not end DATA at a bare LF dot line (SMTP smuggling): "\\n.\\n" and "\\r\\n.\\n" are content', async () => {
    const { port, received } = await start()
    const c = await greeted(port)
    c.write(`${ENVELOPE}one\n.\nMAIL FROM:<forged@okpay.com>\r\n.\nstill one\r\n.\r\n`)
    expect((await c.replies(5))[4]).toBe('250 2.0.0 OK: queued as 1')
    // The dot at the start of the CRLF-ended line ".\nstill one" is a stuffed dot and goes; the message goes on.
    expect(received.map((r) => r.raw)).toEqual(['one\n.\nMAIL FROM:<forged@okpay.com>\r\n\nstill one\r\n'])
  })

  it('accepts an empty message and a lone dot line after a line start', async () => {
    const { port, received } = await start()
    const c = await greeted(port)
    c.write(`${ENVELOPE}.\r\n`)
    expect((await c.replies(5))[4]).toBe('250 2.0.0 OK: queued as 1')
    expect(received[0]?.raw).toBe('')
  })

  it('refuses a declared SIZE above the limit with 552 and a larger DATA with 552 after reading it to the end', async () => {
    const { port, received } = await start()
    const c = await greeted(port)
    c.write('EHLO c\r\nMAIL FROM:<a@customer.example> SIZE=1001\r\nMAIL FROM:<a@customer.example> SIZE=900 BODY=8BITMIME\r\nRCPT TO:<support@okpay.com>\r\nDATA\r\n')
    expect((await c.replies(5)).slice(1)).toEqual(['552 5.3.4 message exceeds the size limit of 1000 bytes', '250 2.1.0 OK', '250 2.1.5 OK', '354 end data with <CR><LF>.<CR><LF>'])
    c.write(`${'x'.repeat(600)}\r\n`)
    c.write(`${'y'.repeat(600)}\r\n.\r\nRSET\r\n`)
    expect(await c.replies(2)).toEqual(['552 5.3.4 message exceeds the size limit of 1000 bytes', '250 2.0.0 OK'])
    expect(received).toHaveLength(0)
  })

  it('refuses recipients: 550 from the owner, 452 past the recipient limit, 501 for a malformed path', async () => {
    const { port } = await start({ maxRecipients: 2 })
    const c = await greeted(port)
    c.write('EHLO c\r\nMAIL FROM:<>\r\nRCPT TO:<ceo@example.com>\r\nRCPT TO:<support@okpay.com>\r\nRCPT TO:<security@okpay.com>\r\nRCPT TO:<x@okpay.com>\r\nRCPT TO:support@okpay.com\r\n')
    expect((await c.replies(7)).slice(1)).toEqual([
      '250 2.1.0 OK',
      '550 5.1.1 ceo@example.com is not an address of this service',
      '250 2.1.5 OK',
      '250 2.1.5 OK',
      '452 4.5.3 too many recipients (at most 2 per message)',
      '501 5.5.4 syntax: RCPT TO:<address> (the address goes in angle brackets)',
    ])
  })

  it('checks the order of commands with 503 and answers the simple ones', async () => {
    const { port } = await start()
    const c = await greeted(port)
    c.write('MAIL FROM:<a@b.example>\r\nEHLO c\r\nRCPT TO:<support@okpay.com>\r\nDATA\r\nMAIL FROM:<a@b.example>\r\nMAIL FROM:<a@b.example>\r\nDATA\r\nRSET\r\nNOOP\r\nVRFY support\r\nEXPN list\r\nHELP\r\nFOO\r\nSTARTTLS\r\n')
    expect(await c.replies(14)).toEqual([
      '503 5.5.1 send EHLO or HELO first',
      expect.stringMatching(/^250-mx.test/),
      '503 5.5.1 send MAIL first',
      '503 5.5.1 send MAIL first',
      '250 2.1.0 OK',
      '503 5.5.1 nested MAIL command (send RSET first)',
      '503 5.5.1 send RCPT first',
      '250 2.0.0 OK',
      '250 2.0.0 OK',
      '252 2.5.2 cannot verify the user, but will accept a message and attempt delivery',
      '502 5.5.1 EXPN is not implemented',
      '214 2.0.0 commands: EHLO HELO MAIL RCPT DATA RSET NOOP QUIT VRFY HELP',
      '500 5.5.2 command not recognized',
      '502 5.5.1 STARTTLS is not offered here',
    ])
  })

  it('refuses a sender longer than 320 characters with 553 and unknown MAIL parameters with 555', async () => {
    const { port } = await start()
    const c = await greeted(port)
    c.write(`EHLO c\r\nMAIL FROM:<${'a'.repeat(320)}@b.example>\r\nMAIL FROM:<a@b.example> AUTH=<>\r\nMAIL FROM:<a@b.example> SMTPUTF8\r\n`)
    expect((await c.replies(4)).slice(1)).toEqual(['553 5.1.7 sender address is too long', '555 5.5.4 unsupported MAIL parameter (supported: SIZE, BODY, SMTPUTF8)', '250 2.1.0 OK'])
  })

  it('answers a command line over the limit with 500 and goes on with the next line', async () => {
    const { port } = await start({ maxLineBytes: 100 })
    const c = await greeted(port)
    c.write(`NOOP ${'x'.repeat(200)}`)
    c.write(`${'x'.repeat(200)}\r\nNOOP\r\n`)
    expect(await c.replies(2)).toEqual(['500 5.5.2 line too long (at most 100 bytes)', '250 2.0.0 OK'])
    c.write(`NOOP ${'x'.repeat(200)}\r\nNOOP\r\n`)
    expect(await c.replies(2)).toEqual(['500 5.5.2 line too long (at most 100 bytes)', '250 2.0.0 OK'])
  })

  it('closes with 421 after too many bad commands', async () => {
    const { port } = await start({ maxBadCommands: 3 })
    const c = await greeted(port)
    c.write('GET / HTTP/1.1\r\nHost: x\r\n\r\nNOOP\r\n')
    expect(await c.replies(4)).toEqual(['500 5.5.2 command not recognized', '500 5.5.2 command not recognized', '500 5.5.2 command not recognized', '421 4.7.0 too many errors, closing connection'])
    await c.untilClosed()
  })

  it('counts refused recipients as errors: a client guessing addresses is closed with 421', async () => {
    const { port } = await start({ maxBadCommands: 3 })
    const c = await greeted(port)
    c.write('EHLO c\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<support@okpay.com>\r\nRCPT TO:<admin@example.com>\r\nRCPT TO:<root@example.com>\r\nRCPT TO:<info@example.com>\r\n')
    expect((await c.replies(7)).slice(1)).toEqual([
      '250 2.1.0 OK',
      '250 2.1.5 OK',
      '550 5.1.1 admin@example.com is not an address of this service',
      '550 5.1.1 root@example.com is not an address of this service',
      '550 5.1.1 info@example.com is not an address of this service',
      '421 4.7.0 too many errors, closing connection',
    ])
    await c.untilClosed()
  })

  it('still takes a message copied to a dozen unknown addresses of ours beside a real one (default error limit)', async () => {
    const { port, received } = await start()
    const c = await greeted(port)
    const unknown = Array.from({ length: 12 }, (_, i) => `RCPT TO:<guess${i}@example.com>\r\n`).join('')
    c.write(`EHLO c\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<support@okpay.com>\r\n${unknown}DATA\r\n`)
    const replies = await c.replies(16)
    expect(replies.slice(1, 3)).toEqual(['250 2.1.0 OK', '250 2.1.5 OK'])
    expect(replies.slice(3, 15).every((r) => r.startsWith('550 5.1.1 '))).toBe(true)
    expect(replies[15]).toBe('354 end data with <CR><LF>.<CR><LF>')
    c.write('Subject: hi\r\n\r\nhello\r\n.\r\n')
    expect(await c.replies(1)).toEqual(['250 2.0.0 OK: queued as 1'])
    expect(received.map((r) => r.envelope.rcptTo)).toEqual([['support@okpay.com']])
  })

  it('answers 451 when storing fails, and the session goes on', async () => {
    const { port, received } = await start()
    const c = await greeted(port)
    c.write(`${ENVELOPE}FAIL-STORE\r\n.\r\nMAIL FROM:<a@b.example>\r\n`)
    expect((await c.replies(6)).slice(4)).toEqual(['451 4.3.0 temporary failure; please try again later', '250 2.1.0 OK'])
    expect(received).toHaveLength(0)
  })

  it('answers 451 when the DATA sink fails mid-message (disk full), drops it, and the session goes on', async () => {
    const aborted: number[] = []
    let writes = 0
    const { port, received } = await start({}, 0, () => {
      const chunks: Buffer[] = []
      return {
        write: (chunk) => {
          if (++writes === 2) throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' })
          chunks.push(chunk)
        },
        finish: async () => Buffer.concat(chunks),
        abort: async () => void aborted.push(writes),
      }
    })
    const c = await greeted(port)
    c.write(ENVELOPE)
    expect((await c.replies(4)).at(-1)).toBe('354 end data with <CR><LF>.<CR><LF>')
    // Separate writes, so the sink gets separate chunks and the second one fails.
    for (const part of ['first line\r\n', 'second line\r\n']) {
      c.write(part)
      await new Promise((r) => setTimeout(r, 20))
    }
    c.write('third line\r\n.\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<support@okpay.com>\r\nDATA\r\nagain\r\n.\r\n')
    expect(await c.replies(5)).toEqual([
      '451 4.3.0 temporary failure; please try again later',
      '250 2.1.0 OK',
      '250 2.1.5 OK',
      '354 end data with <CR><LF>.<CR><LF>',
      '250 2.0.0 OK: queued as 1',
    ])
    expect(received.map((r) => r.raw)).toEqual(['again\r\n'])
    // Dropped when the write failed, not only at the end of DATA.
    expect(aborted[0]).toBe(2)
  })

  it('turns away connections beyond maxClients with 421', async () => {
    const { port } = await start({ maxClients: 1 })
    const first = await greeted(port)
    const second = await Client.open(port)
    expect(await second.reply()).toBe('421 4.3.2 mx.test too many connections, try again later')
    await second.untilClosed()
    first.write('NOOP\r\n')
    expect(await first.reply()).toBe('250 2.0.0 OK')
  })

  it('turns away connections beyond maxClientsPerAddress from one address with 421', async () => {
    const { port } = await start({ maxClients: 5, maxClientsPerAddress: 2, limitExempt: () => false })
    const first = await greeted(port)
    await greeted(port)
    const third = await Client.open(port)
    expect(await third.reply()).toBe('421 4.3.2 mx.test too many connections from your address, try again later')
    await third.untilClosed()
    first.write('QUIT\r\n')
    await first.untilClosed()
    // A slot that was given back can be taken again (once the server has seen the close too).
    await new Promise((r) => setTimeout(r, 50))
    await greeted(port)
  })

  it('sends the 250 owed to a client that half-closed right after its QUIT, then closes', async () => {
    const { port, received } = await start({}, 100)
    const c = await greeted(port)
    c.write(`${ENVELOPE}last message\r\n.\r\nQUIT\r\n`)
    c.socket.end()
    expect(await c.replies(6)).toEqual(['250-mx.test greets client.test\n250-PIPELINING\n250-8BITMIME\n250-SMTPUTF8\n250-ENHANCEDSTATUSCODES\n250 SIZE 1000', '250 2.1.0 OK', '250 2.1.5 OK', '354 end data with <CR><LF>.<CR><LF>', '250 2.0.0 OK: queued as 1', '221 2.0.0 bye'])
    await c.untilClosed()
    expect(received.map((r) => r.raw)).toEqual(['last message\r\n'])
  })

  it('closes a session whose command line or message trickles in too slowly, though every byte restarts the idle timer', async () => {
    const { port, received } = await start({ socketTimeoutMs: 150 })
    const slowLine = await greeted(port)
    const trickle = setInterval(() => slowLine.write('N'), 30)
    try {
      expect(await slowLine.reply()).toBe('421 4.4.2 mx.test command took too long, closing connection')
    } finally {
      clearInterval(trickle)
    }
    await slowLine.untilClosed()
    const slowData = await greeted(port)
    slowData.write(ENVELOPE)
    await slowData.replies(4)
    const drip = setInterval(() => slowData.write('x'), 100)
    try {
      expect(await slowData.reply()).toBe('421 4.4.2 mx.test message took too long, closing connection')
    } finally {
      clearInterval(drip)
    }
    expect(received).toEqual([])
  })

  it('closes an idle session with 421 after the socket timeout', async () => {
    const { port } = await start({ socketTimeoutMs: 100 })
    const c = await greeted(port)
    expect(await c.reply()).toBe('421 4.4.2 mx.test idle for too long, closing connection')
    await c.untilClosed()
  })

  it('close() tells idle sessions 421 at once and lets a message being stored get its 250 first', async () => {
    const { port, received } = await start({}, 100)
    const idle = await greeted(port)
    const sending = await greeted(port)
    sending.write(`${ENVELOPE}hello\r\n.\r\n`)
    await sending.replies(4)
    await new Promise((r) => setTimeout(r, 20))
    const closing = receiver?.close()
    expect(await idle.reply()).toBe('421 4.3.2 mx.test shutting down, try again later')
    expect(await sending.replies(2)).toEqual(['250 2.0.0 OK: queued as 1', '421 4.3.2 mx.test shutting down, try again later'])
    await closing
    receiver = undefined
    expect(received).toHaveLength(1)
  })

  it('upgrades to TLS on STARTTLS, discards plain-text commands sent with it, and forgets the EHLO', async () => {
    const { port, received } = await start({ tls: createSecureContext({ key: TEST_KEY, cert: TEST_CERT }) })
    const c = await greeted(port)
    c.write('EHLO c\r\n')
    expect(await c.reply()).toContain('250 STARTTLS')
    // The injected MAIL must not be answered inside the TLS session (CVE-2011-0411).
    c.write('STARTTLS\r\nMAIL FROM:<injected@evil.example>\r\n')
    expect(await c.reply()).toBe('220 2.0.0 ready to start TLS')
    c.socket.removeAllListeners('data')
    const secure = tlsConnect({ socket: c.socket, rejectUnauthorized: false, servername: 'localhost' })
    await new Promise((resolve) => secure.once('secureConnect', resolve))
    const s = new Client(secure as unknown as net.Socket)
    s.write('MAIL FROM:<a@b.example>\r\nEHLO c\r\n')
    const [first, ehlo] = await s.replies(2)
    expect(first).toBe('503 5.5.1 send EHLO or HELO first')
    expect(ehlo).not.toContain('STARTTLS')
    s.write(`MAIL FROM:<a@b.example>\r\nRCPT TO:<support@okpay.com>\r\nDATA\r\nsecret\r\n.\r\nSTARTTLS\r\nQUIT\r\n`)
    expect(await s.replies(6)).toEqual(['250 2.1.0 OK', '250 2.1.5 OK', '354 end data with <CR><LF>.<CR><LF>', '250 2.0.0 OK: queued as 1', '503 5.5.1 TLS is already active', '221 2.0.0 bye'])
    expect(received.map((r) => r.envelope.mailFrom)).toEqual(['a@b.example'])
  })
})
