import { readFile } from 'node:fs/promises'
import { createInterface } from 'node:readline'
import { Writable } from 'node:stream'
import { changeAgentPassword, createAgent } from '../agents/agent.service.ts'
import { findAgentByEmail } from '../agents/agent.repository.ts'
import { forgetFirstAdminPassword } from '../agents/first-admin.ts'
import { insertAuditEntry } from '../agents/audit-log.repository.ts'
import type { Config } from '../config.ts'
import { InvalidInputError } from '../errors.ts'
import { openDatabase, sqlitePathIn } from '../store/database.ts'
import type { CliIo } from './ingest.ts'

export interface AdminOptions {
  email?: string | undefined
  passwordFile?: string | undefined
  role?: string | undefined
  name?: string | undefined
  /** Where the password comes from when there is no --password-file: stdin (prompted on a terminal). */
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean }
}

async function readPassword(options: AdminOptions, io: CliIo): Promise<string> {
  if (options.passwordFile) {
    try {
      return (await readFile(options.passwordFile, 'utf8')).replace(/\r?\n$/, '')
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'error'
      throw new InvalidInputError(`cannot read --password-file ${options.passwordFile.slice(0, 200)} (${code}); give a readable file that holds the password`, 'password-file')
    }
  }
  const stdin = options.stdin ?? process.stdin
  if (stdin.isTTY) {
    // Prompt without echo: the muted output stream swallows what readline would print back.
    const muted = new Writable({ write: (_chunk, _encoding, done) => done() })
    const rl = createInterface({ input: stdin, output: muted, terminal: true })
    const ask = (q: string) => new Promise<string>((resolve) => { process.stderr.write(q); rl.question('', (a) => { process.stderr.write('\n'); resolve(a) }) })
    const first = await ask('password: ')
    const second = await ask('again: ')
    rl.close()
    if (first !== second) throw new InvalidInputError('the two passwords differ')
    return first
  }
  const chunks: Buffer[] = []
  for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk))
  void io
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '')
}

/**
 * `maildesk admin create|set-password --email E [--password-file F]`: the password is never a flag (shell history).
 * `create` makes an agent unless `--role admin` says otherwise: the least privilege by default.
 */
export async function admin(config: Config, args: string[], options: AdminOptions, io: CliIo): Promise<number> {
  const [action] = args
  if (action !== 'create' && action !== 'set-password') {
    io.err('maildesk admin: say what to do: create or set-password\nusage: maildesk admin create --email E [--password-file F] [--role admin|agent] [--name NAME]')
    return 2
  }
  if (!options.email) {
    io.err('maildesk admin: --email is required (the address the agent logs in with)')
    return 2
  }
  const password = await readPassword(options, io)
  const store = await openDatabase({ databaseUrl: config.databaseUrl, sqlitePath: sqlitePathIn(config.dataDir) })
  try {
    const now = new Date()
    if (action === 'create') {
      const agent = await createAgent(store.db, { email: options.email, password, role: options.role ?? 'agent', displayName: options.name }, now)
      await insertAuditEntry(store.db, { agentId: null, action: 'agent.create', targetType: 'agent', targetId: agent.id, data: { role: agent.role, via: 'cli' }, now })
      io.out(`created ${agent.role} ${agent.email} (id ${agent.id})`)
    } else {
      const agent = await findAgentByEmail(store.db, options.email)
      if (!agent) throw new InvalidInputError(`no agent with email ${options.email.slice(0, 320)}`, 'email')
      await changeAgentPassword(store.db, agent.id, password, now)
      await insertAuditEntry(store.db, { agentId: null, action: 'password_changed', targetType: 'agent', targetId: agent.id, data: { via: 'cli' }, now })
      forgetFirstAdminPassword(config, agent.email)
      io.out(`password changed for ${agent.email}; their sessions were ended`)
    }
    return 0
  } finally {
    await store.destroy()
  }
}
