// Verifier: accuracy per verdict and the confusion matrix on the labelled set (identifiers and emails), and
// identifier verdicts per second in-process on one core. Targets: ≥ 97% accuracy, zero official/non-official
// confusions, ≥ 20,000 identifier verdicts/s.
//   node --import tsx bench/verifier.bench.ts
import { loadConfig } from '../src/config.ts'
import { verifyIdentifier } from '../src/verifier/verify-identifier.ts'
import {
  emptyConfusion,
  loadLabelledEmails,
  loadLabelledIdentifiers,
  scoreConfusion,
  VERDICTS,
  verifyLabelledEmail,
  type ConfusionMatrix,
} from '../test/fixtures/verifier/labelled-set.ts'
import { fmt, isMain, medianOf } from './lib/measure.ts'

const RUNS = 5
const ROUNDS = 100 // passes over the identifier set per timed run

function printMatrix(title: string, m: ConfusionMatrix): void {
  const score = scoreConfusion(m)
  console.log(`${title}: accuracy ${fmt(score.accuracy * 100, 1)}%, official↔other confusions ${score.officialConfusions}`)
  console.log(`  ${'expected \\ got'.padEnd(16)}${VERDICTS.map((v) => v.padStart(14)).join('')}   accuracy`)
  for (const expected of VERDICTS) {
    const row = m[expected]
    console.log(`  ${expected.padEnd(16)}${VERDICTS.map((v) => String(row[v]).padStart(14)).join('')}   ${fmt(score.perVerdict[expected] * 100, 1)}%`)
  }
}

export async function run(): Promise<Record<string, unknown>> {
  const brand = loadConfig({}).brand
  const identifiers = loadLabelledIdentifiers()
  const idMatrix = emptyConfusion()
  for (const row of identifiers) idMatrix[row.verdict][verifyIdentifier(row.input, { brand, language: 'en' }).verdict]++
  printMatrix(`identifiers (${identifiers.length})`, idMatrix)

  const emails = loadLabelledEmails()
  const emailMatrix = emptyConfusion()
  for (const e of emails) emailMatrix[e.verdict][(await verifyLabelledEmail(brand, e.raw)).verdict]++
  printMatrix(`emails (${emails.length}, authenticated against the fixture zone)`, emailMatrix)

  const inputs = identifiers.map((r) => r.input)
  const rate = await medianOf(RUNS, async () => {
    const start = performance.now()
    let n = 0
    for (let round = 0; round < ROUNDS; round++) {
      for (const input of inputs) {
        verifyIdentifier(input, { brand, language: round % 2 === 0 ? 'en' : 'zh-CN' })
        n++
      }
    }
    return n / ((performance.now() - start) / 1000)
  })
  console.log(`identifier verdicts: ${fmt(rate.median)}/s in-process, one core (target ≥ 20,000/s) [median of ${RUNS}, ${ROUNDS * inputs.length} verdicts each]`)
  const idScore = scoreConfusion(idMatrix)
  const emailScore = scoreConfusion(emailMatrix)
  return {
    identifierAccuracy: Number(idScore.accuracy.toFixed(4)),
    identifierAccuracyPerVerdict: idScore.perVerdict,
    identifierConfusion: idMatrix,
    emailAccuracy: Number(emailScore.accuracy.toFixed(4)),
    emailAccuracyPerVerdict: emailScore.perVerdict,
    emailConfusion: emailMatrix,
    officialConfusions: idScore.officialConfusions + emailScore.officialConfusions,
    identifierVerdictsPerSec: Math.round(rate.median),
  }
}

if (isMain(import.meta.url)) await run()
