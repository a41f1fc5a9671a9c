/**
 * Appends batches of accepted messages to a journal's segment files (spool-journal-format.ts), synchronously: hashes
 * and encrypts each message, writes the batch with one writev and fdatasyncs it. Segment files are preallocated
 * (written once with zeros, or reused after their records were imported): overwriting allocated blocks lets
 * fdatasync skip the file system's own journal, about half the latency of an append.
 */
import { createHash } from 'node:crypto'
import { closeSync, fdatasyncSync, fsyncSync, openSync, renameSync, writeSync, writevSync } from 'node:fs'
import path from 'node:path'
import { encryptRawMessage, RAW_ENCRYPTION } from './raw-message-crypto.ts'
import { RAW_FILE_ENCRYPTION } from './raw-message-file.ts'
import { encodeRecord, segmentFileName, type JournalMeta } from './spool-journal-format.ts'
import type { SpoolRow } from './sqlite-spool-writer.ts'

export interface JournalWriterSetup {
  dir: string
  key: Uint8Array
  segmentBytes: number
  /** The spare segment file the journal prepares in the background; taken when a new segment starts. */
  spareName: string
}


/** Records of one segment written and synced by one append; `finished`: the segment ends before sequenceFrom. */
export interface JournalRange {
  segment: number
  sequenceFrom: number
  sequenceTo: number
  offsetFrom: number
  offsetTo: number
  finished: boolean
}

export class JournalWriter {
  private readonly key: Buffer
  private fd = -1
  private offset = 0
  private sequence = 0
  /** The segment being written (0 before the first). */
  segment = 0

  constructor(private readonly setup: JournalWriterSetup) {
    this.key = Buffer.from(setup.key)
  }

  /**
   * Appends the rows as records and syncs them; returns the written ranges (a batch may span two segments).
   * @throws when a write or sync fails: the batch's fate on disk is unknown, and the next append starts a new
   *   segment, so no record is ever written after a gap.
   */
  append(rows: SpoolRow[]): JournalRange[] {
    try {
      return this.appendRecords(rows)
    } catch (err) {
      this.closeSegment()
      throw err
    }
  }

  close(): void {
    this.closeSegment()
  }

  private appendRecords(rows: SpoolRow[]): JournalRange[] {
    const ranges: JournalRange[] = []
    let pending: Buffer[] = []
    let pendingBytes = 0
    let range: JournalRange | undefined
    const flush = () => {
      if (!range || pending.length === 0) return
      writevSync(this.fd, pending, this.offset - pendingBytes)
      fdatasyncSync(this.fd)
      ranges.push(range)
      pending = []
      pendingBytes = 0
      range = undefined
    }
    for (const row of rows) {
      const { meta, body } = this.toRecord(row)
      let record = encodeRecord(this.segment, this.sequence + 1, meta, body)
      if (this.fd < 0 || this.offset + record.length > this.setup.segmentBytes) {
        flush()
        if (this.fd >= 0) ranges.push({ segment: this.segment, sequenceFrom: this.sequence + 1, sequenceTo: this.sequence, offsetFrom: this.offset, offsetTo: this.offset, finished: true })
        this.nextSegment()
        record = encodeRecord(this.segment, 1, meta, body)
        if (record.length > this.setup.segmentBytes) throw new Error(`a ${record.length}-byte record does not fit a ${this.setup.segmentBytes}-byte segment`)
      }
      this.sequence++
      range ??= { segment: this.segment, sequenceFrom: this.sequence, sequenceTo: this.sequence, offsetFrom: this.offset, offsetTo: this.offset, finished: false }
      range.sequenceTo = this.sequence
      this.offset += record.length
      range.offsetTo = this.offset
      pending.push(record)
      pendingBytes += record.length
    }
    flush()
    return ranges
  }

  private toRecord(row: SpoolRow): { meta: JournalMeta; body: Uint8Array } {
    const base = { source: row.source, received_at: row.received_at, mail_from: row.mail_from, rcpt_to: row.rcpt_to, remote_address: row.remote_address }
    if (row.file) {
      return { meta: { ...base, size_bytes: row.file.size, sha256: row.file.sha256, encryption: RAW_FILE_ENCRYPTION, raw_file: row.file.name }, body: new Uint8Array(0) }
    }
    const sha256 = createHash('sha256').update(row.raw).digest('hex')
    return { meta: { ...base, size_bytes: row.raw.byteLength, sha256, encryption: RAW_ENCRYPTION, raw_file: null }, body: encryptRawMessage(this.key, row.raw) }
  }

  /** Moves to the next segment: the spare file when there is one, else a new zeroed file. */
  private nextSegment(): void {
    this.closeSegment()
    this.segment++
    const file = path.join(this.setup.dir, segmentFileName(this.segment))
    try {
      renameSync(path.join(this.setup.dir, this.setup.spareName), file)
      this.fd = openSync(file, 'r+')
    } catch {
      this.fd = openSync(file, 'w+', 0o600)
      const zeros = Buffer.alloc(1024 * 1024)
      for (let at = 0; at < this.setup.segmentBytes; at += zeros.length) writeSync(this.fd, zeros, 0, Math.min(zeros.length, this.setup.segmentBytes - at), at)
      fsyncSync(this.fd)
    }
    // The new name must survive a crash with the records about to be written under it.
    const dirFd = openSync(this.setup.dir, 'r')
    try {
      fsyncSync(dirFd)
    } finally {
      closeSync(dirFd)
    }
    this.offset = 0
    this.sequence = 0
  }

  private closeSegment(): void {
    if (this.fd >= 0) closeSync(this.fd)
    this.fd = -1
  }
}
