// The spool journal's writer thread (intake/spool-journal.ts): runs a JournalWriter, so the event loop never waits
// on the journal's writes and fdatasyncs.
import { parentPort, workerData } from 'node:worker_threads'
import { JournalWriter, type JournalWriterSetup } from './spool-journal-writer.ts'
import type { JournalReply, JournalRequest } from './spool-journal.ts'

const port = parentPort
if (!port) throw new Error('spool-journal.worker.ts runs as a worker thread')
const writer = new JournalWriter(workerData as JournalWriterSetup)

port.on('message', (request: JournalRequest) => {
  if (request.type === 'close') {
    writer.close()
    port.close()
    return
  }
  let reply: JournalReply
  try {
    reply = { type: 'appended', id: request.id, ranges: writer.append(request.rows) }
  } catch (err) {
    reply = { type: 'failed', id: request.id, segment: writer.segment, error: err instanceof Error ? err.message : String(err) }
  }
  port.postMessage(reply)
})
