import { spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const BIN = fileURLToPath(new URL('../../bin/maildesk', import.meta.url))

export interface ServeProcess {
  child: ChildProcess
  /** '' for a role without HTTP. */
  httpUrl: string
  /** 0 for a role without SMTP. */
  smtpPort: number
  /** host:port of the metrics listener, when started with --metrics-port. */
  metrics: string | undefined
  /** Everything the process wrote to stdout so far (its log and the listening line). */
  output(): string
  /** Resolves when the process has exited, however it ended. */
  exited: Promise<void>
  /** SIGTERM (graceful) unless told otherwise; resolves once it has exited. */
  stop(signal?: NodeJS.Signals): Promise<void>
}

export interface ServeOptions {
  dataDir: string
  /** Extra arguments after `serve` (ports default to 0). */
  args?: string[]
  env?: Record<string, string>
  /** Resolve only once stdout also matches this (e.g. the first-admin line). */
  waitFor?: RegExp
  /** Until the listening line (and waitFor); then the process is killed and the start fails with its output. */
  timeoutMs?: number
}

/** Below vitest's 30 s hook timeout, so a start that hangs fails with the server's own output, not a bare timeout. */
const START_TIMEOUT_MS = 20_000

/** Starts the real `bin/maildesk serve` (any --role) in its own process and waits for its listening line. */
export async function startServeProcess(options: ServeOptions): Promise<ServeProcess> {
  // The executable itself, as `npm start` runs it: its shebang carries the node flags (bin/maildesk).
  const child = spawn(
    BIN,
    ['serve', '--data-dir', options.dataDir, '--http-port', '0', '--smtp-port', '0', ...(options.args ?? [])],
    { cwd: path.dirname(path.dirname(BIN)), env: { ...process.env, MAILDESK_LOG_LEVEL: 'warn', ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  let stdout = ''
  let stderr = ''
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()))
  const line = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      // Killed, not left behind: a hook that gives up on it would otherwise leave a server running after the tests.
      child.kill('SIGKILL')
      reject(new Error(`maildesk serve did not start${options.waitFor ? ` (or did not print ${options.waitFor})` : ''}:\n${stdout}\n${stderr}`))
    }, options.timeoutMs ?? START_TIMEOUT_MS)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`maildesk serve exited with ${code}:\n${stdout}\n${stderr}`))
    })
    child.stdout?.on('data', (d: Buffer) => {
      stdout += d.toString()
      const listening = /maildesk listening ([^\n]*)\n/.exec(stdout)?.[1]
      if (listening && (!options.waitFor || options.waitFor.test(stdout))) {
        clearTimeout(timer)
        resolve(listening)
      }
    })
  })
  return {
    child,
    httpUrl: /http=(\S+)/.exec(line)?.[1] ?? '',
    smtpPort: Number(/smtp=[\d.]+:(\d+)/.exec(line)?.[1] ?? 0),
    metrics: /metrics=(\S+)/.exec(line)?.[1],
    output: () => stdout,
    exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
      await exited
    },
  }
}
