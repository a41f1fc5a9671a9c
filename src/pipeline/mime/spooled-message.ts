import { Readable } from 'node:stream'
import { readRawMessageFile } from '../../intake/raw-message-file.ts'
import type { AttachmentStore } from '../../tickets/attachment-store.ts'
import { liftLargeParts, type LiftedParts } from './lift-large-parts.ts'

/**
 * A raw message spooled as an encrypted file (above 1 MiB, intake/raw-message-file.ts), as the pipeline reads it
 * without ever holding it whole: the skeleton to parse (its large parts already in the attachment store), and the
 * verified plaintext as a stream for DKIM/SPF/DMARC (mailauth reads a Readable).
 */
export interface SpooledMessage {
  /** Headers and small parts as received; each lifted part's body is a marker (see lift-large-parts.ts). */
  skeleton: Buffer
  lifted: LiftedParts
  /** The message as received, one verified 64 KiB segment at a time; each call reads the file again. */
  openStream(): Readable
}

/** Reads a spooled file once to lift its large parts into `store`; see SpooledMessage. */
export async function openSpooledMessage(file: string, rawMessageKey: Buffer, store: AttachmentStore, maxAttachmentBytes: number): Promise<SpooledMessage> {
  const { skeleton, lifted } = await liftLargeParts(readRawMessageFile(file, rawMessageKey), store, maxAttachmentBytes)
  return { skeleton, lifted, openStream: () => Readable.from(readRawMessageFile(file, rawMessageKey), { objectMode: false }) }
}
