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

port.on('message', (job: PoolJob) => {
  const work = 'request' in job ? analyzeStoredMessage(ctx, setup.rawMessageKey, job.request) : composeOutboundMessage(job.compose)
  work.then(
    (value) => {
      if ('parsed' in value) {
        port.postMessage({ id: job.id, ok: true, value } satisfies AnalysisReply, transferablesOf(value))
        return
      }
      // The mail's bytes move to the main thread in a buffer of their own (a Buffer may sit in a shared slab).
      const raw = new Uint8Array(value.raw)
      port.postMessage({ id: job.id, ok: true, value: { ...value, raw } } satisfies AnalysisReply, [raw.buffer])
    },
    (err: unknown) => {
      const reply: AnalysisReply = { id: job.id, ok: false, failure: describeAnalysisFailure(err) }
      port.postMessage(reply)
    },
  )
})
port.postMessage('ready')
