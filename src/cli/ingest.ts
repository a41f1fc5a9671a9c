import { open } from 'node:fs/promises'
import type { Config } from '../config.ts'
import { MaildeskError, MessageTooLargeError } from '../errors.ts'
import { splitMbox } from '../intake/mbox.ts'
import { findRawMessageSummary } from '../intake/raw-message.repository.ts'
import type { Logger } from '../logger.ts'
import { assertLooksLikeEmail } from '../pipeline/parse-message.ts'
import { openRuntime } from '../runtime.ts'
import { findFirstMessageIdOfTicket, findMessageById } from '../tickets/ticket-message.repository.ts'
import { formatTicketNumber } from '../tickets/ticket-number.ts'

const MAX_PENDING_BYTES = 64 * 1024 * 1024 // 64 MiB

export interface CliIo {
  out(line: string): void
  err(line: string): void
}

/** Reads a file of at most maxBytes; a larger one is refused without reading it all. */
async function readBounded(file: string, maxBytes: number): Promise<Buffer> {
  const handle = await open(file, 'r')
  try {
    const { size, isFile } = await handle.stat().then((s) => ({ size: s.size, isFile: s.isFile() }))
    if (!isFile) throw new MaildeskError('INVALID_INPUT', 'not a regular file')
    if (size > maxBytes) throw new MessageTooLargeError(maxBytes, `the file is ${size} bytes; the limit is ${maxBytes}`)
    return await handle.readFile()
  } finally {
    await handle.close()
  }
}

/**
 * `maildesk ingest FILE.eml…`: spools each file, runs the pipeline, and prints one line per file:
 * the ticket number, what happened (created, joined, duplicate) and the file. An mbox file (RFC 4155) is each of its
 * messages, printed as FILE#1, FILE#2… Returns the exit code.
 */
export async function ingest(config: Config, log: Logger, files: string[], io: CliIo): Promise<number> {
  if (files.length === 0) {
    io.err('maildesk ingest: name at least one .eml file (maildesk ingest FILE.eml…)')
    return 2
  }
  let failures = 0
  const spooled: Array<{ file: string; rawId: number }> = []
  const runtime = await openRuntime(config, log)
  try {
    const pending: Array<Promise<void>> = []
    let pendingBytes = 0
    for (const file of files) {
      let messages: Array<{ name: string; raw: Buffer }>
      try {
        const data = await readBounded(file, config.maxMessageBytes)
        // An mbox (a mailbox exported from another client or helpdesk) is every message in it, named FILE#N.
        const parts = splitMbox(data)
        messages = parts && parts.length > 1 ? parts.map((raw, i) => ({ name: `${file}#${i + 1}`, raw })) : [{ name: file, raw: parts?.[0] ?? data }]
      } catch (err) {
        failures++
        io.err(`maildesk ingest: ${file}: ${err instanceof MaildeskError ? err.message : describeFsError(err)}`)
        continue
      }
      for (const { name, raw } of messages) {
        try {
          assertLooksLikeEmail(raw)
        } catch (err) {
          failures++
          io.err(`maildesk ingest: ${name}: ${err instanceof MaildeskError ? err.message : String(err)}`)
          continue
        }
        const entry = { file: name, rawId: 0 }
        spooled.push(entry)
        pending.push(runtime.spool.spool({ raw, source: 'file' }).then((id) => void (entry.rawId = id)))
        // Group-committed in batches, but never more than MAX_PENDING_BYTES of files held in memory at once.
        pendingBytes += raw.length
        if (pendingBytes >= MAX_PENDING_BYTES) {
          await Promise.all(pending.splice(0))
          pendingBytes = 0
        }
      }
    }
    await Promise.all(pending)
    await runtime.worker.runUntilIdle()
    for (const { file, rawId } of spooled) {
      const raw = await findRawMessageSummary(runtime.store.db, rawId)
      const message = raw?.message_id ? await findMessageById(runtime.store.db, raw.message_id) : undefined
      if (!raw || !message || (raw.status !== 'processed' && raw.status !== 'duplicate')) {
        failures++
        io.err(`maildesk ingest: ${file}: stored as raw message ${rawId} but not processed: ${raw?.error_code ?? raw?.status ?? 'missing'} ${raw?.error_message ?? ''}`.trim())
        continue
      }
      const number = formatTicketNumber(config.brand.ticketPrefix, message.ticket_id)
      const opened = (await findFirstMessageIdOfTicket(runtime.store.db, message.ticket_id)) === message.id
      const what = raw.status === 'duplicate' ? 'duplicate' : opened ? 'created' : 'joined'
      io.out(`${number}\t${what}\t${file}`)
    }
  } finally {
    await runtime.close()
  }
  return failures > 0 ? 1 : 0
}

function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code
  if (code === 'ENOENT') return 'no such file'
  if (code === 'EISDIR') return 'is a directory, not a file'
  if (code === 'EACCES') return 'permission denied'
  return (err as Error).message
}
