import { closeSync, fsyncSync, mkdirSync, openSync, statSync, unlinkSync, writeSync } from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import nodemailer from 'nodemailer'
import { openDatabase, sqlitePathIn } from '../store/database.ts'
import type { CheckResult } from './check-result.ts'

/** Opens the database as `serve` would (connecting, then bringing the schema to the latest migration). */
export async function checkDatabase(options: { databaseUrl: string | undefined; dataDir: string }): Promise<CheckResult> {
  const name = 'database'
  try {
    const store = await openDatabase({ databaseUrl: options.databaseUrl, sqlitePath: sqlitePathIn(options.dataDir), maxConnections: 1 })
    try {
      const migrations = await store.db.introspection.getTables()
      return { name, status: 'ok', detail: `${store.dialect}: connected, schema migrated (${migrations.length} tables)` }
    } finally {
      await store.destroy()
    }
  } catch (err) {
    return {
      name,
      status: 'fail',
      detail: err instanceof Error ? err.message : String(err),
      fix: options.databaseUrl
        ? 'check DATABASE_URL (host, port, user, password, database name) and that PostgreSQL accepts connections from this host'
        : `check that ${sqlitePathIn(options.dataDir)} is writable by this user`,
    }
  }
}

/** Binds the port briefly, as serve will: in use or not permitted is a failure. */
export async function checkPortBindable(label: string, host: string, port: number): Promise<CheckResult> {
  const name = `port ${label}`
  if (port === 0) return { name, status: 'ok', detail: `${host}:0 (any free port)` }
  const server = net.createServer()
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen({ host, port, exclusive: true }, resolve)
    })
    return { name, status: 'ok', detail: `${host}:${port} is free` }
  } catch (err) {
    const code = (err as { code?: unknown }).code
    const fix =
      code === 'EADDRINUSE'
        ? `another process listens on ${host}:${port} (maildesk already running? \`ss -ltnp 'sport = :${port}'\` names it); stop it or choose another port`
        : code === 'EACCES'
          ? `ports below 1024 need privileges: \`setcap cap_net_bind_service=+ep $(command -v node)\`, or listen on ${port + 2000} and forward ${port} to it`
          : `check that ${host} is an address of this machine (MAILDESK_HOST)`
    return { name, status: 'fail', detail: `cannot bind ${host}:${port} (${String(code)})`, fix }
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }
}

/**
 * The data directory holds raw mail, attachments, the DKIM key and the outbox: it must be writable (a file is
 * written and fsynced) and not readable by other users.
 */
export function checkDataDir(dataDir: string): CheckResult[] {
  const results: CheckResult[] = []
  try {
    mkdirSync(dataDir, { recursive: true })
    const probe = path.join(dataDir, `.doctor-${process.pid}`)
    const fd = openSync(probe, 'w')
    try {
      writeSync(fd, 'probe')
      fsyncSync(fd)
    } finally {
      closeSync(fd)
      unlinkSync(probe)
    }
    results.push({ name: 'data dir', status: 'ok', detail: `${path.resolve(dataDir)} is writable` })
  } catch (err) {
    const code = (err as { code?: unknown }).code
    return [{ name: 'data dir', status: 'fail', detail: `${path.resolve(dataDir)}: ${String(code ?? err)}`, fix: `create it and give it to the service user: \`install -d -m 700 -o maildesk ${path.resolve(dataDir)}\`` }]
  }
  const mode = statSync(dataDir).mode & 0o777
  if (mode & 0o007) {
    results.push({
      name: 'data dir permissions',
      status: 'warn',
      detail: `mode ${mode.toString(8)}: other users can read mail, attachments and the DKIM key`,
      fix: `chmod 700 ${path.resolve(dataDir)}`,
    })
  } else {
    results.push({ name: 'data dir permissions', status: 'ok', detail: `mode ${mode.toString(8)}` })
  }
  return results
}

/** Connects to the outbound relay and runs EHLO (and AUTH when the URL has credentials) without sending. */
export async function checkRelay(relayUrl: string | undefined): Promise<CheckResult> {
  if (!relayUrl) return { name: 'outbound relay', status: 'ok', detail: 'none configured: outbound mail is written to <data-dir>/outbox/' }
  const host = safeRelayHost(relayUrl)
  const transport = nodemailer.createTransport({ url: relayUrl, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 15_000 })
  try {
    await transport.verify()
    return { name: 'outbound relay', status: 'ok', detail: `${host} accepts connections` }
  } catch (err) {
    const code = (err as { code?: unknown }).code
    return {
      name: 'outbound relay',
      status: 'fail',
      detail: `${host}: ${String(code ?? 'error')}`,
      fix: 'check MAILDESK_SMTP_RELAY_URL (host, port, credentials) and that this host may connect to it',
    }
  } finally {
    transport.close()
  }
}

/** host:port only: the URL may carry credentials. */
function safeRelayHost(url: string): string {
  try {
    const u = new URL(url)
    return `${u.hostname}:${u.port || (u.protocol === 'smtps:' ? '465' : '587')}`
  } catch {
    return '(unparsable URL)'
  }
}
