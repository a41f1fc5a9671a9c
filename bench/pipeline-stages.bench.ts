// Where the ingest time goes: each stage of the pipeline run alone over the same corpus, in ms per message, beside
// the bare postal-mime parse. Explains the ingest benchmark's ratio.
//   node --import tsx bench/pipeline-stages.bench.ts
import PostalMime from 'postal-mime'
import { loadConfig } from '../src/config.ts'
import { authenticateSender, createZoneResolver } from '../src/pipeline/authenticate-sender.ts'
import { classifyMessage } from '../src/pipeline/classify-message.ts'
import { extractFields } from '../src/pipeline/extract-fields.ts'
import { parseMessage, type ParsedMessage } from '../src/pipeline/parse-message.ts'
import { redactMessage } from '../src/pipeline/redact-message.ts'
import { splitQuotedReply } from '../src/pipeline/split-quoted-reply.ts'
import { brandProfile } from '../src/verifier/brand-profile.ts'
import { judgeParsedMessage } from '../src/verifier/verify-email.ts'
import { fmt, loadSpamAssassinCorpus, median, runIfMain } from './lib/measure.ts'

const RUNS = 3

async function msPerMessage(count: number, fn: () => Promise<void>): Promise<number> {
  const runs: number[] = []
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now()
    await fn()
    runs.push((performance.now() - start) / count)
  }
  return median(runs)
}

export async function run(): Promise<Record<string, unknown>> {
  const corpus = loadSpamAssassinCorpus()
  const config = loadConfig({ MAILDESK_LOG_LEVEL: 'silent' })
  const limits = { maxAttachments: config.maxAttachments, maxAttachmentBytes: config.maxAttachmentBytes }
  const resolver = createZoneResolver({})
  const profile = brandProfile(config.brand)
  const parsed: ParsedMessage[] = []
  for (const raw of corpus) parsed.push(await parseMessage(raw, limits))

  const stages: Record<string, number> = {
    'bare postal-mime parse (baseline)': await msPerMessage(corpus.length, async () => {
      for (const raw of corpus) await PostalMime.parse(raw)
    }),
    'parse (charsets, 8-bit headers, TNEF)': await msPerMessage(corpus.length, async () => {
      for (const raw of corpus) await parseMessage(raw, limits)
    }),
    'authenticate (SPF, DKIM, DMARC, ARC; offline DNS)': await msPerMessage(corpus.length, async () => {
      for (const raw of corpus) await authenticateSender(raw, { mta: 'okpay.com', resolver, brand: config.brand })
    }),
    'impersonation verdict': await msPerMessage(parsed.length, async () => {
      for (const m of parsed) judgeParsedMessage(profile, m, undefined)
    }),
    'redact (subject, text, HTML, text attachments)': await msPerMessage(parsed.length, async () => {
      for (const m of parsed) redactMessage(m)
    }),
    'quotes, extract, classify': await msPerMessage(parsed.length, async () => {
      for (const m of parsed) {
        const newText = splitQuotedReply(m.text ?? '').newText
        extractFields(newText)
        classifyMessage({ subject: m.subject, text: newText })
      }
    }),
  }
  const baseline = stages['bare postal-mime parse (baseline)'] ?? 1
  console.log(`SpamAssassin corpus (${corpus.length} messages), ms per message [median of ${RUNS}]:`)
  for (const [name, ms] of Object.entries(stages)) console.log(`  ${name.padEnd(50)} ${fmt(ms, 3)} ms  (${fmt(ms / baseline, 2)}× the bare parse)`)
  return Object.fromEntries(Object.entries(stages).map(([k, v]) => [k, Number(v.toFixed(3))]))
}

await runIfMain(import.meta.url, run)
