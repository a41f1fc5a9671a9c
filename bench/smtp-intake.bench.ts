// SMTP acceptance over loopback with many parallel connections: messages/second with durable 250s (SQLite, group
// commit), beside the same receiver (src/intake/smtp/) answering 250 without storing anything, in the same run. The client is a
// separate process (bench/lib/smtp-blast.ts) so it does not share the server's event loop.
//   node --import tsx bench/smtp-intake.bench.ts
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { officialAddresses } from '../src/brand.ts'
import { loadConfig } from '../src/config.ts'
import { SmtpIntake } from '../src/intake/smtp-intake.ts'
import { reply } from '../src/intake/smtp/smtp-command.ts'
import { SmtpReceiver } from '../src/intake/smtp/smtp-receiver.ts'
import { silentLogger } from '../src/logger.ts'
import { openRuntime } from '../src/runtime.ts'
import { fmt, medianOf, REPO_ROOT, runIfMain } from './lib/measure.ts'

const COUNT = 3000
const CONNECTIONS = 50
const SIZE = 4 * 1024 // 4 KiB, a typical support mail
const RUNS = 3

async function bareRate(): Promise<number> {
  const receiver = new SmtpReceiver(
    { host: '127.0.0.1', port: 0, serverName: 'okpay.com', maxMessageBytes: 25 * 1024 * 1024, maxClients: CONNECTIONS * 2 },
    { checkRecipient: () => undefined, receiveMessage: async () => reply(250, '2.0.0', 'OK') },
  )
  const { port } = await receiver.listen()
  try {
    return await blastAsync(port)
  } finally {
    await receiver.close()
  }
}

async function durableRate(): Promise<number> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'maildesk-bench-smtp-'))
  const config = loadConfig({ MAILDESK_DATA_DIR: dataDir, MAILDESK_LOG_LEVEL: 'silent' })
  const runtime = await openRuntime(config, silentLogger)
  const smtp = new SmtpIntake(
    { host: '127.0.0.1', port: 0, acceptedRecipients: officialAddresses(config.brand), maxMessageBytes: config.maxMessageBytes, maxClients: CONNECTIONS * 2, serverName: 'okpay.com' },
    runtime.spool,
    silentLogger,
  )
  const address = await smtp.listen()
  try {
    return await blastAsync(address.port)
  } finally {
    await smtp.close()
    await runtime.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

async function blastAsync(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', path.join(REPO_ROOT, 'bench/lib/smtp-blast.ts'), String(port), String(COUNT), String(CONNECTIONS), String(SIZE)],
      { cwd: REPO_ROOT, encoding: 'utf8' },
      (err, stdout) => {
        if (err) return reject(err)
        const result = JSON.parse(stdout) as { sent: number; failed: number; seconds: number }
        if (result.failed > 0) return reject(new Error(`${result.failed} messages were refused`))
        resolve(result.sent / result.seconds)
      },
    )
  })
}

export async function run(): Promise<Record<string, unknown>> {
  const bare = await medianOf(RUNS, bareRate)
  const durable = await medianOf(RUNS, durableRate)
  const ratio = durable.median / bare.median
  console.log(
    `SMTP, ${CONNECTIONS} parallel connections, ${COUNT} × ${SIZE / 1024} KiB: the receiver answering without storing ${fmt(bare.median)} msg/s; Maildesk with durable 250s (SQLite) ${fmt(durable.median)} msg/s; ratio ${fmt(ratio * 100, 1)}% [median of ${RUNS}]`,
  )
  return { bareMsgPerSec: Math.round(bare.median), durableMsgPerSec: Math.round(durable.median), ratio: Number(ratio.toFixed(3)) }
}

await runIfMain(import.meta.url, run)
