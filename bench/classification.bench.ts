/**
 * Classification quality on the labelled corpus in test/fixtures/classification: per-class precision and recall,
 * accuracy, urgent recall. The corpus figures are in-sample: the cues were written while reading it. The files
 * round2…round5 were each scored blind before any cue was changed for them, which is the honest estimate on new
 * phrasing: accuracy 0.79, 0.67, 0.75, 0.68 and urgent recall 3/4, 0/3, 3/4, 2/4. Their misses then became cues.
 * Run alone: node --import tsx bench/classification.bench.ts
 */
import { fileURLToPath } from 'node:url'
import { evaluateClassifier, loadClassificationCorpus, type ClassifierReport } from '../test/fixtures/classification/classification-corpus.ts'

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`

/** Scores the classifier on the corpus, prints a table and returns the figures. */
export function run(): ClassifierReport & { msPerMessage: number } {
  const corpus = loadClassificationCorpus()
  const started = performance.now()
  const report = evaluateClassifier(corpus)
  const msPerMessage = (performance.now() - started) / corpus.length
  console.log(`classification: ${report.samples} messages, accuracy ${pct(report.accuracy)}, urgent recall ${pct(report.urgentRecall)}, urgent precision ${pct(report.urgentPrecision)}, ${msPerMessage.toFixed(3)} ms/message`)
  console.log('category      support  precision  recall')
  for (const c of report.perClass) {
    console.log(`${c.category.padEnd(13)} ${String(c.support).padStart(7)}  ${pct(c.precision).padStart(9)}  ${pct(c.recall).padStart(6)}`)
  }
  for (const e of report.errors) console.log(`  miss ${e.id}: expected ${e.expected}/${e.expectedUrgency}, got ${e.got}/${e.gotUrgency}`)
  return { ...report, msPerMessage }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) run()
