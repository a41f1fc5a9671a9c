/**
 * Context words: the Chinese and English labels that say what the next value is. Several recognizers only
 * fire next to one (CVV, PIN, bank accounts), and card numbers are vetoed next to an order or transaction label.
 *
 * Matching is a single left-to-right trie walk (leftmost-longest, non-overlapping), so it is linear in the
 * input whatever the input holds: `密码密码密码…` costs one step per character plus at most one keyword length.
 */

export type ContextKind =
  /** labels a payment card: "card number", "信用卡" */
  | 'card'
  /** labels a bank account number: "account number", "账号", "银行账户" */
  | 'account'
  /** labels an identifier agents need to see: order, transaction, merchant, ticket; vetoes cards and IDs */
  | 'reference'
  /** labels a phone number, amount or date: no veto (a phone is never Luhn-valid in an issuer range by design,
   * and "I added the card in the mobile app: 4242…" is still a card), but it stops an earlier account label */
  | 'contact'
  | 'password'
  | 'pin'
  | 'otp'
  | 'cvv'
  /** a bare "code": a one-time code only with ":" or "is" before the digits ("code: 123456", not "code 2024") */
  | 'code'
  /** "security code": a CVV if 3–4 digits follow, a one-time code if 5–8 */
  | 'security_code'
  /** "error code", "zip code": a number that follows is not a one-time code */
  | 'not_secret_code'

export interface ContextWord {
  kind: ContextKind
  start: number
  end: number
}

const LEXICON: Record<ContextKind, readonly string[]> = {
  card: [
    'card', 'card number', 'card no', 'card no.', 'card #', 'card num', 'credit card', 'debit card', 'visa', 'mastercard',
    'amex', 'unionpay', 'card ending',
    '卡号', '银行卡号', '卡号码', '信用卡', '信用卡号', '借记卡', '储蓄卡', '银行卡', '银联卡', '卡片',
  ],
  account: [
    'account number', 'account no', 'account no.', 'account #', 'acct', 'acct no', 'acct no.', 'acct #', 'a/c',
    'a/c no', 'bank account', 'bank account number', 'account num', 'beneficiary account', 'receiving account',
    '账号', '帐号', '账户', '帐户', '银行账户', '银行帐户', '银行账号', '银行帐号', '收款账号', '收款账户', '收款帐号',
    '对公账户', '转账账号', '账户号码', '账号是', '开户账号',
  ],
  reference: [
    'order', 'order number', 'order no', 'order no.', 'order id', 'order #', 'transaction', 'transaction id',
    'transaction number', 'transaction no', 'transaction no.', 'transaction ref', 'transaction reference', 'txn',
    'txn id', 'txn no', 'trans id', 'reference', 'reference number', 'reference no', 'ref', 'ref no', 'ref no.',
    'ref #', 'merchant', 'merchant id', 'merchant number', 'merchant no', 'mid', 'terminal id', 'tid', 'invoice',
    'invoice number', 'invoice no', 'tracking number', 'tracking no', 'ticket', 'case', 'case number', 'case id',
    'customer id', 'customer number', 'user id', 'account id', 'member id', 'member number', 'batch', 'serial',
    'serial number', 'payment id', 'refund id', 'booking', 'booking number', 'confirmation number', 'receipt',
    'receipt number', 'order reference', 'transfer id', 'settlement id',
    '订单号', '订单编号', '订单', '订单号码', '商户订单号', '交易编号', '交易号', '交易单号', '交易流水号', '流水号',
    '交易', '商户号', '商户编号', '商户', '终端号', '参考号', '单号', '运单号', '快递单号', '发票号', '发票号码',
    '工单号', '批次号', '凭证号', '会员号', '用户id', '用户编号', '客户号', '客户编号', '退款单号', '退款编号',
    '支付单号', '编号', '序列号', '转账单号', '业务编号',
  ],
  contact: [
    'phone', 'phone number', 'tel', 'telephone', 'mobile', 'mobile number', 'cell', 'call me', 'call me at', 'fax',
    'whatsapp', 'amount', 'date',
    '电话', '手机', '手机号', '手机号码', '联系电话', '客服电话', '联系方式', '金额', '日期',
  ],
  password: [
    'password', 'passwd', 'pwd', 'passcode', 'pass word', 'login password', 'payment password', 'new password',
    'old password', 'temporary password', 'temp password',
    '密码', '支付密码', '登录密码', '登陆密码', '交易密码', '新密码', '旧密码', '原密码', '口令', '临时密码', '账户密码',
  ],
  pin: [
    'pin', 'pin code', 'pin number', 'atm pin', 'card pin', 'pin no', 'pin no.',
    'pin码', '取款密码', '银行卡密码', '卡密码', 'atm密码', '提款密码',
  ],
  otp: [
    'otp', 'otp code', 'one-time password', 'one time password', 'one-time code', 'one time code', 'one-time passcode',
    'verification code', 'verify code', 'confirmation code', 'sms code', 'text code', 'auth code',
    'authentication code', '2fa code', 'login code', 'activation code', 'access code', 'otp number',
    '验证码', '短信验证码', '校验码', '动态码', '动态密码', '短信码', '短信密码', '确认码', '一次性密码', '安全验证码',
    '手机验证码', '登录验证码',
  ],
  cvv: [
    'cvv', 'cvv2', 'cvc', 'cvc2', 'card verification value', 'card verification code', 'card security code',
    '安全码', '卡背面三位数', '背面三位数', '背面的三位数', '背面三位', '卡背后三位数', '背后三位数', '背后的三位数',
    '卡片背面的三位数', 'cvv码', 'cvv2码', 'cvn',
  ],
  code: ['code'],
  security_code: ['security code'],
  not_secret_code: [
    'error code', 'zip code', 'postal code', 'post code', 'postcode', 'area code', 'country code', 'promo code',
    'discount code', 'coupon code', 'voucher code', 'referral code', 'invite code', 'invitation code', 'sort code',
    'swift code', 'bank code', 'branch code', 'product code', 'status code', 'response code', 'reason code',
    'merchant code', 'tracking code', 'qr code', 'mcc code', 'source code', 'code of conduct', 'dress code',
    '错误码', '错误代码', '邮编', '邮政编码', '区号', '优惠码', '兑换码', '邀请码', '推荐码', '折扣码', '商户代码',
    '返回码', '状态码', '响应码', '二维码', '代码',
  ],
}

