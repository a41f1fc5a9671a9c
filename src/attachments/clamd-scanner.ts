import { connect } from 'node:net'

export interface ScanResult {
  status: 'clean' | 'infected' | 'error'
  /** The signature name clamd reported, when infected. */
  signature?: string
  /** What went wrong, when status is error; scan errors are retried later, never treated as clean. */
  error?: string
}

export interface ClamdScanner {
  /** Streams the bytes to clamd (INSTREAM) and returns its verdict; never throws. */
  scan(bytes: Uint8Array): Promise<ScanResult>
  /** Resolves true when clamd answers PING with PONG. */
  ping(): Promise<boolean>
}

export interface ClamdScannerOptions {
  /** clamd's StreamMaxLength (its default is 25 MiB): larger files are not sent, clamd would drop them anyway. */
  streamMaxBytes?: number
  /** The whole exchange, connect to verdict. */
  timeoutMs?: number
  chunkBytes?: number
}

type ClamdAddress = { path: string } | { host: string; port: number }

/**
 * `tcp://host:port`, `unix:/path` or a bare socket path.
 * @throws Error for anything else.
 */
export function parseClamdAddress(address: string): ClamdAddress {
  const tcp = /^tcp:\/\/(\[[^\]]+\]|[^:/]+):(\d{1,5})\/?$/.exec(address)
  if (tcp) {
    const port = Number(tcp[2])
    if (port < 1 || port > 65535) throw new Error(`clamd address port must be 1-65535 (got ${port})`)
    return { host: (tcp[1] ?? '').replace(/^\[|\]$/g, ''), port }
  }
  if (address.startsWith('unix:')) return { path: address.slice('unix:'.length) }
  if (address.startsWith('/')) return { path: address }
  throw new Error('clamd address must be tcp://host:port, unix:/path/to/clamd.ctl or an absolute socket path')
}

/**
 * One request and its reply. `request` yields the bytes to send; they are written as the socket drains, and no
 * more once clamd has answered (it answers and closes early when a stream goes over its StreamMaxLength).
 */
function exchange(address: ClamdAddress, timeoutMs: number, request: Iterable<Uint8Array>): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(address)
    const chunks: Buffer[] = []
    let settled = false
    let sent = 0
    const finish = (err: Error | undefined) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      socket.destroy()
      if (err) reject(err)
      else resolve(Buffer.concat(chunks).toString('utf8').replace(/\0+$/, '').trim())
    }
    const timer = setTimeout(() => finish(new Error(`clamd did not answer within ${timeoutMs} ms`)), timeoutMs)
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk)
      // Replies to z-prefixed commands end with NUL; don't wait for clamd to close the socket.
      if (chunk.includes(0)) finish(undefined)
    })
    socket.on('end', () => finish(undefined))
    socket.on('error', (err: NodeJS.ErrnoException) => {
      // clamd closes the socket on us when a stream goes over StreamMaxLength; its reply may still have come.
      if (chunks.length > 0) finish(undefined)
      // When the close reaches us first, the reply is lost with the connection: say what most likely happened.
      else if (sent > 0 && (err.code === 'EPIPE' || err.code === 'ECONNRESET')) {
        finish(new Error(`clamd closed the connection after ${sent} bytes of the request (${err.code}), as it does for a stream above its StreamMaxLength`))
      } else finish(err)
    })
    const pieces = request[Symbol.iterator]()
    const pump = () => {
      while (!settled && chunks.length === 0) {
        const next = pieces.next()
        if (next.done) return
        sent += next.value.length
        if (!socket.write(next.value)) {
          socket.once('drain', pump)
          return
        }
      }
    }
    socket.on('connect', pump)
  })
}

/** Interprets an INSTREAM reply: "stream: OK", "stream: <name> FOUND", or "... ERROR". */
export function parseScanReply(reply: string): ScanResult {
  const body = reply.replace(/^stream:\s*/, '')
  if (body === 'OK') return { status: 'clean' }
  const found = /^(.+) FOUND$/.exec(body)
  if (found) return { status: 'infected', signature: found[1] ?? 'unknown' }
  return { status: 'error', error: body.replace(/\s*ERROR$/, '') || 'empty reply from clamd' }
}

/** An INSTREAM request: the command, the bytes in chunks each prefixed by its 4-byte big-endian length, a zero length. */
function* instream(bytes: Uint8Array, chunkBytes: number): Generator<Uint8Array> {
  yield Buffer.from('zINSTREAM\0')
  for (let at = 0; at < bytes.length; at += chunkBytes) {
    const chunk = bytes.subarray(at, at + chunkBytes)
    const length = Buffer.alloc(4)
    length.writeUInt32BE(chunk.length)
    yield length
    yield chunk
  }
  yield Buffer.alloc(4)
}

/**
 * A clamd client speaking INSTREAM (clamd(8), see instream()); one connection per scan.
 * @throws Error when the address is malformed (a config problem, found at start).
 */
export function createClamdScanner(address: string, options: ClamdScannerOptions = {}): ClamdScanner {
  const target = parseClamdAddress(address)
  const streamMaxBytes = options.streamMaxBytes ?? 25 * 1024 * 1024 // 25 MiB, clamd's default StreamMaxLength
  const timeoutMs = options.timeoutMs ?? 30_000
  const chunkBytes = options.chunkBytes ?? 64 * 1024
  return {
    async scan(bytes) {
      if (bytes.length > streamMaxBytes) {
        return { status: 'error', error: `file is ${bytes.length} bytes, above clamd's StreamMaxLength of ${streamMaxBytes}` }
      }
      try {
        const reply = await exchange(target, timeoutMs, instream(bytes, chunkBytes))
        return parseScanReply(reply)
      } catch (err) {
        return { status: 'error', error: err instanceof Error ? err.message : String(err) }
      }
    },
    async ping() {
      try {
        return (await exchange(target, timeoutMs, [Buffer.from('zPING\0')])) === 'PONG'
      } catch {
        return false
      }
    },
  }
}
