// Redaction: precision and recall per finding type on the labelled corpus (test/fixtures/redaction/corpus.jsonl),
// and the median time to redact a realistic 10 KB support message, then 100 KB and 1 MB of the same text to show
// linear scaling (ms per KB should stay flat). Targets: precision and recall ≥ 0.98 per type; 10 KB < 1 ms.
//   node --import tsx bench/redaction.bench.ts
import { FINDING_TYPES, redactSensitiveData } from '../src/pipeline/redact/redact-sensitive-data.ts'
import { readRedactionCorpus, scoreRedactionCorpus } from '../test/fixtures/redaction/corpus.ts'
import { median, runIfMain } from './lib/measure.ts'

/** A support mail of about `bytes` UTF-8 bytes: corpus sentences (secrets and look-alikes) between plain prose. */
function buildMessage(sentences: readonly string[], bytes: number): string {
  const prose = [
    'Hello OKPay support team,',
    'I am writing because a payment from last week still shows as pending in the app and the merchant says they never received it.',
    '您好，我上周的一笔付款在应用里一直显示处理中，商家说没有收到款项，麻烦帮忙查一下。',
    'I have attached the screenshot of the receipt and the bank statement for the same day.',
    'Thank you for your help, and sorry for the long message.',
  ]
  const parts: string[] = []
  let size = 0
  for (let i = 0; size < bytes; i++) {
    const piece = i % 2 === 0 ? (prose[(i / 2) % prose.length] ?? '') : (sentences[i % sentences.length] ?? '')
    parts.push(piece)
    size += Buffer.byteLength(piece) + 1
  }
  return parts.join('\n')
}

function timeRedaction(text: string, runs: number): number {
  redactSensitiveData(text) // warm up
  const times: number[] = []
  for (let i = 0; i < runs; i++) {
    const started = performance.now()
    redactSensitiveData(text)
    times.push(performance.now() - started)
  }
  return median(times)
}

export async function run(): Promise<Record<string, unknown>> {
  const cases = readRedactionCorpus()
  const score = scoreRedactionCorpus(cases)
  console.log(`corpus: ${cases.length} cases (${cases.filter((c) => c.expected.length === 0).length} without secrets)`)
  console.log(`  ${'type'.padEnd(16)}${'TP'.padStart(5)}${'FP'.padStart(5)}${'FN'.padStart(5)}${'precision'.padStart(11)}${'recall'.padStart(9)}`)
  const accuracy: Record<string, { precision: number; recall: number }> = {}
  for (const type of FINDING_TYPES) {
    const s = score.byType[type]
    accuracy[type] = { precision: s.precision, recall: s.recall }
    console.log(
      `  ${type.padEnd(16)}${String(s.truePositives).padStart(5)}${String(s.falsePositives).padStart(5)}${String(s.falseNegatives).padStart(5)}` +
        `${s.precision.toFixed(3).padStart(11)}${s.recall.toFixed(3).padStart(9)}`,
    )
  }
  for (const mistake of score.mistakes) console.log(`  mistake ${mistake.id}: missed ${mistake.missed.length}, unexpected ${mistake.unexpected.length}`)

  const sentences = cases.map((c) => c.text)
  const base = buildMessage(sentences, 10 * 1024)
  const sizes: Array<[string, string, number]> = [
    ['10KB', base, 201],
    ['100KB', base.repeat(10), 31],
    ['1MB', base.repeat(100), 7],
  ]
  const timing: Record<string, { bytes: number; medianMs: number; msPerKb: number }> = {}
  for (const [label, text, runs] of sizes) {
    const bytes = Buffer.byteLength(text)
    const medianMs = timeRedaction(text, runs)
    timing[label] = { bytes, medianMs, msPerKb: medianMs / (bytes / 1024) }
    console.log(`redact ${label.padEnd(6)} (${bytes} bytes): median ${medianMs.toFixed(3)} ms, ${(medianMs / (bytes / 1024)).toFixed(4)} ms/KB over ${runs} runs`)
  }
  return { cases: cases.length, accuracy, timing }
}

await runIfMain(import.meta.url, run)
