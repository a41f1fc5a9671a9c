/**
 * Separates what a customer wrote now from the history their mail client quoted below it and from their signature,
 * so agents read only what is new. Plain-text heuristics for the clients our customers use: Gmail, Outlook, Apple
 * Mail, QQ Mail, Foxmail, NetEase, and phones. Forwarded messages ("---------- Forwarded message ----------") are
 * deliberately NOT split off: in a phishing report the forwarded mail is the content.
 */
export interface SplitReply {
  /** What the sender wrote in this message, without quote or signature. */
  newText: string
  /** The quoted history: the attribution line ("On … wrote:") and everything after it, or the ">" lines. */
  quoted: string
  /** The signature: from a "-- " delimiter or a "Sent from my iPhone" line to the end of the new text. */
  signature: string
}

/** Lines that open a quoted original on their own. */
const QUOTE_SEPARATORS: RegExp[] = [
  // Outlook, Foxmail, QQ Mail, NetEase: "-----Original Message-----", "------------------ 原始邮件 ------------------"
  /^\s*-{2,}\s*(?:original message|original|原始邮件|原始郵件|原邮件|回复的原邮件|reply message)\s*-{2,}\s*$/i,
  // Chinese Apple Mail / QQ / Gmail: "在 2026年11月3日 14:05，Li Lei <a@b> 写道：", "Li Lei <a@b> 于2026年11月3日周二 写道："
  /^.{0,200}(?:写道|寫道)\s*[:：]\s*$/,
  // German and French Gmail/Apple Mail
  /^\s*Am .{4,200} schrieb .{0,200}:\s*$/,
  /^\s*Le .{4,200} a écrit\s*:\s*$/,
]

/** An Outlook header block: "From: …" followed within a few lines by "Sent: …" or "Date: …". */
const OUTLOOK_FROM = /^\s*\*?(?:from|发件人|發件人|寄件者|von|de)\s*\*?\s*[:：]/i
const OUTLOOK_SENT = /^\s*\*?(?:sent|date|发送时间|發送時間|发送日期|日期|时间|寄件日期|gesendet|envoyé)\s*\*?\s*[:：]/i
/** A separator line drawn above an Outlook header block. */
const RULE_LINE = /^\s*(?:_{5,}|-{5,})\s*$/

/** Gmail's "On Tue, Nov 3, 2026 at 2:05 PM Li Lei <lilei@example.com> wrote:", sometimes wrapped over two lines. */
function isGmailAttribution(lines: string[], i: number): boolean {
  const line = lines[i] ?? ''
  if (!/^\s*On\s/.test(line)) return false
  const joined = /wrote:\s*$/.test(line) ? line : `${line} ${lines[i + 1] ?? ''}`
  return /^\s*On\s.{4,300}\swrote:\s*$/.test(joined) && /\d/.test(joined)
}

function isOutlookHeader(lines: string[], i: number): boolean {
  if (!OUTLOOK_FROM.test(lines[i] ?? '')) return false
  return lines.slice(i + 1, i + 6).some((line) => OUTLOOK_SENT.test(line))
}

/** Markers of a forwarded message; what follows is kept as new text. */
const FORWARD_MARKER =
  /^\s*(?:-{2,}\s*(?:forwarded message|转发的邮件|轉寄的郵件|转发邮件)\s*-{2,}|begin forwarded message:|-{2,}\s*forwarded by .*)\s*$/i

type QuoteStart = { kind: 'quote'; index: number } | { kind: 'forward'; index: number } | undefined

function findQuoteStart(lines: string[]): QuoteStart {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? ''
    if (FORWARD_MARKER.test(line)) return { kind: 'forward', index: i }
    if (QUOTE_SEPARATORS.some((re) => re.test(line)) || isGmailAttribution(lines, i) || isOutlookHeader(lines, i)) {
      // Take along a rule line drawn just above the header ("________________").
      let start = i
      while (start > 0 && (lines[start - 1] ?? '').trim() === '') start--
      return { kind: 'quote', index: start > 0 && RULE_LINE.test(lines[start - 1] ?? '') ? start - 1 : i }
    }
  }
  return undefined
}

/** "Sent from my iPhone" and friends: a client's footer, not words of the customer. */
const MOBILE_FOOTER =
  /^\s*(?:sent from my \S.*|sent from (?:outlook|mail|yahoo mail|gmail)\b.*|get outlook for \S.*|sent from \S+ for (?:ios|android|windows)\b.*|发自我的.{1,20}|发送自.{1,20}|从我的.{1,12}发送|来自我的.{1,12}|寄自我的.{1,20})\s*$/i

function findSignatureStart(lines: string[]): number | undefined {
  const delimiter = lines.findIndex((line) => /^--\s?$/.test(line))
  // Phone footers count only near the end, so a sentence like "Sent from my iPhone app, the payment failed" in
  // the middle of a message stays.
  const lastLines = lines
    .map((line, index) => ({ line, index }))
    .filter(({ line }) => line.trim() !== '')
    .slice(-4)
  const footer = lastLines.find(({ line }) => MOBILE_FOOTER.test(line))?.index
  const candidates = [delimiter, footer].filter((i): i is number => i !== undefined && i >= 0)
  return candidates.length > 0 ? Math.min(...candidates) : undefined
}

function joinTrimmed(lines: string[]): string {
  return lines.join('\n').replace(/^(?:[ \t]*\n)+/, '').trimEnd()
}

/**
 * Splits a plain-text body into the new text, the quoted history and the signature. With an attribution line
 * ("On … wrote:", "-----Original Message-----", "在 … 写道：", an Outlook "From:/Sent:" block) everything from it
 * on is quoted; otherwise lines beginning with ">" are quoted and the answers between them are kept as new text.
 */
export function splitQuotedReply(text: string): SplitReply {
  const lines = text.replace(/\r\n?/g, '\n').split('\n')
  const quoteStart = findQuoteStart(lines)
  if (quoteStart?.kind === 'forward') {
    // Everything stays new text; only a signature above the forwarded part is split off.
    const above = lines.slice(0, quoteStart.index)
    const signatureStart = findSignatureStart(above)
    if (signatureStart === undefined) return { newText: joinTrimmed(lines), quoted: '', signature: '' }
    return {
      newText: joinTrimmed([...above.slice(0, signatureStart), ...lines.slice(quoteStart.index)]),
      quoted: '',
      signature: joinTrimmed(above.slice(signatureStart)),
    }
  }
  const ownLines = quoteStart ? lines.slice(0, quoteStart.index) : lines.filter((line) => !/^\s*>/.test(line))
  const quotedLines = quoteStart ? lines.slice(quoteStart.index) : lines.filter((line) => /^\s*>/.test(line))
  const signatureStart = findSignatureStart(ownLines)
  const signatureLines = signatureStart === undefined ? [] : ownLines.slice(signatureStart)
  const newLines = signatureStart === undefined ? ownLines : ownLines.slice(0, signatureStart)
  return {
    newText: joinTrimmed(newLines),
    quoted: joinTrimmed(quotedLines),
    signature: joinTrimmed(signatureLines),
  }
}
