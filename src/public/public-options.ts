import type { ChatBus } from '../chat/chat-bus.ts'
import type { MailTransport } from '../notify/mail-transport.ts'
import { DEFAULT_FORM_TOKEN_POLICY, type FormTokenPolicy } from './feedback/form-token.ts'

/** Limits and clocks of the public side; production uses the defaults, tests override single fields. */
export interface PublicRouteOptions {
  now?: () => Date
  /** Attachments per form and bytes per attachment. */
  maxFiles?: number
  maxFileBytes?: number
  formToken?: FormTokenPolicy
  /** Proof-of-work difficulty in leading zero bits (~2^bits hashes in the browser); 0 turns it off. */
  powBits?: number
  /** Form submissions per IP per window, with and without a valid proof of work. */
  submissionsPerWindow?: number
  submissionsWithoutPowPerWindow?: number
  rateWindowMs?: number
  /** How long the feedback page waits for the pipeline to give the ticket number. */
  ticketWaitMs?: number
  /** Status-portal link lifetime, and lookups per IP and per ticket per window. */
  portalLinkTtlMs?: number
  portalSessionTtlMs?: number
  statusLookupsPerWindow?: number
  /** Outbound mail for status links; default: the transport the config names (relay or outbox). */
  mailTransport?: MailTransport | undefined
  /** Live-chat events between processes; default: LISTEN/NOTIFY on PostgreSQL, in-process on SQLite. */
  chatBus?: ChatBus | undefined
  /** Chat sockets: ping interval (no pong by the next ping closes the socket), and how long a customer socket may stay open without starting or resuming a chat. */
  chatPingMs?: number
  chatIdentifyMs?: number
  /** Customer chat sockets one address may hold open at once. */
  chatSocketsPerAddress?: number
  /** Bytes of strangers' request bodies (forms, uploads) in flight at once, process-wide (upload-budget.ts). */
  uploadBudgetBytes?: number
}

export type ResolvedPublicOptions = Required<Omit<PublicRouteOptions, 'mailTransport' | 'chatBus'>> & {
  mailTransport: MailTransport | undefined
  chatBus: ChatBus | undefined
}

export function resolvePublicOptions(options: PublicRouteOptions, maxAttachmentBytes: number): ResolvedPublicOptions {
  return {
    now: options.now ?? (() => new Date()),
    maxFiles: options.maxFiles ?? 5,
    maxFileBytes: options.maxFileBytes ?? Math.min(5 * 1024 * 1024, maxAttachmentBytes), // 5 MiB
    formToken: options.formToken ?? DEFAULT_FORM_TOKEN_POLICY,
    powBits: options.powBits ?? 14,
    submissionsPerWindow: options.submissionsPerWindow ?? 5,
    submissionsWithoutPowPerWindow: options.submissionsWithoutPowPerWindow ?? 2,
    rateWindowMs: options.rateWindowMs ?? 10 * 60_000, // 10 min
    ticketWaitMs: options.ticketWaitMs ?? 3000,
    portalLinkTtlMs: options.portalLinkTtlMs ?? 30 * 60_000, // 30 min
    portalSessionTtlMs: options.portalSessionTtlMs ?? 30 * 60_000,
    statusLookupsPerWindow: options.statusLookupsPerWindow ?? 5,
    mailTransport: options.mailTransport,
    chatBus: options.chatBus,
    chatPingMs: options.chatPingMs ?? 30_000,
    chatIdentifyMs: options.chatIdentifyMs ?? 60_000,
    chatSocketsPerAddress: options.chatSocketsPerAddress ?? 20,
    uploadBudgetBytes: options.uploadBudgetBytes ?? 256 * 1024 * 1024, // 256 MiB
  }
}
