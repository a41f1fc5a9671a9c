/**
 * What a message asks the reader to do, in Chinese and English: hand over a secret (password, PIN, one-time code,
 * card number, CVV, ID), or act at once under threat. Giving a code ("your code is 123456, don't share it") is
 * told apart from asking for one ("reply with the code we sent you").
 */
export type CredentialKind = 'password' | 'pin' | 'otp' | 'card' | 'cvv' | 'identity'

const CREDENTIALS: Array<[CredentialKind, RegExp]> = [
  ['pin', /\bpin\b|payment password|支付密码|交易密码|取款密码/i],
  ['password', /pass ?word|passcode|login details|sign-?in details|credentials|密码|口令/i],
  ['otp', /\botp\b|one[- ]time (?:pass ?)?code|verification code|security code|sms code|authentication code|\bcode\b.{0,30}\b(?:sent|texted|received)\b|\b(?:sent|texted|received)\b.{0,30}\bcode\b|验证码|动态码|校验码|短信码|动态密码/i],
  ['cvv', /\bcvv2?\b|\bcvc2?\b|card security|安全码|卡背.{0,4}三位/i],
  ['card', /card (?:number|details|information|info)|credit card|debit card|bank card|卡号|银行卡|信用卡|有效期/i],
  ['identity', /\bid (?:card|number)\b|identity card|passport number|social security|身份证/i],
]

const REQUEST = /\b(send|reply|respond|provide|enter|confirm|verify|update|submit|tell us|give us|type|input|fill|share .{0,20}with us|forward|re-?enter|validate|supply|required|need)\b|提供|发送|发给|回复|告诉|告知|输入|填写|填入|提交|确认|验证|核实|更新|登记|上传/i
const NEGATION = /\b(never|do not|don't|dont|not|no one|nobody|won't|will not)\b|不要|切勿|请勿|勿|绝不|绝对不会|从不|不会|谨防|任何人/i
/** A 4–8 digit code or an obvious code placeholder in the sentence: the message gives a code, it does not ask. */
const GIVES_CODE = /(^|[^\d])\d{4,8}([^\d]|$)|\bis:?\s*[A-Z0-9]{4,8}\b|为[:：]?\s*\d{4,8}|是[:：]?\s*\d{4,8}/

const THREAT = /(account|card|wallet).{0,40}\b(will|would|shall|may) be\b.{0,20}\b(suspend|clos|lock|frozen|freez|terminat|disabl|restrict|delet|block|cancel)|legal action|permanently (?:suspend|clos|lock|delet)|final (?:notice|warning)|冻结|封停|封号|停用|注销|销户|永久|法律责任|起诉|司法|限制使用|关闭.{0,6}账户|账户.{0,10}(?:异常|风险)/i
const URGENCY = /\burgent(ly)?\b|\bimmediately\b|\bright away\b|\bact now\b|within (?:24|48|12|72) hours|\btoday\b|as soon as possible|\basap\b|expires? (?:today|soon)|立即|立刻|马上|尽快|紧急|(?:24|48|12|72) ?小时内|今天内|当天|限时|否则|逾期/i

/** The patterns, for the test that checks findContentSignals against reading every sentence with every pattern. */
export const CONTENT_SIGNAL_PATTERNS = { credentials: CREDENTIALS, request: REQUEST, negation: NEGATION, givesCode: GIVES_CODE, threat: THREAT, urgency: URGENCY }

export interface ContentSignals {
  requested: CredentialKind[]
  /** A secret is mentioned only as something given or not to be shared. */
  givesCodeOnly: boolean
  urgency: boolean
}

function sentencesOf(text: string): string[] {
  return text.split(/[.!?。！？\n;；]+/).map((s) => s.trim()).filter((s) => s.length > 0 && s.length < 600)
}

/**
 * Scans subject and body text (at most the first 100,000 characters).
 *
 * A pattern that matches in a sentence also matches in the whole text (a sentence is a piece of it between
 * separators and spaces, none of them a word character, so \b and the rest read the same there), so each pattern is
 * first tried on the whole text, and only those that match anywhere are tried sentence by sentence. Most mail asks
 * for no secret and threatens nothing: it is then one pass per pattern instead of one per pattern and sentence.
 */
export function findContentSignals(text: string): ContentSignals {
  const scanned = text.slice(0, 100_000)
  const credentials = CREDENTIALS.filter(([, re]) => re.test(scanned))
  const threatPossible = THREAT.test(scanned)
  const urgencyPossible = URGENCY.test(scanned)
  if (credentials.length === 0 && !threatPossible && !urgencyPossible) return { requested: [], givesCodeOnly: false, urgency: false }
  const requested = new Set<CredentialKind>()
  let mentionsSecret = false
  let urgencyHits = 0
  let threat = false
  for (const sentence of sentencesOf(scanned)) {
    const kinds = credentials.filter(([, re]) => re.test(sentence)).map(([k]) => k)
    if (kinds.length > 0) {
      mentionsSecret = true
      // "password" inside "payment password" is the PIN; "code" alone counts only beside a request.
      const distinct = kinds.includes('pin') ? kinds.filter((k) => k !== 'password') : kinds
      // 验证码 contains 验证 ("verify"): the noun must not count as the request verb.
      const verbs = sentence.replace(/验证码|校验码/g, '码')
      if (REQUEST.test(verbs) && !NEGATION.test(sentence) && !GIVES_CODE.test(sentence)) for (const k of distinct) requested.add(k)
    }
    if (threatPossible && THREAT.test(sentence) && !/\bnever\b|不会/.test(sentence)) threat = true
    if (urgencyPossible && URGENCY.test(sentence)) urgencyHits++
  }
  return { requested: [...requested], givesCodeOnly: mentionsSecret && requested.size === 0, urgency: threat || urgencyHits >= 2 }
}
