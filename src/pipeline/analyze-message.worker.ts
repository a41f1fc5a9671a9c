// Worker thread entry of the analysis pool (analysis-pool.ts): the database-free stages for messages the main
// thread posts, and the composition of automatic mail, one reply per job. Bundled to dist/analyze-message.worker.js (scripts/build.mjs).
import { parentPort, workerData } from 'node:worker_threads'
import {
  analysisContextFromSetup,
  analyzeStoredMessage,
  describeAnalysisFailure,
  transferablesOf,
  type AnalysisReply,
  type AnalysisSetup,
  type PoolJob,
} from './analysis-pool.ts'
import { composeOutboundMessage } from '../notify/compose-outbound-message.ts'

const port = parentPort
if (!port) throw new Error('analyze-message.worker.ts runs as a worker thread')
const setup = workerData as AnalysisSetup
const ctx = analysisContextFromSetup(setup)

/** A job's answer and the buffers that move with it (not copied). */
async function run(job: PoolJob): Promise<{ value: Extract<AnalysisReply, { ok: true }>['value']; transfer: ArrayBuffer[] }> {
  if ('request' in job) {
    const analyzed = await analyzeStoredMessage(ctx, setup.rawMessageKey, job.request)
    return { value: analyzed, transfer: transferablesOf(analyzed) }
  }
  const composed = await composeOutboundMessage(job.compose)
  // The mail's bytes move to the main thread in a buffer of their own (a Buffer may sit in a shared slab).
  const raw = new Uint8Array(composed.raw)
  return { value: { ...composed, raw }, transfer: [raw.buffer] }
}

port.on('message', (job: PoolJob) => {
  run(job).then(
    ({ value, transfer }) => port.postMessage({ id: job.id, ok: true, value } satisfies AnalysisReply, transfer),
    (err: unknown) => port.postMessage({ id: job.id, ok: false, failure: describeAnalysisFailure(err) } satisfies AnalysisReply),
  )
})
port.postMessage('ready')
