// Verifier: accuracy per verdict and the confusion matrix on the labelled set (identifiers and emails), and
// identifier verdicts per second in-process on one core. Targets: ≥ 97% accuracy, zero official/non-official
// confusions, ≥ 20,000 identifier verdicts/s.
//   node --import tsx bench/verifier.bench.ts
import { mkdtempSync, rmSync } from 'node:fs'
import { request, Agent } from 'node:http'
import { tmpdir } from 'node:os'
import path from 'node:path'
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
import { startServeProcess } from '../test/helpers/serve-process.ts'
import { fmt, medianOf, runIfMain } from './lib/measure.ts'

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

const HTTP_CONNECTIONS = 32
const HTTP_SECONDS = 8

function postJson(agent: Agent, port: number, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/api/v1/verify', method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        res.resume()
        res.on('end', () => resolve(res.statusCode ?? 0))
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}

/**
 * POST /api/v1/verify against the real `bin/maildesk serve` (its own process, SQLite, loopback) from
 * HTTP_CONNECTIONS keep-alive connections for HTTP_SECONDS: requests/second and latency percentiles.
 */
async function measureHttp(inputs: string[]): Promise<{ requestsPerSec: number; p50Ms: number; p99Ms: number; errors: number }> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'maildesk-bench-verify-'))
  // The executable as `npm start` runs it (its shebang's node flags), on free ports; resolves once it listens.
  const server = await startServeProcess({ dataDir, timeoutMs: 30_000 })
  const httpPort = Number(new URL(server.httpUrl).port)
  const agent = new Agent({ keepAlive: true, maxSockets: HTTP_CONNECTIONS })
  try {
    const bodies = inputs.filter((i) => i.length > 0).map((input) => JSON.stringify({ input, language: 'zh-CN' }))
    const latencies: number[] = []
    let errors = 0
    const end = performance.now() + HTTP_SECONDS * 1000
    const start = performance.now()
    await Promise.all(
      Array.from({ length: HTTP_CONNECTIONS }, async (_, c) => {
        for (let i = c; performance.now() < end; i += HTTP_CONNECTIONS) {
          const t = performance.now()
          const status = await postJson(agent, httpPort, bodies[i % bodies.length] ?? '{}').catch(() => 0)
          latencies.push(performance.now() - t)
          if (status !== 200) errors++
        }
      }),
    )
    const elapsed = (performance.now() - start) / 1000
    latencies.sort((a, b) => a - b)
    const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0
    return { requestsPerSec: latencies.length / elapsed, p50Ms: at(0.5), p99Ms: at(0.99), errors }
  } finally {
    agent.destroy()
    await server.stop()
    rmSync(dataDir, { recursive: true, force: true })
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
  const http = await measureHttp(inputs)
  console.log(
    `POST /api/v1/verify on loopback (bin/maildesk serve, ${HTTP_CONNECTIONS} keep-alive connections, ${HTTP_SECONDS} s): ${fmt(http.requestsPerSec)} req/s, p50 ${fmt(http.p50Ms, 1)} ms, p99 ${fmt(http.p99Ms, 1)} ms, ${http.errors} errors`,
  )
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
    httpRequestsPerSec: Math.round(http.requestsPerSec),
    httpP50Ms: Number(http.p50Ms.toFixed(2)),
    httpP99Ms: Number(http.p99Ms.toFixed(2)),
    httpErrors: http.errors,
  }
}

await runIfMain(import.meta.url, run)
