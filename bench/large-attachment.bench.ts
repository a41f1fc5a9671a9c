// Peak memory of `maildesk serve` receiving and processing one message with a 25 MB attachment over SMTP
// (~34 MB on the wire after base64). Target: peak RSS under 200 MB. Read from /proc/<pid>/status (VmHWM).
//   node --import tsx bench/large-attachment.bench.ts
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import nodemailer from 'nodemailer'
import { startServeProcess } from '../test/helpers/serve-process.ts'
import { fmt, runIfMain } from './lib/measure.ts'

const ATTACHMENT_BYTES = 25 * 1000 * 1000

function statusMb(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0)
  return kb / 1024
}

const peakRssMb = (pid: number) => statusMb(pid, 'VmHWM')

/** Samples VmRSS every 10 ms, so the peak can be split into receiving (until the 250) and processing. */
function sampleRss(pid: number): { peakSince(mark: number): number; mark(): number; stop(): void } {
  const samples: number[] = []
  const timer = setInterval(() => samples.push(statusMb(pid, 'VmRSS')), 10)
  return {
    mark: () => samples.length,
    peakSince: (mark) => Math.max(0, ...samples.slice(mark)),
    stop: () => clearInterval(timer),
  }
}

export async function run(): Promise<Record<string, unknown>> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'maildesk-bench-25mb-'))
  const server = await startServeProcess({
    dataDir,
    env: { DATABASE_URL: '', MAILDESK_MAX_MESSAGE_BYTES: String(48 * 1024 * 1024), MAILDESK_MAX_ATTACHMENT_BYTES: String(30 * 1024 * 1024) },
  })
  const { smtpPort, httpUrl, child } = server
  try {
    const pid = child.pid ?? 0
    const idle = statusMb(pid, 'VmRSS')
    const baseline = peakRssMb(pid)
    const sampler = sampleRss(pid)
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
    const receivingPeak = sampler.peakSince(0)
    const processingStart = sampler.mark()
    let outcome = 'timed out'
    for (let i = 0; i < 600; i++) {
      const health = (await (await fetch(`${httpUrl}/api/v1/health`)).json()) as { queue?: Record<string, number> }
      if ((health.queue?.processed ?? 0) >= 1) outcome = 'processed'
      else if ((health.queue?.failed ?? 0) >= 1) outcome = 'FAILED'
      if (outcome !== 'timed out') break
      await new Promise((r) => setTimeout(r, 100))
    }
    const processedMs = performance.now() - start
    sampler.stop()
    const processingPeak = sampler.peakSince(processingStart)
    const peak = peakRssMb(pid)
    console.log(
      `25 MB attachment over SMTP: peak RSS ${fmt(peak)} MB (target < 200 MB; idle server ${fmt(idle)} MB, ${fmt(baseline)} MB peak while starting; ` +
        `sampled peaks: receiving ${fmt(receivingPeak)} MB, processing ${fmt(processingPeak)} MB); 250 after ${fmt(acceptedMs)} ms, ${outcome} after ${fmt(processedMs)} ms`,
    )
    return {
      peakRssMb: Math.round(peak),
      idleRssMb: Math.round(idle),
      startPeakRssMb: Math.round(baseline),
      receivingPeakRssMb: Math.round(receivingPeak),
      processingPeakRssMb: Math.round(processingPeak),
      acceptedMs: Math.round(acceptedMs),
      processedMs: Math.round(processedMs),
      outcome,
    }
  } finally {
    await server.stop()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

await runIfMain(import.meta.url, run)