function isAsciiLetter(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122)
}

/** & ? / = . _ @ # % < : a word right after one of these is part of a URL, an address or a tag. */
function isUrlOrMarkupChar(code: number): boolean {
  return (
    code === 0x26 || code === 0x3f || code === 0x2f || code === 0x3d || code === 0x2e || code === 0x5f ||
    code === 0x40 || code === 0x23 || code === 0x25 || code === 0x3c
  )
}

function lowerAscii(code: number): number {
  return code >= 65 && code <= 90 ? code + 32 : code
}

/**
 * The lexicon as a trie in flat arrays: node 0 is the root, whose children are found by direct index
 * (ROOT_CHILD[code]); deeper nodes have a few children each, found by a short linear scan.
 */
const childCodes: number[][] = [[]]
const childNodes: number[][] = [[]]
const nodeKinds: Array<ContextKind | undefined> = [undefined]
const ROOT_CHILD = new Int32Array(65536).fill(-1)

function findChild(node: number, code: number): number {
  if (node === 0) return ROOT_CHILD[code] ?? -1
  const codes = childCodes[node] ?? []
  for (let k = 0; k < codes.length; k++) if (codes[k] === code) return childNodes[node]?.[k] ?? -1
  return -1
}

for (const [kind, words] of Object.entries(LEXICON) as Array<[ContextKind, readonly string[]]>) {
  for (const word of words) {
    let node = 0
    for (let i = 0; i < word.length; i++) {
      const code = lowerAscii(word.charCodeAt(i))
      let child = findChild(node, code)
      if (child < 0) {
        child = nodeKinds.length
        nodeKinds.push(undefined)
        childCodes.push([])
        childNodes.push([])
        if (node === 0) {
          ROOT_CHILD[code] = child
          if (code >= 97 && code <= 122) ROOT_CHILD[code - 32] = child
        } else {
          childCodes[node]?.push(code)
          childNodes[node]?.push(child)
        }
      }
      node = child
    }
    nodeKinds[node] = kind
  }
}

/** Longest gap between two labels that is checked for a value; longer gaps keep the earlier label. */
const MAX_CHECKED_GAP = 16

/**
 * True when nothing between two labels can be a value ("密码密码", "验证码是验证码"): no ASCII letter or digit
 * and no quote. The earlier label then labels nothing, and the later one is nearer to whatever follows.
 */
