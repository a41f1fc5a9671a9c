// The spool journal's writer thread (intake/spool-journal.ts): hashes, encrypts and appends each batch of accepted
// messages to the current segment file, then fdatasyncs it before answering, so the event loop never waits on the
// disk. Segment files are preallocated (written once with zeros, or reused after their records were imported):
// overwriting allocated blocks lets fdatasync skip the file-system journal, about half the latency of an append.
import { createHash } from 'node:crypto'
import { closeSync, fdatasyncSync, fsyncSync, openSync, renameSync, writeSync, writevSync } from 'node:fs'
import path from 'node:path'
import { parentPort, workerData } from 'node:worker_threads'
import { encryptRawMessage, RAW_ENCRYPTION } from './raw-message-crypto.ts'
import { RAW_FILE_ENCRYPTION } from './raw-message-file.ts'
import { encodeRecord, segmentFileName, type JournalMeta } from './spool-journal-format.ts'
import type { JournalAppend, JournalReply, JournalRequest, JournalSetup } from './spool-journal.ts'

const setup = workerData as JournalSetup
const key = Buffer.from(setup.key)
const port = parentPort
if (!port) throw new Error('spool-journal.worker.ts runs as a worker thread')

let segment = setup.firstSegment - 1
let fd = -1
let offset = 0
let sequence = 0

function syncDirectory(): void {
  const dirFd = openSync(setup.dir, 'r')
  try {
    fsyncSync(dirFd)
  } finally {
    closeSync(dirFd)
  }
}

/** Moves to the next segment: the spare file the main thread prepared when there is one, else a new zeroed file. */
function nextSegment(): void {
  if (fd >= 0) closeSync(fd)
  segment++
  const file = path.join(setup.dir, segmentFileName(segment))
  try {
    renameSync(path.join(setup.dir, setup.spareName), file)
    fd = openSync(file, 'r+')
  } catch {
    fd = openSync(file, 'w+', 0o600)
    const zeros = Buffer.alloc(1024 * 1024)
    for (let at = 0; at < setup.segmentBytes; at += zeros.length) writeSync(fd, zeros, 0, Math.min(zeros.length, setup.segmentBytes - at), at)
    fsyncSync(fd)
  }
  // The new name must survive a crash with the records about to be written under it.
  syncDirectory()
  offset = 0
  sequence = 0
}

function toRecord(row: JournalAppend): { meta: JournalMeta; body: Uint8Array } {
  const base = { source: row.source, received_at: row.received_at, mail_from: row.mail_from, rcpt_to: row.rcpt_to, remote_address: row.remote_address }
  if (row.file) {
    return { meta: { ...base, size_bytes: row.file.size, sha256: row.file.sha256, encryption: RAW_FILE_ENCRYPTION, raw_file: row.file.name }, body: new Uint8Array(0) }
  }
  const sha256 = createHash('sha256').update(row.raw).digest('hex')
  return { meta: { ...base, size_bytes: row.raw.byteLength, sha256, encryption: RAW_ENCRYPTION, raw_file: null }, body: encryptRawMessage(key, row.raw) }
}

/** Appends the rows as records and syncs; returns the written ranges (a batch may span two segments). */
function append(rows: JournalAppend[]): Extract<JournalReply, { type: 'appended' }>['ranges'] {
  const ranges: Extract<JournalReply, { type: 'appended' }>['ranges'] = []
  let pending: Buffer[] = []
  let pendingBytes = 0
  let range: (typeof ranges)[number] | undefined
  const flush = () => {
    if (!range || pending.length === 0) return
    writevSync(fd, pending, offset - pendingBytes)
    fdatasyncSync(fd)
    ranges.push(range)
    pending = []
    pendingBytes = 0
    range = undefined
  }
  for (const row of rows) {
    const { meta, body } = toRecord(row)
    let record = encodeRecord(segment, sequence + 1, meta, body)
    if (fd < 0 || offset + record.length > setup.segmentBytes) {
      flush()
      if (fd >= 0) ranges.push({ segment, sequenceFrom: sequence + 1, sequenceTo: sequence, offsetFrom: offset, offsetTo: offset, finished: true })
      nextSegment()
      record = encodeRecord(segment, 1, meta, body)
      if (record.length > setup.segmentBytes) throw new Error(`a ${record.length}-byte record does not fit a ${setup.segmentBytes}-byte segment`)
    }
    sequence++
    range ??= { segment, sequenceFrom: sequence, sequenceTo: sequence, offsetFrom: offset, offsetTo: offset, finished: false }
    range.sequenceTo = sequence
    offset += record.length
    range.offsetTo = offset
    pending.push(record)
    pendingBytes += record.length
  }
  flush()
  return ranges
}

port.on('message', (request: JournalRequest) => {
  if (request.type === 'close') {
    if (fd >= 0) closeSync(fd)
    port.close()
    return
  }
  let reply: JournalReply
  try {
    reply = { type: 'appended', id: request.id, ranges: append(request.rows) }
  } catch (err) {
    // The batch's fate on disk is unknown: its senders get 451 and send again. Later batches go to a fresh segment,
    // so no record is ever written after a gap.
    if (fd >= 0) closeSync(fd)
    fd = -1
    reply = { type: 'failed', id: request.id, segment, error: err instanceof Error ? err.message : String(err) }
  }
  port.postMessage(reply)
})
