import { spawn, type ChildProcess } from 'node:child_process'
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir, userInfo } from 'node:os'
import path from 'node:path'
import { createConnection } from 'node:net'
import { ImapFlow } from 'imapflow'
import type { ImapMailboxConfig } from '../../src/intake/imap-config.ts'
import { findFreePort } from './free-port.ts'

/** Debian puts daemons in /usr/sbin, which is not on an unprivileged user's PATH. */
function sbin(name: string): string {
  return existsSync(`/usr/sbin/${name}`) ? `/usr/sbin/${name}` : name
}

export interface DovecotUser {
  user: string
  password: string
}

export interface DovecotServer {
  host: string
  port: number
  dir: string
  users: DovecotUser[]
  /** Kills the server (SIGKILL: a crash, not a shutdown) and waits until the port is closed. */
  kill(): Promise<void>
  /** Starts it again on the same port and the same mail. */
  start(): Promise<void>
  /** Stops it and deletes its directory. */
  destroy(): Promise<void>
  /** A connected client for one of the users, for delivering and inspecting in tests. */
  connect(user?: DovecotUser): Promise<ImapFlow>
}

export interface DovecotOptions {
  /** Also accept XOAUTH2/OAUTHBEARER, checking tokens with this RFC 7662 introspection endpoint (POST). */
  oauth2IntrospectionUrl?: string
}

function oauth2Config(dir: string, url: string | undefined): { mechanisms: string; passdb: string } {
  if (!url) return { mechanisms: '', passdb: '' }
  writeFileSync(
    path.join(dir, 'dovecot-oauth2.conf.ext'),
    [`introspection_url = ${url}`, 'introspection_mode = post', 'username_attribute = username', 'active_attribute = active', 'active_value = true', ''].join('\n'),
  )
  return {
    mechanisms: ' xoauth2 oauthbearer',
    passdb: `passdb {\n  driver = oauth2\n  mechanisms = xoauth2 oauthbearer\n  args = ${dir}/dovecot-oauth2.conf.ext\n}\n`,
  }
}

function config(dir: string, port: number, uid: number, gid: number, unprivileged: string | undefined, options: DovecotOptions): string {
  const oauth2 = oauth2Config(dir, options.oauth2IntrospectionUrl)
  // As root, Dovecot drops to its own users (dovecot, dovenull) and mail runs as "nobody"; as anyone
  // else, every process runs as that user.
  const users = unprivileged
    ? `default_internal_user = ${unprivileged}\ndefault_login_user = ${unprivileged}\ndefault_internal_group = ${groupName(gid)}\n` +
      // chroot needs root.
      'service anvil {\n  chroot =\n}\n'
    : ''
  return `${users}
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login${oauth2.mechanisms}
auth_failure_delay = 0
first_valid_uid = ${uid}
first_valid_gid = ${gid}
mail_location = maildir:${dir}/mail/%u
mail_uid = ${uid}
mail_gid = ${gid}
${oauth2.passdb}passdb {
  driver = passwd-file
  mechanisms = plain login
  args = scheme=PLAIN username_format=%u ${dir}/users
}
userdb {
  driver = static
  args = uid=${uid} gid=${gid} home=${dir}/home/%u
}
service imap-login {
${unprivileged ? '  chroot =\n' : ''}  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
service stats {
  unix_listener stats-reader {
    mode = 0666
  }
  unix_listener stats-writer {
    mode = 0666
  }
}
`
}

/** The name of a group id, from /etc/group (Dovecot's settings take names). */
function groupName(gid: number): string {
  for (const line of readFileSync('/etc/group', 'utf8').split('\n')) {
    const [name, , id] = line.split(':')
    if (name && Number(id) === gid) return name
  }
  throw new Error(`no group with id ${gid} in /etc/group`)
}

const NOBODY = 65534
const NOGROUP = 65534

async function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port })
    socket.once('data', (d) => {
      socket.destroy()
      resolve(d.toString().startsWith('* OK'))
    })
    socket.once('error', () => resolve(false))
    socket.setTimeout(1000, () => {
      socket.destroy()
      resolve(false)
    })
  })
}

/**
 * Starts a throwaway Dovecot (Debian's dovecot-imapd binary, never the system service): its own
 * base_dir and config in a temp directory, maildirs there, users from a passwd-file, plaintext IMAP
 * on a free 127.0.0.1 port. Resolves once it sends its greeting.
 */
