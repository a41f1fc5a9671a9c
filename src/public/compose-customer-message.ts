import { randomBytes } from 'node:crypto'
import MailComposer from 'nodemailer/lib/mail-composer/index.js'
import type { Language } from '../brand.ts'

export interface CustomerUpload {
  filename: string
  contentType: string
  content: Buffer
}

export interface CustomerMessageInput {
  fromName: string
  fromAddress: string
  to: string
  subject: string
  text: string
  attachments: CustomerUpload[]
  language: Language
  /** Our domain, for the Message-ID of a message we compose on the customer's behalf. */
  messageIdDomain: string
  /** 'form', 'portal' or 'chat': where the customer wrote it. */
  channel: string
  inReplyTo?: string | undefined
  references?: string[] | undefined
  date: Date
}

/** Header values typed by a visitor lose line breaks (header injection) and are bounded. */
function headerText(value: string, max: number): string {
  return value.replace(/[\r\n\t\u0000-\u001f\u007f]+/g, ' ').trim().slice(0, max)
}

/**
 * Builds the RFC 5322 message a web visitor's submission becomes, so it enters the same spool and
 * pipeline as email (parse, redact, classify, thread, acknowledge).
 */
export async function composeCustomerMessage(input: CustomerMessageInput): Promise<{ raw: Buffer; messageId: string }> {
  const messageId = `<${input.channel}.${randomBytes(12).toString('hex')}@${input.messageIdDomain}>`
  const composer = new MailComposer({
    from: { name: headerText(input.fromName, 100), address: input.fromAddress },
    to: input.to,
    subject: headerText(input.subject, 200),
    text: input.text,
    messageId,
    date: input.date,
    ...(input.inReplyTo ? { inReplyTo: input.inReplyTo } : {}),
    ...(input.references && input.references.length > 0 ? { references: input.references } : {}),
    headers: { 'Content-Language': input.language, 'X-Maildesk-Channel': input.channel },
    attachments: input.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, content: a.content })),
  })
  const raw = await composer.compile().build()
  return { raw, messageId }
}
