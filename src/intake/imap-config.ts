import { readFileSync } from 'node:fs'
import path from 'node:path'
import { z } from 'zod'

/** What to do with a message on the server once it is durably spooled here. */
export type AfterFetch = { action: 'seen' } | { action: 'move'; folder: string } | { action: 'delete' }

/** One mailbox at a provider that Maildesk reads over IMAP. */
export interface ImapMailboxConfig {
  /** Stable key for its state and health; renaming it starts over from the first message. */
  name: string
  host: string
  port: number
  /** true: TLS from the first byte (993); false: STARTTLS is required. */
  tls: boolean
  user: string
  /** Secrets are read from files at every connect, so rotated passwords and refreshed tokens are picked up. */
  auth: { kind: 'password'; passwordFile: string } | { kind: 'oauth2'; tokenFile: string }
  folder: string
  afterFetch: AfterFetch
  /** The official address this mailbox receives for; it is the envelope recipient of what it spools. */
  address: string
  /** A local test server on loopback only: no STARTTLS. */
  allowPlaintext: boolean
}

const mailboxSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'name must be 1-64 letters, digits, ".", "_" or "-"'),
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535).default(993),
    tls: z.boolean().default(true),
    user: z.string().min(1),
    passwordFile: z.string().min(1).optional(),
    oauth2TokenFile: z.string().min(1).optional(),
    folder: z.string().min(1).default('INBOX'),
    afterFetch: z
      .string()
      .regex(/^(seen|delete|move:.+)$/, 'afterFetch must be "seen", "delete" or "move:<folder>"')
      .default('seen'),
    address: z.string().regex(/^[^@\s]+@[^@\s]+$/, 'address must be an email address'),
    /** Only for a local test server on loopback: skip STARTTLS. Never set it for a real provider. */
    allowPlaintext: z.boolean().default(false),
  })
  .strict()

const fileSchema = z.array(mailboxSchema)

function parseAfterFetch(value: string): AfterFetch {
  if (value === 'seen' || value === 'delete') return { action: value }
  return { action: 'move', folder: value.slice('move:'.length) }
}

/**
 * Reads and validates the mailbox list (a JSON array). Secret file paths are resolved against the list's
 * own directory and must be readable now, so a typo fails at start rather than at the first poll.
 * Problems are appended to `problems`, every one of them.
 */
export function loadImapMailboxes(file: string, problems: string[], variable = 'MAILDESK_IMAP_MAILBOXES_FILE'): ImapMailboxConfig[] {
  let raw: unknown
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'))
  } catch (err) {
    problems.push(`${variable}: cannot read the mailbox list ${file}: ${err instanceof Error ? err.message : String(err)}`)
    return []
  }
  const result = fileSchema.safeParse(raw)
  if (!result.success) {
    for (const issue of result.error.issues) problems.push(`${variable} ${file}: ${issue.path.join('.') || '(root)'}: ${issue.message}`)
    return []
  }
  const dir = path.dirname(path.resolve(file))
  const seen = new Set<string>()
  const out: ImapMailboxConfig[] = []
  result.data.forEach((m, index) => {
    const where = `${variable} ${file}: ${index} (${m.name})`
    if (seen.has(m.name)) problems.push(`${where}: name must be unique`)
    seen.add(m.name)
    if ((m.passwordFile === undefined) === (m.oauth2TokenFile === undefined)) {
      problems.push(`${where}: set exactly one of passwordFile (password login) or oauth2TokenFile (XOAUTH2 access token)`)
      return
    }
    const secretFile = path.resolve(dir, m.passwordFile ?? m.oauth2TokenFile ?? '')
    try {
      if (readFileSync(secretFile, 'utf8').trim() === '') problems.push(`${where}: ${secretFile} is empty`)
    } catch (err) {
      problems.push(`${where}: cannot read ${secretFile} (${(err as NodeJS.ErrnoException).code ?? 'error'})`)
    }
    if (m.allowPlaintext && m.tls) problems.push(`${where}: allowPlaintext makes no sense with tls: true`)
    if (m.allowPlaintext && !['127.0.0.1', '::1', 'localhost'].includes(m.host)) {
      problems.push(`${where}: allowPlaintext is only allowed for a server on loopback (got host ${m.host})`)
    }
    out.push({
      name: m.name,
      host: m.host,
      port: m.port,
      tls: m.tls,
      user: m.user,
      auth: m.passwordFile !== undefined ? { kind: 'password', passwordFile: secretFile } : { kind: 'oauth2', tokenFile: secretFile },
      folder: m.folder,
      afterFetch: parseAfterFetch(m.afterFetch),
      address: m.address.toLowerCase(),
      allowPlaintext: m.allowPlaintext,
    })
  })
  return out
}
