// Peak memory of `maildesk serve` receiving and processing one message with a 25 MB attachment over SMTP
// (~34 MB on the wire after base64). Target: peak RSS under 200 MB. Read from /proc/<pid>/status (VmHWM).
//   node --import tsx bench/large-attachment.bench.ts
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import nodemailer from 'nodemailer'
import { fmt, isMain, REPO_ROOT } from './lib/measure.ts'

const ATTACHMENT_BYTES = 25 * 1000 * 1000

function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0)
  return kb / 1024
}

export async function run(): Promise<Record<string, unknown>> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'maildesk-bench-25mb-'))
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin/maildesk'), 'serve', '--data-dir', dataDir, '--http-port', '0', '--smtp-port', '0'], {
    env: { ...process.env, DATABASE_URL: '', MAILDESK_LOG_LEVEL: 'warn', MAILDESK_MAX_MESSAGE_BYTES: String(48 * 1024 * 1024), MAILDESK_MAX_ATTACHMENT_BYTES: String(30 * 1024 * 1024) },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  try {
    const { smtpPort, httpUrl } = await new Promise<{ smtpPort: number; httpUrl: string }>((resolve, reject) => {
      let out = ''
      child.stdout?.on('data', (d: Buffer) => {
        out += d.toString()
        const m = /maildesk listening http=(\S+) smtp=[\d.]+:(\d+)/.exec(out)
        if (m?.[1] && m[2]) resolve({ httpUrl: m[1], smtpPort: Number(m[2]) })
      })
      child.once('exit', (code) => reject(new Error(`serve exited with ${code}`)))
    })
    const baseline = peakRssMb(child.pid ?? 0)
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtpPort, ignoreTLS: true })
    const start = performance.now()
    await transport.sendMail({
      from: 'li.wei@customer.example',
      to: 'support@okpay.com',
      subject: 'Statement attached',
      text: 'Please see the attached statement export.',
      attachments: [{ filename: 'statement.bin', content: randomBytes(ATTACHMENT_BYTES) }],
    })
    const acceptedMs = performance.now() - start
    for (let i = 0; i < 600; i++) {
      const health = (await (await fetch(`${httpUrl}/api/v1/health`)).json()) as { queue?: Record<string, number> }
      if ((health.queue?.processed ?? 0) >= 1) break
      await new Promise((r) => setTimeout(r, 100))
    }
    const processedMs = performance.now() - start
    const peak = peakRssMb(child.pid ?? 0)
    console.log(
      `25 MB attachment over SMTP: peak RSS ${fmt(peak)} MB (idle server ${fmt(baseline)} MB; target < 200 MB); 250 after ${fmt(acceptedMs)} ms, processed after ${fmt(processedMs)} ms`,
    )
    return { peakRssMb: Math.round(peak), idleRssMb: Math.round(baseline), acceptedMs: Math.round(acceptedMs), processedMs: Math.round(processedMs) }
  } finally {
    child.kill('SIGTERM')
    await new Promise((r) => child.once('exit', r))
    rmSync(dataDir, { recursive: true, force: true })
  }
}

if (isMain(import.meta.url)) await run()
