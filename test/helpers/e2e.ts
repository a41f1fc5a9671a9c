import { startServeProcess } from './serve-process.ts'
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import nodemailer, { type SendMailOptions } from 'nodemailer'
import { chromium, type Browser, type Page } from 'playwright-core'
import { SMTPServer } from 'smtp-server'
import { REPO_ROOT, tempDir } from './fixtures.ts'

export const CHROMIUM_PATH = '/usr/bin/chromium'
/** Debian's chromium package; `.ci/run` installs it. Browser tests need it and say so when it is missing. */
export const hasChromium = existsSync(CHROMIUM_PATH)
export const SCREENSHOT_DIR = path.join(REPO_ROOT, 'test-output/screenshots')

export interface RunningMaildesk {
  httpUrl: string
  smtpPort: number
  dataDir: string
  adminEmail: string
  adminPassword: string
  stop(): Promise<void>
}

/**
 * Starts `bin/maildesk serve` exactly as `npm start` does (ports 0, a fresh data directory) and reads the
 * first admin's password from the file its log names, which is where an operator finds it at first start.
 */
export async function startMaildesk(env: Record<string, string> = {}): Promise<RunningMaildesk> {
  const dataDir = tempDir('maildesk-e2e-')
  const server = await startServeProcess({
    dataDir,
    env: { MAILDESK_LOG_LEVEL: 'info', ...env },
    waitFor: /created admin (\S+); the password is in (\S+) /,
  })
  const admin = /created admin (\S+); the password is in (\S+) /.exec(server.output())
  return {
    httpUrl: server.httpUrl,
    smtpPort: server.smtpPort,
    dataDir,
    adminEmail: admin?.[1] ?? '',
    adminPassword: admin ? readFileSync(admin[2] as string, 'utf8').trim() : '',
    stop: () => server.stop(),
  }
}

/** Sends a message to our SMTP intake, as a customer's mail server would. */
export async function sendToIntake(smtpPort: number, mail: SendMailOptions | { raw: string | Buffer; envelope: { from: string; to: string[] } }): Promise<void> {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtpPort, secure: false, ignoreTLS: true })
  try {
    await transport.sendMail(mail)
  } finally {
    transport.close()
  }
}

/** A real local SMTP server standing in for the outbound relay; it keeps what it receives. */
export async function startRelay(): Promise<{ url: string; received: { to: string[]; raw: string }[]; stop(): Promise<void> }> {
  const received: { to: string[]; raw: string }[] = []
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (c: Buffer) => chunks.push(c))
      stream.on('end', () => {
        received.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') })
        callback()
      })
    },
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const address = server.server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return { url: `smtp://127.0.0.1:${port}`, received, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) }
}

export async function launchChromium(): Promise<Browser> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true })
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu', '--disable-component-update', '--disable-sync'],
  })
}

export async function logInThroughUi(page: Page, baseUrl: string, email: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/agent/`)
  await page.fill('#login-email', email)
  await page.fill('#login-password', password)
  await page.click('#login-submit')
  await page.waitForSelector('aside.views')
}

/** Polls until the check passes (for mail and live updates that arrive asynchronously). */
export async function waitFor<T>(check: () => T | undefined | Promise<T | undefined>, timeoutMs = 15_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined && value !== false) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}
