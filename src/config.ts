import { randomBytes } from 'node:crypto'
import { accessSync, constants, existsSync, linkSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs'
import { isIP } from 'node:net'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { z } from 'zod'
import { parseClamdAddress } from './attachments/clamd-scanner.ts'
import { brandCrossFieldProblems, brandSchema, officialAddresses, type Brand } from './brand.ts'
import { ConfigError } from './errors.ts'
import { loadHolidayCalendar } from './sla/business-calendar.ts'
import { loadImapMailboxes, type ImapMailboxConfig } from './intake/imap-config.ts'

export type Env = Record<string, string | undefined>

/** Command-line flags that override their MAILDESK_* variables. */
export interface Flags {
  dataDir?: string
  httpPort?: string
  smtpPort?: string
  host?: string
}

const DEFAULT_BRAND_FILE = fileURLToPath(new URL('../config/brand.json', import.meta.url))

// Digits only: Number() would also take '0x50', '1e3' or ' 80', and 'eighty' would read 'expected number, received NaN'.
const port = z
  .string()
  .regex(/^\d{1,5}$/, 'must be a port number, 0-65535')
  .transform(Number)
  .pipe(z.number().max(65535, 'must be a port number, 0-65535'))
const positiveInt = z.coerce.number().int().positive()

const envSchema = z.object({
  MAILDESK_DATA_DIR: z.string().min(1).default('./data'),
  MAILDESK_HOST: z.string().min(1).default('127.0.0.1'),
  MAILDESK_HTTP_PORT: port.default(8080),
  MAILDESK_SMTP_PORT: port.default(2525),
  /** Unset: embedded SQLite at <data-dir>/maildesk.sqlite. */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must be a postgres:// or postgresql:// URL (unset it to use SQLite)')
    .optional(),
  MAILDESK_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  MAILDESK_MAX_MESSAGE_BYTES: positiveInt.default(25 * 1024 * 1024), // 25 MiB, announced with SMTP SIZE
  MAILDESK_MAX_ATTACHMENTS: positiveInt.default(50),
  MAILDESK_MAX_ATTACHMENT_BYTES: positiveInt.default(25 * 1024 * 1024), // 25 MiB per file
  MAILDESK_SMTP_MAX_CLIENTS: positiveInt.default(200),
  /** A worker's claim on a batch expires after this; another worker then takes the batch over. */
  MAILDESK_WORKER_LEASE_SECONDS: positiveInt.default(120),
  /** Raw messages (encrypted) are kept this many days for re-processing and evidence; 0 keeps none once processed. */
  MAILDESK_RAW_RETENTION_DAYS: z.coerce.number().int().min(0).max(3650).default(30),
  MAILDESK_SMTP_TLS_KEY_FILE: z.string().optional(),
  MAILDESK_SMTP_TLS_CERT_FILE: z.string().optional(),
  MAILDESK_BRAND_FILE: z.string().optional(),
  MAILDESK_BRAND_NAME: z.string().optional(),
  MAILDESK_OFFICIAL_DOMAINS: z.string().optional(),
  MAILDESK_SUPPORT_ADDRESS: z.string().optional(),
  MAILDESK_SECURITY_ADDRESS: z.string().optional(),
  MAILDESK_NOREPLY_ADDRESS: z.string().optional(),
  MAILDESK_TIME_ZONE: z.string().optional(),
  /** Origin that links in customer mail point to (status portal, surveys); never taken from a request's Host. */
  MAILDESK_PUBLIC_URL: z.url().optional(),
  /** Outbound relay, smtp://user:pass@host:587 (STARTTLS) or smtps://…:465; unset: .eml files in <data-dir>/outbox/. */
  MAILDESK_SMTP_RELAY_URL: z
    .string()
    .regex(/^smtps?:\/\/[^\s]+$/, 'MAILDESK_SMTP_RELAY_URL must be an smtp:// or smtps:// URL, e.g. smtp://user:pass@relay.example:587')
    .optional(),
  /** HMAC key for our Message-IDs and body markers; unset: generated once into <data-dir>/secrets/maildesk.key. */
  MAILDESK_SECRET_KEY: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, 'MAILDESK_SECRET_KEY must be exactly 64 hexadecimal characters (generate one with `openssl rand -hex 32`)')
    .optional(),
  /** Automatic mails (acknowledgements, notices) per recipient per 24 hours. */
  MAILDESK_AUTO_REPLY_LIMIT: z.coerce.number().int().min(0).default(5),
  MAILDESK_DKIM_SELECTOR: z
    .string()
    .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, 'MAILDESK_DKIM_SELECTOR must be a DNS label such as "maildesk"')
    .default('maildesk'),
  /** JSON list of IMAP mailboxes to read (format: src/intake/imap-config.ts); unset: no IMAP intake. A path, not a secret. */
  MAILDESK_IMAP_MAILBOXES_FILE: z.string().optional(),
  /** A mailbox failing for this long raises an alert. */
  MAILDESK_IMAP_ALERT_AFTER_SECONDS: positiveInt.default(15 * 60), // 15 min
  /** How often to look without IDLE (and, with it, to check the connection anyway). */
  MAILDESK_IMAP_POLL_SECONDS: positiveInt.default(60),
  /** One process reads a mailbox at a time; a crashed reader is taken over after this long. */
  MAILDESK_IMAP_LEASE_SECONDS: positiveInt.default(60),
  /** clamd for attachment scanning: tcp://host:port, unix:/path or /path/to/clamd.ctl; unset: no scanning. */
  MAILDESK_CLAMD_ADDRESS: z.string().optional(),
  /** When set, GET /metrics answers only `Authorization: Bearer <this>` (16-200 characters, no spaces). */
  MAILDESK_METRICS_TOKEN: z
    .string()
    .min(16, 'must be at least 16 characters')
    .max(200, 'must be at most 200 characters (a longer bearer token is not read)')
    .regex(/^\S+$/, 'must not contain spaces (it is sent as a bearer token)')
    .optional(),
  /** Load balancers in front of the http nodes (comma-separated addresses or CIDR ranges): their X-Forwarded-For names the client. */
  MAILDESK_TRUST_PROXY: z.string().optional(),
  MAILDESK_MAX_ATTACHMENTS_TOTAL_BYTES: positiveInt.default(50 * 1024 * 1024), // 50 MiB per message
})

