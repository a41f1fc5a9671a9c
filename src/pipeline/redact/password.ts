import type { ContextLabels } from './context-words.ts'
import { findValueStart, isQuote } from './label-value.ts'
import type { Finding } from './finding.ts'

const MAX_PASSWORD_CHARS = 64
const MIN_PASSWORD_CHARS = 4

/** Words that follow "password:" in sentences about a password rather than in front of one. */
const NOT_A_PASSWORD = new Set([
  'none', 'n/a', 'na', 'null', 'nil', 'reset', 'forgot', 'forgotten', 'unknown', 'changed', 'expired', 'incorrect',
  'wrong', 'invalid', 'required', 'hidden', 'correct', 'missing', 'blank', 'empty', 'same', 'different', 'locked',
  'lost', 'sent', 'here', 'below', 'above', 'attached', 'redacted', 'removed', 'please', 'help', 'unchanged', 'tbd',
  'not', 'see', 'password', 'passwords', 'pwd', 'passcode', 'masked', 'omitted', 'withheld', 'confidential', 'secret', 'private',
])

function closingQuote(open: number): number {
  if (open === 0x201c) return 0x201d // “ ”
  if (open === 0x2018) return 0x2019 // ‘ ’
  if (open === 0x300c) return 0x300d // 「 」
  if (open === 0x300e) return 0x300f // 『 』
  return open
}

function isPrintableAscii(code: number): boolean {
  return code >= 0x21 && code <= 0x7e
}

function isAsciiLetterOrDigit(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122)
}

/** A token that is already masked ("******", "xxxx", "•••") carries nothing to remove. */
function isMask(token: string): boolean {
  return /^(?:[*•xX#.]+)$/.test(token)
}

/** Plain words, hyphenated or exclaimed ("case-sensitive", "wrong!"), are sentence words, not passwords. */
function isWordLike(token: string): boolean {
  return /^[A-Za-z]+(?:[-'][A-Za-z]+)*[!?]*$/.test(token)
}

/** A typed secret has a letter or digit and no markup in it: "password now!<br>" has no password. */
function looksTyped(token: string): boolean {
  return /[A-Za-z0-9]/.test(token) && !/<\/?[A-Za-z]/.test(token)
}

/** Dates and times are not passwords: "changed my password 2024-03-15" has no secret in it. */
function isDateOrTime(token: string): boolean {
  return /^\d{1,4}[-/.]\d{1,2}(?:[-/.]\d{1,4})?$/.test(token) || /^\d{1,2}:\d{2}(?::\d{2})?$/.test(token)
}

/**
 * Reads the unquoted token at `start`: printable ASCII up to the first space or non-ASCII character,
 * without the sentence punctuation that follows it ("abc123." → "abc123").
 */
function readToken(text: string, start: number): number {
  let end = start
  while (end < text.length && end - start < MAX_PASSWORD_CHARS && isPrintableAscii(text.charCodeAt(end))) end++
  while (end > start) {
    const last = text.charCodeAt(end - 1)
    // , . ; : ) ] } > " ' at the end belong to the sentence, not the password.
    if (last === 0x2c || last === 0x2e || last === 0x3b || last === 0x3a || last === 0x29 || last === 0x5d || last === 0x7d || last === 0x3e || last === 0x22 || last === 0x27) {
      end--
      continue
    }
    break
  }
  return end
}

/** True when only letters and digits follow `end` after a space: "password: please reset it" is a sentence. */
function continuesAsSentence(text: string, end: number): boolean {
  return text.charCodeAt(end) === 0x20 && isAsciiLetterOrDigit(text.charCodeAt(end + 1))
}

/**
 * Passwords and payment passwords after a label: `password: …`, `pwd=…`, "my password is Summer2024!",
 * `密码是abc123`, `支付密码：860412`, `登录密码改成了Qwe!2024`. "I forgot my password", "我忘记密码了" and
 * "how do I reset my password" have no value after the label, and "password is wrong" has no digit or symbol in
 * it, so they are left alone. A quoted value is taken whole.
 */
export function findPasswords(text: string, labels: ContextLabels): Finding[] {
  const findings: Finding[] = []
  for (const word of labels.password) {
    const { position, hasColon, hasWord } = findValueStart(text, word.end)
    if (position >= text.length) continue
    const first = text.charCodeAt(position)
    if (isQuote(first)) {
      const close = closingQuote(first)
      let end = position + 1
      while (end < text.length && end - position <= MAX_PASSWORD_CHARS && text.charCodeAt(end) !== close && text.charCodeAt(end) !== 0x0a) end++
      if (end < text.length && text.charCodeAt(end) === close && end - position - 1 >= MIN_PASSWORD_CHARS - 1) {
        const value = text.slice(position + 1, end)
        if (!NOT_A_PASSWORD.has(value.trim().toLowerCase()) && !isMask(value.trim()) && looksTyped(value)) {
          findings.push({ type: 'password', start: position + 1, end })
        }
      }
      continue
    }
    if (!isPrintableAscii(first)) continue
    const end = readToken(text, position)
    const token = text.slice(position, end)
    if (token.length < MIN_PASSWORD_CHARS || isMask(token) || isDateOrTime(token) || !looksTyped(token)) continue
    if (NOT_A_PASSWORD.has(token.toLowerCase())) continue
    const hasDigitOrSymbol = !isWordLike(token)
    // An English label needs ":" or "is" before its value; a Chinese one may run straight into it (支付密码123456).
    const labelIsAscii = isAsciiLetterOrDigit(text.charCodeAt(word.end - 1))
    if (!hasColon && !hasWord && (labelIsAscii || !hasDigitOrSymbol)) continue
    if (!hasDigitOrSymbol && (!hasColon || continuesAsSentence(text, end))) continue
    findings.push({ type: 'password', start: position, end })
  }
  return findings
}
