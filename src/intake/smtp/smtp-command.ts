/**
 * Parsing of SMTP command lines (RFC 5321 section 4.1). Pure functions over one line without its CRLF, so the
 * strange inputs a public port receives can be tested as a table.
 */

/** One reply: the basic code, the enhanced status code (RFC 3463) and the text. */
export interface SmtpReply {
  code: number
  /**
   * Enhanced status code such as "2.1.0", sent because we announce ENHANCEDSTATUSCODES (RFC 2034); '' for the
   * greeting, the EHLO/HELO reply and 354, which RFC 2034 leaves without one.
   */
  status: string
  text: string
}

export function reply(code: number, status: string, text: string): SmtpReply {
  return { code, status, text }
}

/** Formats a reply as it goes on the wire; several lines become "250-…" continuations. */
export function formatReply(r: SmtpReply): string {
  const lines = r.text.split('\n')
  let out = ''
  const status = r.status === '' ? '' : `${r.status} `
  for (let i = 0; i < lines.length; i++) out += `${r.code}${i < lines.length - 1 ? '-' : ' '}${status}${lines[i]}\r\n`
  return out
}

export interface CommandLine {
  /** Upper-cased verb: "MAIL", "EHLO", … */
  verb: string
  /** Everything after the verb and one space, untrimmed at the end only for spaces. */
  argument: string
}

/** Splits "mail FROM:<a@b>" into verb MAIL and argument "FROM:<a@b>". */
export function parseCommandLine(line: string): CommandLine {
  const space = line.indexOf(' ')
  const verb = (space === -1 ? line : line.slice(0, space)).toUpperCase()
  const argument = space === -1 ? '' : line.slice(space + 1).trim()
  return { verb, argument }
}

/** The longest address we take (RFC 5321 4.5.3.1: 64-octet local part + @ + 255-octet domain). */
export const MAX_ADDRESS_LENGTH = 320

export type PathResult =
  | { ok: true; address: string; params: Map<string, string> }
  | { ok: false; reply: SmtpReply }

const syntaxError = (text: string): PathResult => ({ ok: false, reply: reply(501, '5.5.4', text) })

/**
 * Parses the argument of MAIL ("FROM:<path> [params]") or RCPT ("TO:<path> [params]"). Strict about the angle
 * brackets RFC 5321 requires; tolerant of one space after the colon (common in the wild). "<>" is the null sender,
 * allowed for MAIL only. A source route ("<@relay:user@host>", RFC 5321 4.1.2 says to accept and ignore) is dropped.
 */
export function parsePath(argument: string, keyword: 'FROM' | 'TO'): PathResult {
  const usage = keyword === 'FROM' ? 'MAIL FROM:<address>' : 'RCPT TO:<address>'
  if (argument.length < keyword.length + 1 || argument.slice(0, keyword.length + 1).toUpperCase() !== `${keyword}:`) {
    return syntaxError(`syntax: ${usage}`)
  }
  let rest = argument.slice(keyword.length + 1)
  if (rest.startsWith(' ')) rest = rest.slice(1)
  if (!rest.startsWith('<')) return syntaxError(`syntax: ${usage} (the address goes in angle brackets)`)
  const close = rest.indexOf('>')
  if (close === -1) return syntaxError(`syntax: ${usage} (missing ">")`)
  let address = rest.slice(1, close)
  if (address.startsWith('@')) {
    const colon = address.indexOf(':')
    if (colon === -1) return syntaxError(`syntax: ${usage} (bad source route)`)
    address = address.slice(colon + 1)
  }
  const params = new Map<string, string>()
  const tail = rest.slice(close + 1)
  if (tail !== '' && !tail.startsWith(' ')) return syntaxError(`syntax: ${usage} (text after ">" must be parameters)`)
  for (const part of tail.split(' ')) {
    if (part === '') continue
    const eq = part.indexOf('=')
    params.set((eq === -1 ? part : part.slice(0, eq)).toUpperCase(), eq === -1 ? '' : part.slice(eq + 1))
  }
  if (address === '') {
    if (keyword === 'TO') return syntaxError('syntax: RCPT TO:<address> (the address is empty)')
    return { ok: true, address, params }
  }
  // RFC 5321 4.5.1: <postmaster> without a domain must be accepted as a recipient.
  const isPostmaster = keyword === 'TO' && address.toLowerCase() === 'postmaster'
  // Control characters (NUL, ESC, DEL…) are in no mailbox (RFC 5321 4.1.2); NUL is not even storable in PostgreSQL.
  if (address.length <= MAX_ADDRESS_LENGTH && ((!address.includes('@') && !isPostmaster) || /[\s<>\x00-\x1f\x7f]/.test(address))) {
    return syntaxError(`syntax: ${usage} (not a mailbox address)`)
  }
  return { ok: true, address, params }
}