export interface Config {
  dataDir: string
  host: string
  httpPort: number
  smtpPort: number
  /** Set: PostgreSQL; unset: SQLite in the data directory. */
  databaseUrl: string | undefined
  logLevel: string
  maxMessageBytes: number
  maxAttachments: number
  maxAttachmentBytes: number
  smtpMaxClients: number
  workerLeaseMs: number
  rawRetentionDays: number
  smtpTls: { keyFile: string; certFile: string } | undefined
  /** Origin of the public pages, without a trailing slash (default http://<host>:<http-port>). */
  publicUrl: string
  /** Unset: outbound mail is written to <data-dir>/outbox/ instead of relayed. */
  smtpRelayUrl: string | undefined
  /** 32 bytes; signs our Message-IDs, body markers and other HMACs. Never log it. */
  secretKey: Buffer
  /** Automatic mails per recipient per 24 hours. */
  autoReplyLimit: number
  dkimSelector: string
  /** IMAP mailboxes to read (empty: no IMAP intake). */
  imap: { mailboxes: readonly ImapMailboxConfig[]; alertAfterMs: number; pollIntervalMs: number; leaseMs: number }
  /** Unset: attachments are not virus-scanned. */
  clamdAddress: string | undefined
  /** The bearer token GET /metrics requires; unset: no authentication (loopback by default). Never log it. */
  metricsToken: string | undefined
  /** Addresses and CIDR ranges of trusted proxies; empty: the socket's address is the client's. */
  trustProxy: readonly string[]
  maxAttachmentsTotalBytes: number
  brand: Brand
}

const FLAG_TO_ENV: Record<keyof Flags, string> = {
  dataDir: 'MAILDESK_DATA_DIR',
  httpPort: 'MAILDESK_HTTP_PORT',
  smtpPort: 'MAILDESK_SMTP_PORT',
  host: 'MAILDESK_HOST',
}