export async function startDovecot(
  users: DovecotUser[] = [{ user: 'support@okpay.com', password: 'test-password' }],
  options: DovecotOptions = {},
): Promise<DovecotServer> {
  const dir = mkdtempSync(path.join(tmpdir(), 'maildesk-dovecot-'))
  // Dovecot's login processes run as dovenull and must reach the sockets in base_dir.
  chmodSync(dir, 0o755)
  for (const sub of ['run', 'state', 'mail', 'home']) mkdirSync(path.join(dir, sub), { mode: 0o755 })
  writeFileSync(path.join(dir, 'users'), users.map((u) => `${u.user}:{PLAIN}${u.password}::::::`).join('\n') + '\n')
  const port = await findFreePort()
  const isRoot = process.getuid?.() === 0
  // Dovecot refuses to run mail processes as root.
  const uid = isRoot ? NOBODY : (process.getuid?.() ?? NOBODY)
  const gid = isRoot ? NOGROUP : (process.getgid?.() ?? NOGROUP)
  if (isRoot) for (const sub of ['mail', 'home']) chownSync(path.join(dir, sub), uid, gid)
  const configFile = path.join(dir, 'dovecot.conf')
  writeFileSync(configFile, config(dir, port, uid, gid, isRoot ? undefined : userInfo().username, options))
  let child: ChildProcess | undefined

  const start = async () => {
    // Its own process group, so kill() takes the login and imap children down with the master.
    const proc = spawn(sbin('dovecot'), ['-F', '-c', configFile], { stdio: ['ignore', 'ignore', 'pipe'], detached: true })
    child = proc
    let stderr = ''
    proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()))
    const deadline = Date.now() + 20_000
    while (!(await portAnswers(port))) {
      if (proc.exitCode !== null || Date.now() > deadline) {
        let log = ''
        try {
          log = readFileSync(path.join(dir, 'dovecot.log'), 'utf8')
        } catch {}
        proc.kill('SIGKILL')
        throw new Error(`dovecot did not start: ${stderr}\n${log.slice(-2000)}`)
      }
      await new Promise((r) => setTimeout(r, 100))
    }
  }
  const kill = async () => {
    const proc = child
    if (!proc || proc.exitCode !== null) return
    const exited = new Promise((r) => proc.once('exit', r))
    if (proc.pid !== undefined) process.kill(-proc.pid, 'SIGKILL')
    await exited
    // Wait until nothing answers any more.
    const deadline = Date.now() + 10_000
    while ((await portAnswers(port)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
    // SIGKILL left the master's pid file behind; a new master refuses to start over a live one only.
    rmSync(path.join(dir, 'run', 'master.pid'), { force: true })
  }
  await start()
  const defaultUser = users[0]
  if (!defaultUser) throw new Error('startDovecot needs at least one user')
  return {
    host: '127.0.0.1',
    port,
    dir,
    users,
    kill,
    start,
    async destroy() {
      await kill()
      rmSync(dir, { recursive: true, force: true })
    },
    async connect(user = defaultUser) {
      const client = new ImapFlow({ host: '127.0.0.1', port, secure: false, doSTARTTLS: false, auth: { user: user.user, pass: user.password }, logger: false })
      client.on('error', () => {})
      await client.connect()
      return client
    },
  }
}

/** Delivers messages into a folder with APPEND, in order (UIDs ascend with them). */
export async function appendMessages(server: DovecotServer, raws: Array<Buffer | string>, folder = 'INBOX', user?: DovecotUser): Promise<void> {
  const client = await server.connect(user)
  try {
    for (const raw of raws) await client.append(folder, Buffer.from(raw))
  } finally {
    await client.logout()
  }
}

/** A small valid message with a unique Message-ID. */
export function buildTestMessage(n: number, overrides: { subject?: string; from?: string; body?: string } = {}): string {
  return [
    `From: ${overrides.from ?? `customer${n}@example.com`}`,
    'To: support@okpay.com',
    `Subject: ${overrides.subject ?? `Payment question ${n}`}`,
    `Message-ID: <imap-test-${n}@example.com>`,
    'Date: Wed, 25 Nov 2026 10:00:00 +0000',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    overrides.body ?? `My payment number ${n} did not arrive.`,
    '',
  ].join('\r\n')
}

/**
 * The Maildesk mailbox configuration for a user of this Dovecot: plain IMAP on loopback, the password in a file
 * `<secretsDir>/<user>.password` (as operators give it), mapped to support@okpay.com.
 */
export function dovecotMailbox(
  server: Pick<DovecotServer, 'host' | 'port'>,
  user: DovecotUser,
  secretsDir: string,
  overrides: Partial<ImapMailboxConfig> = {},
  password = user.password,
): ImapMailboxConfig {
  const passwordFile = path.join(secretsDir, `${user.user}.password`)
  writeFileSync(passwordFile, `${password}\n`)
  return {
    name: user.user.split('@')[0] ?? 'box',
    host: server.host,
    port: server.port,
    tls: false,
    allowPlaintext: true,
    user: user.user,
    auth: { kind: 'password', passwordFile },
    folder: 'INBOX',
    afterFetch: { action: 'seen' },
    address: 'support@okpay.com',
    ...overrides,
  }
}
