/*
 * Reply and forward prefixes that mail clients put in front of a subject, in the languages our customers use:
 * English (Re, Fwd, Fw), German (AW, WG), Nordic (SV, VS), Dutch (Antw), French (TR), and Chinese clients
 * (回复, 回覆, 答复, 转发, 轉寄, 轉發). Either colon: ASCII ":" or full-width "：". Some clients count: "Re[2]:", "Re(2):".
 */
const PREFIX_WORDS = 're|fwd?|aw|wg|sv|vs|antw|tr|回复|回覆|答复|答覆|转发|轉寄|轉發|转寄'
/** A whole run of prefixes in one pass (a loop of single replacements is quadratic on "Re: Re: Re: …"). */
const PREFIX_RUN = new RegExp(`^(?:(?:${PREFIX_WORDS})[ \\t]{0,3}(?:\\[\\d{1,4}\\]|\\(\\d{1,4}\\))?[ \\t]{0,3}[:：][ \\t]*|[-–—|][ \\t]*)+`, 'i')
/** Bracketed ticket tokens such as "[OKP-1042]" (any prefix), and list tags like "[External]" are left alone. */
const TICKET_TOKEN = /\[\s*[A-Z]{2,8}-\d{1,12}\s*\]/gi

/**
 * The subject without any run of reply/forward prefixes, ticket tokens and redundant whitespace, for comparing
 * "same conversation" subjects: "RE: 回复：[OKP-1042] Fwd: Refund" → "Refund".
 */
export function normalizeSubject(subject: string): string {
  return subject.replace(TICKET_TOKEN, ' ').replace(/\s+/g, ' ').trim().replace(PREFIX_RUN, '').trim()
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/**
 * The ticket number in a "[PREFIX-1234]" token of the subject ("[OKP-1042] Re: …" → 1042), or undefined. The prefix
 * is matched case-insensitively; only bracketed tokens count, so "OKP-1042" in running text does not.
 */
export function findTicketToken(subject: string, prefix: string): number | undefined {
  const pattern = new RegExp(`\\[\\s*${escapeRegExp(prefix)}-(\\d{1,12})\\s*\\]`, 'i')
  const match = pattern.exec(subject)
  if (!match?.[1]) return undefined
  const value = Number(match[1])
  return Number.isSafeInteger(value) && value > 0 ? value : undefined
}