/** `X_FILE=/run/secrets/x` sets X from the file, as Docker and systemd secrets are passed. */
function withSecretFiles(env: Env, problems: string[]): Env {
  const out: Env = { ...env }
  for (const [key, value] of Object.entries(env)) {
    if (!key.endsWith('_FILE') || value === undefined || !key.startsWith('MAILDESK_') && key !== 'DATABASE_URL_FILE') continue
    const target = key.slice(0, -'_FILE'.length)
    if (target.endsWith('_TLS_KEY') || target.endsWith('_TLS_CERT') || target === 'MAILDESK_BRAND' || target === 'MAILDESK_IMAP_MAILBOXES') continue // paths, not secrets
    try {
      out[target] = readFileSync(value, 'utf8').trim()
    } catch (err) {
      problems.push(`${key}: cannot read ${value} (${(err as NodeJS.ErrnoException).code ?? 'error'})`)
    }
  }
  return out
}

function loadBrand(env: z.infer<typeof envSchema>, problems: string[]): Brand | undefined {
  const file = env.MAILDESK_BRAND_FILE ?? DEFAULT_BRAND_FILE
  let raw: Record<string, unknown>
  try {
    raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>
  } catch (err) {
    problems.push(`MAILDESK_BRAND_FILE: cannot read brand config ${file}: ${(err as Error).message}`)
    return undefined
  }
  const addresses = { ...(raw.addresses as Record<string, unknown> | undefined) }
  if (env.MAILDESK_SUPPORT_ADDRESS) addresses.support = env.MAILDESK_SUPPORT_ADDRESS
  if (env.MAILDESK_SECURITY_ADDRESS) addresses.security = env.MAILDESK_SECURITY_ADDRESS
  if (env.MAILDESK_NOREPLY_ADDRESS) addresses.noreply = env.MAILDESK_NOREPLY_ADDRESS
  const merged: Record<string, unknown> = { ...raw, addresses }
  if (env.MAILDESK_BRAND_NAME) merged.name = env.MAILDESK_BRAND_NAME
  if (env.MAILDESK_OFFICIAL_DOMAINS) merged.officialDomains = env.MAILDESK_OFFICIAL_DOMAINS.split(',').map((d) => d.trim())
  if (env.MAILDESK_TIME_ZONE) merged.businessHours = { ...(raw.businessHours as object), timeZone: env.MAILDESK_TIME_ZONE }
  const result = brandSchema.safeParse(merged)
  const brandProblems = result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
  brandProblems.push(...brandCrossFieldProblems(merged))
  for (const problem of brandProblems) problems.push(`brand config ${file}: ${problem}`)
  if (!result.success || brandProblems.length > 0) return undefined
  for (const name of result.data.holidayCalendars) {
    try {
      loadHolidayCalendar(name)
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err
      for (const problem of err.problems) problems.push(`brand config ${file}: ${problem}`)
    }
  }
  return result.data
}

/**
 * Creates a secret file (mode 0600, in a 0700 directory) with `contents()` unless it exists. Written aside, then
 * linked into place: link fails if another process won, and never exposes a half file, so two processes starting at
 * once both end up with the first file written.
 * @throws the file system's error when the file can neither be found nor created.
 */
export function createFileOnce(file: string, contents: () => string): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 })
  if (existsSync(file)) return
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
  writeFileSync(temp, contents(), { flag: 'wx', mode: 0o600 })
  try {
    linkSync(temp, file)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
  } finally {
    unlinkSync(temp)
  }
}

/**
 * Whether the data directory can be used, without creating anything: it is a writable directory, or the nearest
 * directory above it that exists is writable (so it can be created). Names the directory and the fix.
 */
function checkDataDir(dataDir: string, problems: string[]): void {
  const fix = 'choose another with --data-dir (MAILDESK_DATA_DIR) or give this user write access'
  let dir = dataDir
  for (;;) {
    let isDirectory: boolean
    try {
      isDirectory = statSync(dir).isDirectory()
    } catch (err) {
      const parent = path.dirname(dir)
      const code = (err as NodeJS.ErrnoException).code
      if ((code === 'ENOENT' || code === 'ENOTDIR') && parent !== dir) {
        dir = parent
        continue
      }
      problems.push(`MAILDESK_DATA_DIR: ${dataDir} cannot be used (${(err as NodeJS.ErrnoException).code ?? 'error'} on ${dir}); ${fix}`)
      return
    }
    if (!isDirectory) {
      problems.push(`MAILDESK_DATA_DIR: ${dir === dataDir ? `${dataDir} is a file, not a directory` : `${dataDir} cannot be created: ${dir} is a file`}; ${fix}`)
      return
    }
    try {
      accessSync(dir, constants.W_OK | constants.X_OK)
    } catch {
      problems.push(`MAILDESK_DATA_DIR: ${dir === dataDir ? `${dataDir} is not writable` : `${dataDir} cannot be created: ${dir} is not writable`} by this user; ${fix}`)
    }
    return
  }
}

