import type { Config } from '../config.ts'
import type { Language } from '../brand.ts'
import { findAntiPhishingCode } from '../notify/anti-phishing-code.ts'
import { composeOutboundMessage } from '../notify/compose-outbound-message.ts'
import type { MailTransport } from '../notify/mail-transport.ts'
import { insertOutboundMessage } from '../notify/outbound-message.repository.ts'
import { generateVerificationCode } from '../notify/verification-code.ts'
import type { Db } from '../store/database.ts'
import { formatTicketNumber } from '../tickets/ticket-number.ts'

const TEXT: Record<Language, (number: string, url: string, minutes: number) => { subject: string; body: string }> = {
  en: (number, url, minutes) => ({
    subject: `Your link to ticket ${number}`,
    body: [
      'Hello,',
      '',
      `Someone (we hope you) asked to see ticket ${number} on our website. Open it with this link:`,
      '',
      url,
      '',
      `The link works once and expires in ${minutes} minutes. If you did not ask for it, ignore this email: nobody can open your ticket without it.`,
      '',
      'We will never ask for your password, PIN, verification codes or your card\'s CVV.',
    ].join('\n'),
  }),
  'zh-CN': (number, url, minutes) => ({
    subject: `工单 ${number} 的查看链接`,
    body: [
      '您好：',
      '',
      `有人（希望是您本人）在我们的网站上申请查看工单 ${number}。请点击以下链接打开：`,
      '',
      url,
      '',
      `链接只能使用一次，${minutes} 分钟内有效。如果不是您本人申请，请忽略本邮件：没有这个链接，任何人都无法打开您的工单。`,
      '',
      '我们绝不会向您索取密码、PIN 码、验证码或银行卡 CVV 安全码。',
    ].join('\n'),
  }),
}

/**
 * Mails the one-time status link through the outbound transport: a genuine, DKIM-signed notice with the
 * customer's anti-phishing code and a verification code. Only a summary is recorded (no bytes), so a
 * database reader cannot use the link.
 */
export async function sendPortalLinkMail(
  db: Db,
  transport: MailTransport,
  config: Config,
  input: { ticketId: number; customerId: number; to: string; token: string; language: Language; ttlMs: number; now: Date },
): Promise<void> {
  const number = formatTicketNumber(config.brand.ticketPrefix, input.ticketId)
  const url = `${config.publicUrl}/status/open/${input.token}`
  const text = TEXT[input.language](number, url, Math.round(input.ttlMs / 60_000))
  const verificationCode = generateVerificationCode()
  const composed = await composeOutboundMessage({
    brand: config.brand,
    secretKey: config.secretKey,
    publicUrl: config.publicUrl,
    ticketId: input.ticketId,
    kind: 'notice',
    to: { address: input.to },
    subject: text.subject,
    text: text.body,
    language: input.language,
    antiPhishingCode: (await findAntiPhishingCode(db, input.customerId)) ?? null,
    verificationCode,
    now: input.now,
  })
  const sent = await transport.send({ messageIdHeader: composed.messageIdHeader, envelope: composed.envelope, raw: composed.raw })
  await insertOutboundMessage(db, {
    ticket_id: input.ticketId,
    ticket_message_id: null,
    message_id_header: composed.messageIdHeader,
    kind: 'notice',
    to_address: input.to,
    subject: composed.subject,
    verification_code: verificationCode,
    // Not the bytes: they carry the one-time link, which must not outlive the mail in a database row.
    raw_mime: '[not stored: carried a one-time status link]',
    status: 'sent',
    error: null,
    transport_id: sent.transportId,
    created_at: input.now.toISOString(),
    sent_at: input.now.toISOString(),
    last_attempt_at: input.now.toISOString(),
    bounced_at: null,
  })
}
