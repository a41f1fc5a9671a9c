import { spawn, type ChildProcess } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createClamdScanner } from '../../src/attachments/clamd-scanner.ts'
import { findFreePort } from './free-port.ts'

/** Debian puts daemons in /usr/sbin, which is not on an unprivileged user's PATH. */
function sbin(name: string): string {
  return existsSync(`/usr/sbin/${name}`) ? `/usr/sbin/${name}` : name
}

/** The EICAR anti-virus test string: harmless, and every scanner's "is it working" file. */
export const EICAR = 'X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*'

/** A file of our own that the .hdb (MD5) signature below matches exactly. */
export const HASH_SIGNED_FILE = Buffer.from('Maildesk clamd test file: matched by its MD5 in maildesk-test.hdb\n')

export const SIGNATURES = { eicar: 'Maildesk.Test.EICAR', hashed: 'Maildesk.Test.HashFile', marker: 'Maildesk.Test.Marker' }

/** Bytes anywhere in a file that the .ndb body signature matches (hex of this string, offset *). */
export const MARKER = 'MAILDESK-MALWARE-MARKER-7f3a'

export interface ClamdProcess {
  address: string
  dir: string
  stop(): Promise<void>
}

function ndbLine(name: string, offset: string, text: string): string {
  return `${name}:0:${offset}:${Buffer.from(text, 'latin1').toString('hex')}`
}

/**
 * Starts a throwaway clamd (Debian's clamav-daemon binary, never the system service) on a free
 * loopback port with a signature database the test writes, since official signatures cannot be
 * downloaded here. Resolves once it answers PING.
 */
export async function startClamd(options: { streamMaxLength?: string } = {}): Promise<ClamdProcess> {
  const dir = mkdtempSync(path.join(tmpdir(), 'maildesk-clamd-'))
  const db = path.join(dir, 'db')
  mkdirSync(db)
  mkdirSync(path.join(dir, 'tmp'))
  writeFileSync(
    path.join(db, 'maildesk-test.ndb'),
    [ndbLine(SIGNATURES.eicar, '0', EICAR), ndbLine(SIGNATURES.marker, '*', MARKER)].join('\n') + '\n',
  )
  const md5 = createHash('md5').update(HASH_SIGNED_FILE).digest('hex')
  writeFileSync(path.join(db, 'maildesk-test.hdb'), `${md5}:${HASH_SIGNED_FILE.length}:${SIGNATURES.hashed}\n`)
  const port = await findFreePort()
  const config = path.join(dir, 'clamd.conf')
  writeFileSync(
    config,
    [
      'Foreground yes',
      `LogFile ${path.join(dir, 'clamd.log')}`,
      `DatabaseDirectory ${db}`,
      `TemporaryDirectory ${path.join(dir, 'tmp')}`,
      `PidFile ${path.join(dir, 'clamd.pid')}`,
      'TCPAddr 127.0.0.1',
      `TCPSocket ${port}`,
      `StreamMaxLength ${options.streamMaxLength ?? '25M'}`,
      'MaxThreads 2',
      'Bytecode no',
    ].join('\n') + '\n',
  )
  const child: ChildProcess = spawn(sbin('clamd'), ['--config-file', config], { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()))
  const address = `tcp://127.0.0.1:${port}`
  const scanner = createClamdScanner(address, { timeoutMs: 1000 })
  const deadline = Date.now() + 60_000
  while (!(await scanner.ping())) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL')
      let log = ''
      try {
        log = readFileSync(path.join(dir, 'clamd.log'), 'utf8')
      } catch {}
      rmSync(dir, { recursive: true, force: true })
      throw new Error(`clamd did not start: ${stderr}\n${log}`)
    }
    await new Promise((r) => setTimeout(r, 200))
  }
  return {
    address,
    dir,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r))
        child.kill('SIGTERM')
        await exited
      }
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
