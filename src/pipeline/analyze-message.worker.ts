// Worker thread entry of the analysis pool (analysis-pool.ts): the database-free stages for messages the main
// thread posts, one reply per message. Bundled to dist/analyze-message.worker.js (scripts/build.mjs).
import { parentPort, workerData } from 'node:worker_threads'
import {
  analysisContextFromSetup,
  analyzeStoredMessage,
  describeAnalysisFailure,
  transferablesOf,
  type AnalysisReply,
  type AnalysisRequest,
  type AnalysisSetup,
} from './analysis-pool.ts'

const port = parentPort
if (!port) throw new Error('analyze-message.worker.ts runs as a worker thread')
const setup = workerData as AnalysisSetup
const ctx = analysisContextFromSetup(setup)

port.on('message', (message: { id: number; request: AnalysisRequest }) => {
  analyzeStoredMessage(ctx, setup.rawMessageKey, message.request).then(
    (analyzed) => {
      const reply: AnalysisReply = { id: message.id, ok: true, analyzed }
      port.postMessage(reply, transferablesOf(analyzed))
    },
    (err: unknown) => {
      const reply: AnalysisReply = { id: message.id, ok: false, failure: describeAnalysisFailure(err) }
      port.postMessage(reply)
    },
  )
})
port.postMessage('ready')
