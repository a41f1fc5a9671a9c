import { parseArgs } from 'node:util'
import { pino } from 'pino'
import { loadConfig, type Config, type Flags } from '../config.ts'
import { MaildeskError } from '../errors.ts'
import { createLogger, type Logger } from '../logger.ts'
import type { CliIo } from './ingest.ts'

// Each command's module is imported when that command runs: `maildesk redact` or `maildesk dkim` never loads the
// server, the pipeline or their packages (the bundle is split per command, scripts/build.mjs).

/** Flags every command accepts. */
const COMMON_OPTIONS = {
  'data-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const

interface Command {
  summary: string
  usage: string
  options?: Record<string, { type: 'string' | 'boolean'; short?: string }>
  /** Takes operands (files, ids, a subcommand); the others refuse any, rather than silently ignoring a typo. */
  operands?: true
  /** false: keeps no state, so it runs anywhere without creating or needing a data directory (config.ts LoadOptions). */
  dataDir?: false
  /** Returns the exit code. */
  run(ctx: { config: Config; log: Logger; args: string[]; values: Record<string, unknown>; io: CliIo }): Promise<number>
}

const COMMANDS: Record<string, Command> = {
  serve: {
    summary: 'run HTTP, SMTP, the pipeline worker and scheduled work (--role picks one part)',
    usage: 'maildesk serve [--role all|http|smtp|worker] [--metrics-port N] [--data-dir DIR] [--host ADDR] [--http-port N] [--smtp-port N]',
    options: { 'http-port': { type: 'string' }, 'smtp-port': { type: 'string' }, host: { type: 'string' }, role: { type: 'string' }, 'metrics-port': { type: 'string' } },
    run: async ({ config, log, values }) => {
      const { parseMetricsPort, parseServeRole, serve } = await import('./serve.ts')
      const role = parseServeRole(typeof values.role === 'string' ? values.role : undefined)
      const metricsPort = parseMetricsPort(typeof values['metrics-port'] === 'string' ? values['metrics-port'] : undefined)
      await serve(config, log, role, { metricsPort })
      return 0
    },
  },
  ingest: {
    summary: 'import .eml files; prints the ticket number of each',
    usage: 'maildesk ingest [--data-dir DIR] FILE.eml…',
    operands: true,
    run: async ({ config, log, args, io }) => (await import('./ingest.ts')).ingest(config, log, args, io),
  },
  dkim: {
    summary: 'print the DNS TXT record of our DKIM key (created if missing)',
    usage: 'maildesk dkim [--data-dir DIR] [--json]',
    options: { json: { type: 'boolean' } },
    run: async ({ config, values, io }) => (await import('./dkim.ts')).printDkimRecord(config, io, { json: values.json === true }),
  },
  admin: {
    summary: 'create an agent or admin, or set a password (read from --password-file or stdin)',
    usage: 'maildesk admin create|set-password --email E [--password-file F] [--role admin|agent] [--name NAME]',
    operands: true,
    options: { email: { type: 'string' }, 'password-file': { type: 'string' }, role: { type: 'string' }, name: { type: 'string' } },
    run: async ({ config, args, values, io }) =>
      (await import('./admin.ts')).admin(config, args, {
        email: typeof values.email === 'string' ? values.email : undefined,
        passwordFile: typeof values['password-file'] === 'string' ? values['password-file'] : undefined,
        role: typeof values.role === 'string' ? values.role : undefined,
        name: typeof values.name === 'string' ? values.name : undefined,
      }, io),
  },
  redact: {
    summary: 'redact card numbers, passwords, codes and IDs from UTF-8 text on stdin',
    usage: 'maildesk redact [--json] < TEXT',
    options: { json: { type: 'boolean' } },
    dataDir: false,
    run: async ({ values, io }) => (await import('./redact.ts')).redact({ json: values.json === true }, io),
  },
  reprocess: {
    summary: 'run failed messages through the pipeline again',
    usage: 'maildesk reprocess [--data-dir DIR] [RAW_MESSAGE_ID…]',
    operands: true,
    run: async ({ config, log, args, io }) => (await import('./reprocess.ts')).reprocess(config, log, args, io),
  },
  doctor: {
    summary: 'check config, database, ports, data dir, relay and the DNS records to publish (MX, SPF, DKIM, DMARC)',
    usage: 'maildesk doctor [--data-dir DIR] [--no-dns] [--no-ports] [--mx-host NAME]',
    options: { 'no-dns': { type: 'boolean' }, 'no-ports': { type: 'boolean' }, 'mx-host': { type: 'string' } },
    run: async ({ config, values, io }) =>
      (await import('./doctor.ts')).doctor(config, io, {
        noDns: values['no-dns'] === true,
        noPorts: values['no-ports'] === true,
        mxHost: typeof values['mx-host'] === 'string' ? values['mx-host'] : undefined,
      }),
  },
  verify: {
    summary: 'is this really us? judge an address, domain, URL, phone number or .eml',
    usage: 'maildesk verify [--json] [--no-dns] [--lang en|zh-CN] INPUT | --eml FILE',
    operands: true,
    dataDir: false,
    options: { json: { type: 'boolean' }, 'no-dns': { type: 'boolean' }, eml: { type: 'string' }, lang: { type: 'string' } },
    run: async ({ config, log, args, values, io }) =>
      (await import('./verify.ts')).verify(config, log, args, {
        json: values.json === true,
        noDns: values['no-dns'] === true,
        emlFile: typeof values.eml === 'string' ? values.eml : undefined,
        language: typeof values.lang === 'string' ? values.lang : undefined,
      }, io),
  },
}

function helpText(): string {
  const lines = ['usage: maildesk <command> [options]', '', 'commands:']
  for (const [name, c] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(10)} ${c.summary}`)
  lines.push('', 'Every command accepts --data-dir DIR (or MAILDESK_DATA_DIR); DATABASE_URL selects PostgreSQL.')
  return lines.join('\n')
}

/** Runs the CLI and returns the process exit code; never throws. */
export async function main(argv: string[], env = process.env, io: CliIo = defaultIo): Promise<number> {
  const [name, ...rest] = argv
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(helpText())
    return name ? 0 : 2
  }
  const command = COMMANDS[name]
  if (!command) {
    io.err(`maildesk: unknown command "${name.slice(0, 40)}"\n\n${helpText()}`)
    return 2
  }
  let values: Record<string, unknown>
  let positionals: string[]
  try {
    ;({ values, positionals } = parseArgs({
      args: rest,
      options: { ...COMMON_OPTIONS, ...command.options },
      allowPositionals: true,
      strict: true,
    }))
  } catch (err) {
    io.err(`maildesk ${name}: ${(err as Error).message}\nusage: ${command.usage}`)
    return 2
  }
  if (values.help) {
    io.out(`usage: ${command.usage}\n${command.summary}`)
    return 0
  }
  if (!command.operands && positionals.length > 0) {
    io.err(`maildesk ${name}: unexpected argument "${positionals[0]!.slice(0, 40)}"\nusage: ${command.usage}`)
    return 2
  }
  const flags: Flags = {
    dataDir: values['data-dir'] as string | undefined,
    httpPort: values['http-port'] as string | undefined,
    smtpPort: values['smtp-port'] as string | undefined,
    host: values.host as string | undefined,
  }
  let config: Config
  try {
    config = loadConfig(env, flags, { dataDir: command.dataDir !== false })
  } catch (err) {
    io.err(`maildesk ${name}: ${(err as Error).message}`)
    return 2
  }
  // serve logs to stdout like any service; other commands keep stdout for their output.
  const log = name === 'serve' ? createLogger(config.logLevel) : createLogger(env.MAILDESK_LOG_LEVEL ?? 'warn', pino.destination(2))
  try {
    return await command.run({ config, log, args: positionals, values, io })
  } catch (err) {
    if (err instanceof MaildeskError) {
      io.err(`maildesk ${name}: ${err.message}`)
      // docs/errors.md: what the user typed (a flag, an operand, the configuration) is exit 2; anything else 1.
      return err.code === 'INVALID_INPUT' || err.code === 'CONFIG_INVALID' ? 2 : 1
    }
    const listenProblem = describeListenError(err)
    if (listenProblem) {
      io.err(`maildesk ${name}: ${listenProblem}`)
      return 1
    }
    log.error({ err }, 'command failed')
    io.err(`maildesk ${name}: unexpected error: ${(err as Error).message}`)
    return 1
  }
}

/** A port that cannot be bound is an operator's problem with a known fix, not a crash to report. */
function describeListenError(err: unknown): string | undefined {
  const e = err as { code?: unknown; address?: unknown; port?: unknown }
  const where = `${String(e.address ?? '')}:${String(e.port ?? '')}`
  if (e.code === 'EADDRINUSE') {
    return `${where} is already in use by another program; stop it, or choose other ports with --http-port/--smtp-port (MAILDESK_HTTP_PORT/MAILDESK_SMTP_PORT)`
  }
  if (e.code === 'EACCES') return `not allowed to listen on ${where}; ports below 1024 need privileges, choose a higher port`
  if (e.code === 'EADDRNOTAVAIL') return `${String(e.address ?? 'that address')} is not an address of this machine; check --host (MAILDESK_HOST)`
  const host = (err as { hostname?: unknown }).hostname
  if ((e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN') && typeof host === 'string') {
    return `cannot listen on "${host.slice(0, 100)}": no such host name; give --host (MAILDESK_HOST) an address of this machine, such as 127.0.0.1 or 0.0.0.0`
  }
  return undefined
}

const defaultIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
}
