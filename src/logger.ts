import { pino, type Logger } from 'pino'

export type { Logger }

/** The root logger. Log ids, counts and verdicts; never message content, addresses' local parts or secrets. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      redact: {
        paths: ['req.headers.authorization', 'req.headers.cookie', '*.password', '*.token', '*.secret'],
        censor: '[redacted]',
      },
    },
    destination,
  )
}

/** A logger that writes nothing, for tests and CLI commands that print their own output. */
export const silentLogger: Logger = pino({ level: 'silent' })

/** The domain part of an address, which is what logs may carry about a sender. */
export function addressDomain(address: string | undefined): string | undefined {
  if (!address) return undefined
  const at = address.lastIndexOf('@')
  return at >= 0 ? address.slice(at + 1).toLowerCase() : undefined
}