/**
 * The generated secret key of a data directory, created (32 random bytes, mode 0600) the first time, so that
 * `npm start` works with no setup. Two processes starting at once both end up with the first file written.
 * With `create: false` an existing key is read and a missing one is not made: undefined.
 */
function loadOrCreateSecretKey(dataDir: string, problems: string[], create: boolean): Buffer | undefined {
  const file = path.join(dataDir, 'secrets', 'maildesk.key')
  try {
    if (create) createFileOnce(file, () => `${randomBytes(32).toString('hex')}\n`)
    else if (!existsSync(file)) return undefined
    const hex = readFileSync(file, 'utf8').trim()
    if (!/^[0-9a-fA-F]{64}$/.test(hex)) {
      problems.push(`MAILDESK_SECRET_KEY: ${file} must hold 64 hexadecimal characters; delete it to generate a new one`)
      return undefined
    }
    return Buffer.from(hex, 'hex')
  } catch (err) {
    problems.push(`MAILDESK_SECRET_KEY is unset and ${file} cannot be ${create ? 'created' : 'read'} (${(err as NodeJS.ErrnoException).code ?? 'error'}); set MAILDESK_SECRET_KEY, or fix the data directory's permissions`)
    return undefined
  }
}

/** How a command uses the data directory. */
export interface LoadOptions {
  /**
   * false for commands that keep no state (redact, verify): nothing is created or checked in the data directory;
   * without MAILDESK_SECRET_KEY or an existing key file they get a key of their own for this run, never written,
   * since no message was ever marked with a key that does not exist yet.
   */
  dataDir?: boolean
}

/**
 * Validates the environment, flags and brand file once and returns a frozen Config.
 * @throws ConfigError listing every problem found, not just the first.
 */