function labelsNothing(text: string, from: number, to: number): boolean {
  if (to - from > MAX_CHECKED_GAP) return false
  for (let k = from; k < to; k++) {
    const code = text.charCodeAt(k)
    if ((code >= 48 && code <= 57) || isAsciiLetter(code) || code === 0x22 || code === 0x27 || code === 0x201c || code === 0x2018 || code === 0x300c || code === 0x300e || code === 0x60) {
      return false
    }
  }
  return true
}

/** Finds every context word, leftmost-longest and non-overlapping; ASCII words must stand alone as words. */
export function indexContextWords(text: string): ContextWord[] {
  const words: ContextWord[] = []
  const length = text.length
  let i = 0
  while (i < length) {
    const first = text.charCodeAt(i)
    if (ROOT_CHILD[first] === -1) {
      i++
      continue
    }
    // An ASCII word must start at a word boundary ("pin" is not inside "shipping"), and not inside a URL,
    // a file name or markup ("?cid=127", "</code>"): those are parameters, not labels a person wrote.
    if (isAsciiLetter(first) && i > 0 && (isAsciiLetter(text.charCodeAt(i - 1)) || isUrlOrMarkupChar(text.charCodeAt(i - 1)))) {
      i++
      continue
    }
    let node = 0
    let matchEnd = -1
    let matchKind: ContextKind | undefined
    for (let j = i; j < length; j++) {
      node = findChild(node, lowerAscii(text.charCodeAt(j)))
      if (node < 0) break
      const kind = nodeKinds[node]
      if (kind !== undefined) {
        const last = text.charCodeAt(j)
        const after = j + 1 < length ? text.charCodeAt(j + 1) : 0
        // …and end at one ("code" is not the start of "codes" or "coder").
        if (!(isAsciiLetter(last) && isAsciiLetter(after))) {
          matchEnd = j + 1
          matchKind = kind
        }
      }
    }
    if (matchKind !== undefined) {
      // A label glued to the previous one ("卡号密码", or 密码 a million times) leaves that one nothing to label:
      // the nearer label wins anyway, and there is no value between them. Replace it, so repeats cost no memory.
      const last = words[words.length - 1]
      if (last && labelsNothing(text, last.end, i)) words.pop()
      words.push({ kind: matchKind, start: i, end: matchEnd })
      i = matchEnd
    } else {
      i++
    }
  }
  return words
}

/** Context words by kind, each list in text order: a recognizer walks only the labels it reads values after. */
export type ContextLabels = Record<ContextKind, ContextWord[]>

/** Groups context words by kind. */
export function groupContextWords(words: readonly ContextWord[]): ContextLabels {
  const labels: ContextLabels = {
    card: [], account: [], reference: [], contact: [], password: [], pin: [], otp: [], cvv: [], code: [],
    security_code: [], not_secret_code: [],
  }
  for (const word of words) labels[word.kind].push(word)
  return labels
}

/** Characters that end a clause: a label before one of them does not describe a value after it. */
function isClauseBreak(code: number): boolean {
  return (
    code === 0x0a || // \n
    code === 0x0d ||
    code === 0x3002 || // 。
    code === 0xff01 || // ！
    code === 0xff1f || // ？
    code === 0x21 || // !
    code === 0x3f || // ?
    code === 0x3b || // ;
    code === 0xff1b // ；
  )
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57
}

/**
 * The context word that labels a value starting at `position`: the nearest word ending at most `maxGap`
 * characters before it, with no digit and no clause break in between ("card 4242…" but not "card. 4242…").
 */
export function findLabelBefore(words: readonly ContextWord[], text: string, position: number, maxGap: number): ContextWord | undefined {
  let low = 0
  let high = words.length - 1
  let found = -1
  while (low <= high) {
    const mid = (low + high) >> 1
    const word = words[mid]
    if (word && word.end <= position) {
      found = mid
      low = mid + 1
    } else {
      high = mid - 1
    }
  }
  const word = words[found]
  if (!word || position - word.end > maxGap) return undefined
  for (let k = word.end; k < position; k++) {
    const code = text.charCodeAt(k)
    if (isDigit(code) || isClauseBreak(code)) return undefined
    // "." ends a sentence when a space follows; "No." and "a/c." keep going.
    if (code === 0x2e && k + 1 < position && text.charCodeAt(k + 1) === 0x20) return undefined
  }
  return word
}
