import type { Brand, Language } from '../../brand.ts'
import type { RawMessageSpool } from '../../intake/raw-message-spool.ts'
import type { Db } from '../../store/database.ts'
import { composeCustomerMessage, type CustomerUpload } from '../compose-customer-message.ts'
import type { ReceivedFile, UploadLimits } from '../read-form.ts'
import { checkUpload, cleanFilename } from './upload-policy.ts'

export type FieldProblem =
  | { field: string; kind: 'required' | 'email' }
  | { field: string; kind: 'too_long'; max: number }
  | { field: 'attachments'; kind: 'too_many_files'; max: number }
  | { field: 'attachments'; kind: 'file_too_large' | 'file_dangerous' | 'file_type' | 'file_empty'; filename: string }

const EMAIL = /^[^@\s<>()[\]\\,;:"]{1,64}@[a-z0-9-]+(\.[a-z0-9-]+)+$/i

export function checkText(problems: FieldProblem[], field: string, value: string, max: number): string {
  const v = value.trim()
  if (!v) problems.push({ field, kind: 'required' })
  else if (v.length > max) problems.push({ field, kind: 'too_long', max })
  return v
}

export function checkEmail(problems: FieldProblem[], field: string, value: string): string {
  const v = value.trim()
  if (!v) problems.push({ field, kind: 'required' })
  else if (v.length > 254 || !EMAIL.test(v)) problems.push({ field, kind: 'email' })
  return v
}

/** Uploads that pass the count, size and type rules, with the content type sniffed from their bytes. */
export function checkUploads(problems: FieldProblem[], files: ReceivedFile[], limits: UploadLimits): CustomerUpload[] {
  if (files.length > limits.maxFiles) {
    problems.push({ field: 'attachments', kind: 'too_many_files', max: limits.maxFiles })
    return []
  }
  const accepted: CustomerUpload[] = []
  for (const file of files) {
    const filename = cleanFilename(file.filename)
    if (file.truncated || file.content.length > limits.maxFileBytes) {
      problems.push({ field: 'attachments', kind: 'file_too_large', filename })
      continue
    }
    const verdict = checkUpload(filename, file.content)
    if (!verdict.ok) {
      const kind = verdict.reason === 'dangerous' ? 'file_dangerous' : verdict.reason === 'empty' ? 'file_empty' : 'file_type'
      problems.push({ field: 'attachments', kind, filename })
      continue
    }
    accepted.push({ filename, contentType: verdict.contentType, content: file.content })
  }
  return accepted
}

export interface FeedbackInput {
  name: string
  email: string
  subject: string
  message: string
}

/** Validates a feedback submission; the normalized values and uploads, or the problems found. */
export function validateFeedback(input: FeedbackInput, files: ReceivedFile[], limits: UploadLimits) {
  const problems: FieldProblem[] = []
  const value = {
    name: checkText(problems, 'name', input.name, 100),
    email: checkEmail(problems, 'email', input.email),
    subject: checkText(problems, 'subject', input.subject, 200),
    message: checkText(problems, 'message', input.message, 10_000),
  }
  const uploads = checkUploads(problems, files, limits)
  return { problems, value, uploads }
}

/** Turns a valid submission into an RFC 5322 message and spools it (source 'form'): same pipeline as email. */
export async function spoolFeedback(
  spool: RawMessageSpool,
  brand: Brand,
  submission: { value: FeedbackInput; uploads: CustomerUpload[]; language: Language; remoteAddress: string; now: Date },
): Promise<number> {
  const { raw } = await composeCustomerMessage({
    fromName: submission.value.name,
    fromAddress: submission.value.email,
    to: brand.addresses.support,
    subject: submission.value.subject,
    text: submission.value.message,
    attachments: submission.uploads,
    language: submission.language,
    messageIdDomain: brand.officialDomains[0] ?? 'maildesk.invalid',
    channel: 'form',
    date: submission.now,
  })
  return spool.spool({
    raw,
    source: 'form',
    mailFrom: submission.value.email,
    rcptTo: [brand.addresses.support],
    remoteAddress: submission.remoteAddress,
    receivedAt: submission.now,
  })
}

/** The ticket a spooled message ended up in, once the pipeline has processed it. */
export async function findTicketIdOfRawMessage(db: Db, rawMessageId: number): Promise<number | undefined> {
  const row = await db
    .selectFrom('raw_messages')
    .innerJoin('ticket_messages', 'ticket_messages.id', 'raw_messages.message_id')
    .select('ticket_messages.ticket_id')
    .where('raw_messages.id', '=', rawMessageId)
    .executeTakeFirst()
  return row?.ticket_id
}

/** Polls for the ticket of a spooled message for up to `waitMs` (the worker usually needs well under a second). */
export async function waitForTicketId(db: Db, rawMessageId: number, waitMs: number): Promise<number | undefined> {
  const deadline = Date.now() + waitMs
  for (;;) {
    const id = await findTicketIdOfRawMessage(db, rawMessageId)
    if (id !== undefined || Date.now() >= deadline) return id
    await new Promise((r) => setTimeout(r, 100))
  }
}