export function loadConfig(env: Env = process.env, flags: Flags = {}, options: LoadOptions = {}): Config {
  const problems: string[] = []
  // An empty variable (`DATABASE_URL=` in an env file) means unset, as it does in most tools.
  const nonEmpty = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''))
  const merged = withSecretFiles(nonEmpty, problems)
  for (const [flag, name] of Object.entries(FLAG_TO_ENV)) {
    const value = flags[flag as keyof Flags]
    if (value !== undefined) merged[name] = value
  }
  const result = envSchema.safeParse(merged)
  let e: z.infer<typeof envSchema>
  if (result.success) e = result.data
  else {
    // Every problem in one message: the rest is checked with the bad variables at their defaults.
    for (const issue of result.error.issues) problems.push(`${issue.path.join('.')}: ${issue.message}`)
    const bad = new Set(result.error.issues.map((issue) => String(issue.path[0])))
    e = envSchema.parse(Object.fromEntries(Object.entries(merged).filter(([name]) => !bad.has(name))))
  }
  const brand = loadBrand(e, problems)
  if ((e.MAILDESK_SMTP_TLS_KEY_FILE === undefined) !== (e.MAILDESK_SMTP_TLS_CERT_FILE === undefined)) {
    problems.push('MAILDESK_SMTP_TLS_KEY_FILE and MAILDESK_SMTP_TLS_CERT_FILE must be set together (STARTTLS needs both)')
  }
  const imapMailboxes = e.MAILDESK_IMAP_MAILBOXES_FILE ? loadImapMailboxes(e.MAILDESK_IMAP_MAILBOXES_FILE, problems) : []
  for (const m of imapMailboxes) {
    if (brand && !officialAddresses(brand).includes(m.address)) {
      problems.push(`MAILDESK_IMAP_MAILBOXES_FILE: mailbox ${m.name}: address must be one of the official addresses (${officialAddresses(brand).join(', ')})`)
    }
  }
  if (e.MAILDESK_CLAMD_ADDRESS) {
    try {
      parseClamdAddress(e.MAILDESK_CLAMD_ADDRESS)
    } catch (err) {
      problems.push(`MAILDESK_CLAMD_ADDRESS: ${(err as Error).message}`)
    }
  }
  const trustProxy = parseTrustedProxies(e.MAILDESK_TRUST_PROXY ?? '', problems)
  if (e.MAILDESK_HTTP_PORT === e.MAILDESK_SMTP_PORT && e.MAILDESK_HTTP_PORT !== 0) {
    problems.push(`MAILDESK_SMTP_PORT: ${e.MAILDESK_SMTP_PORT} is also the HTTP port; give HTTP and SMTP different ports (--http-port, --smtp-port)`)
  }
  const dataDir = path.resolve(e.MAILDESK_DATA_DIR)
  const usesDataDir = options.dataDir !== false
  if (usesDataDir) checkDataDir(dataDir, problems)
  // Nothing is written while the configuration is invalid: the key is created only for a config that will start.
  const secretKey = e.MAILDESK_SECRET_KEY
    ? Buffer.from(e.MAILDESK_SECRET_KEY, 'hex')
    : (loadOrCreateSecretKey(dataDir, problems, usesDataDir && problems.length === 0) ?? (usesDataDir ? undefined : randomBytes(32)))
  if (problems.length > 0 || !brand || !secretKey) throw new ConfigError(problems)
  return Object.freeze({
    dataDir,
    host: e.MAILDESK_HOST,
    httpPort: e.MAILDESK_HTTP_PORT,
    smtpPort: e.MAILDESK_SMTP_PORT,
    databaseUrl: e.DATABASE_URL,
    logLevel: e.MAILDESK_LOG_LEVEL,
    maxMessageBytes: e.MAILDESK_MAX_MESSAGE_BYTES,
    maxAttachments: e.MAILDESK_MAX_ATTACHMENTS,
    maxAttachmentBytes: e.MAILDESK_MAX_ATTACHMENT_BYTES,
    smtpMaxClients: e.MAILDESK_SMTP_MAX_CLIENTS,
    workerLeaseMs: e.MAILDESK_WORKER_LEASE_SECONDS * 1000,
    rawRetentionDays: e.MAILDESK_RAW_RETENTION_DAYS,
    smtpTls:
      e.MAILDESK_SMTP_TLS_KEY_FILE && e.MAILDESK_SMTP_TLS_CERT_FILE
        ? { keyFile: e.MAILDESK_SMTP_TLS_KEY_FILE, certFile: e.MAILDESK_SMTP_TLS_CERT_FILE }
        : undefined,
    publicUrl: (e.MAILDESK_PUBLIC_URL ?? `http://${e.MAILDESK_HOST}:${e.MAILDESK_HTTP_PORT}`).replace(/\/+$/, ''),
    smtpRelayUrl: e.MAILDESK_SMTP_RELAY_URL,
    secretKey,
    autoReplyLimit: e.MAILDESK_AUTO_REPLY_LIMIT,
    dkimSelector: e.MAILDESK_DKIM_SELECTOR,
    imap: Object.freeze({
      mailboxes: Object.freeze(imapMailboxes),
      alertAfterMs: e.MAILDESK_IMAP_ALERT_AFTER_SECONDS * 1000,
      pollIntervalMs: e.MAILDESK_IMAP_POLL_SECONDS * 1000,
      leaseMs: e.MAILDESK_IMAP_LEASE_SECONDS * 1000,
    }),
    clamdAddress: e.MAILDESK_CLAMD_ADDRESS,
    metricsToken: e.MAILDESK_METRICS_TOKEN,
    trustProxy: Object.freeze(trustProxy),
    maxAttachmentsTotalBytes: e.MAILDESK_MAX_ATTACHMENTS_TOTAL_BYTES,
    brand: Object.freeze(brand),
  })
}

/** MAILDESK_TRUST_PROXY: addresses or CIDR ranges (IPv4 or IPv6), comma-separated; anything else is a problem. */
function parseTrustedProxies(value: string, problems: string[]): string[] {
  const entries = value.split(',').map((v) => v.trim()).filter((v) => v.length > 0)
  for (const entry of entries) {
    const [address = '', prefix, extra] = entry.split('/')
    const family = isIP(address)
    const bits = family === 4 ? 32 : 128
    const prefixOk = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= bits)
    if (family === 0 || !prefixOk || extra !== undefined) {
      problems.push(`MAILDESK_TRUST_PROXY: "${entry.slice(0, 60)}" is not an IP address or CIDR range (e.g. 10.0.0.5, 10.0.0.0/8, fd00::/8)`)
    }
  }
  return entries
}
