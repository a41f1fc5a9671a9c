/**
 * Category and urgency of a customer message by weighted phrase cues in Chinese and English. Deliberately simple
 * and explainable: every decision comes with the cues that made it (`signals`), so an agent can see why a ticket
 * was routed to the security queue. Measured on test/fixtures/classification (bench/classification.bench.ts).
 */
import { globalRegExp } from './global-regexp.ts'

export const MESSAGE_CATEGORIES = ['transaction', 'account', 'refund', 'withdrawal', 'kyc', 'fraud', 'other'] as const
export type MessageCategory = (typeof MESSAGE_CATEGORIES)[number]
export type MessageUrgency = 'urgent' | 'normal'

export interface Classification {
  category: MessageCategory
  urgency: MessageUrgency
  /** The cues that matched, as "category:cue" (e.g. "fraud:account-stolen"), in order of weight. */
  signals: string[]
}

interface Cue {
  category: MessageCategory
  name: string
  weight: number
  pattern: RegExp
  /** Someone else acted on the customer's money or identity: always urgent, whatever the category. */
  urgent?: boolean
  /** Skipped when a negation comes just before it ("我没有被盗号", "nobody hacked my account"). */
  negatable?: boolean
}

const SUBJECT_WEIGHT = 1.5
/** Below this score no category is convincing enough: 'other'. */
const MIN_SCORE = 2
/** Only the start of the new text is scored (see classifyMessage). */
const MAX_TEXT_CHARS = 3000

const CUES: Cue[] = [
  // fraud: someone other than the customer is acting, or trying to
  {
    category: 'fraud', name: 'account-stolen', weight: 6, urgent: true, negatable: true,
    pattern: /(?:账号|帐号|账户|帐户|號)(?:被|给|已被)?(?:盗|黑|入侵)|被盗号|盗号|被盗|盗用|被黑了|\bhacked\b|\bcompromised\b|\btaken over\b|\bstolen (?:account|phone|card)\b|\bsomeone (?:got into|accessed|logged into|broke into|changed|reset)\b|密码被(?:人)?(?:改|修改|重置)|\bpassword (?:was|has been) changed\b/i,
  },
  {
    category: 'fraud', name: 'unauthorised-payment', weight: 6, urgent: true,
    pattern: /不是我本人|非本人|本人不知情|我(?:完全|根本)?不知情|未经(?:我的?)?(?:授权|同意)|未授权|不是我(?:买|操作|消费|付|转)的?|盗刷|被刷|\bunauthori[sz]ed (?:payments?|transactions?|charges?|transfers?|access|log ?ins?|withdrawals?|purchases?|debits?|use|activity|deductions?)\b|\b(?:did not|didn't|never) (?:make|made|authori[sz]e|authori[sz]ed|buy|bought|approve)\b|\bnot (?:authori[sz]ed by me|me)\b|\bwasn't me\b|\bwas not me\b|不是我的|并非我|我(?:从来)?没有?(?:做过|进行过|操作过)?(?:任何)?(?:交易|操作|消费|购买)|被人用来|有人用我的|我根本没有|我(?:从来)?没(?:有)?去过|\bnever been (?:there|to)\b|(?:钱|余额|资金|存款)被(?:人)?(?:转|盗|刷|取|划)|\b(?:do not|don't) own\b|\bnot my (?:card|account|transaction|payment)\b|有人[^。！？]{0,15}(?:我的|账户|余额)|\bsomeone\b[^.!?]{0,40}\bmy (?:money|account|balance|card|wallet|funds)\b|\bnot mine\b|\b(?:do not|don't|did not|didn't) recogni[sz]e\b|\bI (?:did not|didn't) (?:do|make) (?:any|this|these|that)\b|\bsomeone (?:has|is using|used|took) my\b/i,
  },
  {
    category: 'fraud', name: 'phishing-or-scam', weight: 6, urgent: true, negatable: true,
    pattern: /钓鱼|冒充|假冒|仿冒|骗|可疑链接|陌生链接|自称|共享屏幕|屏幕共享|远程控制|假(?:客服|短信|网站|链接|邮件|App|官网)|不是(?:你们的?)?官网|非官方|点击链接|拉黑|失联|跑路|\bphishing\b|\bscam(?:med|mer|s)?\b|\bfraud(?:ulent|ster)?\b|\bfake (?:website|site|email|page|sms|text|call|app|login|support|agent|customer service|staff)\b|\bimpersonat\w*|\bpretending to be\b|\bclaiming to be\b|\bsuspicious(?: looking)? (?:e-?mails?|links?|sms|messages?|calls?|log ?ins?|texts?|websites?|sites?|activity|transactions?|payments?|charges?)\b|\blooks? (?:suspicious|dodgy|fishy)\b|\bstrange link\b|\bdid not click\b|\bdidn't click\b|\bscreen ?shar\w*|\bremote access\b|\banydesk\b|\bteamviewer\b|\bnot your (?:official )?(?:site|website|domain)\b|\bclick (?:on )?(?:the|a|this) link\b|\b(?:says?|said|claims?|claimed) (?:they are|they're|to be|he is|she is|he was|she was) (?:from )?okpay\b|\btrick(?:ed)?\b|\bconned\b|\bcheated\b|\bdeceived\b|\bdisappeared\b|\bthey(?:'re| are) gone\b|\bblocked me\b/i,
  },
  {
    category: 'fraud', name: 'secret-requested', weight: 2,
    pattern: /(?:验证码|密码|CVV|安全码|卡号)[^。！？]{0,12}(?:链接|报给|告诉|提供|输入)|(?:让我|要我)[^。！？]{0,10}(?:报|提供|输入)[^。！？]{0,6}(?:验证码|密码)|\basked (?:me )?for (?:my |the )?(?:verification code|code|password|pin|cvv|card number)|\b(?:confirm|verify|enter) (?:my |your )?(?:card number|cvv|pin|password)\b|\bverification code sent to my phone\b|\brecovery code\b|恢复码|助记词/i,
  },
  { category: 'fraud', name: 'sim-swap', weight: 4, urgent: true, pattern: /\bsim[- ]swap|号码被(?:盗|劫持)|\bnumber was hijacked\b/i },
  {
    // A link to a look-alike of the brand's domain (okpay-help.cc, 0kpay-login.com): someone is phishing.
    category: 'fraud', name: 'lookalike-link', weight: 4, urgent: true,
    pattern: /\b[o0]kpay(?:-[a-z0-9-]+)?\.(?!com\b)[a-z]{2,}\b|\b[o0]kpay-[a-z0-9-]+\.[a-z]{2,}\b|\b0kpay\b/i,
  },
  { category: 'fraud', name: 'unknown-login', weight: 3, urgent: true, pattern: /陌生设备|异地登录|不明设备|\bunknown device\b|\blogin alert\b|\bdevice in another country\b/i },
  { category: 'fraud', name: 'safe-account', weight: 3, urgent: true, pattern: /安全账户|洗钱|刷单|要我转账解冻|转账解冻|\bsafe account\b|\bmoney laundering\b/i },
  { category: 'fraud', name: 'freeze-now', weight: 1, pattern: /立即冻结|立刻冻结|马上冻结|\bfreeze my account\b/i },
  { category: 'fraud', name: 'prize', weight: 2, pattern: /中奖|领奖|\byou(?:'ve| have) won\b|\blottery\b/i },
  { category: 'fraud', name: 'money-gone', weight: 1, pattern: /钱(?:被)?转走|余额(?:被)?转走|钱不见了|钱少了|全部(?:的)?钱|所有的钱|\ball (?:of )?my (?:money|balance|funds)\b|\bbalance is gone\b|\bmoney (?:is )?missing\b|\bmissing\b/i },

  // kyc: identity documents and their review
  {
    category: 'kyc', name: 'identity-verification', weight: 4,
    pattern: /实名认证|实名|身份认证|身份验证|认证资料|\bkyc\b|\bidentity verification\b|\bverif(?:y|ying|ication of) (?:my |your )?identity\b|\bid verification\b|\bverification (?:says|failed|keeps failing|rejected)\b/i,
  },
  { category: 'kyc', name: 'verification', weight: 2, pattern: /认证|审核不通过|\bID card\b|\bverification\b(?! code)|\bverif(?:y|ied) (?:me|my account)\b/i },
  { category: 'kyc', name: 'face-check', weight: 3, pattern: /人脸识别|刷脸|活体|\bselfie\b|\bliveness\b|\bface (?:check|recognition)\b/i },
  {
    category: 'kyc', name: 'identity-document', weight: 2,
    pattern: /身份证|证件|护照|居留许可|地址证明|\bpassport\b|\bproof of address\b|\bresidence permit\b|\bidentity documents?\b|\bmy id\b|\bdocument unreadable\b/i,
  },
  { category: 'kyc', name: 'due-diligence', weight: 4, pattern: /资金来源|尽职调查|\bsource of funds\b|\bdue diligence\b|\bcompliance asked\b/i },

  // withdrawal: money out of the wallet to a bank
  { category: 'withdrawal', name: 'withdraw', weight: 4, pattern: /提现|提款|提現|余额转出|转出到银行卡|提\d|只能提|\bwithdr[ae]w\w*|\bcash(?:ing)?[- ]?out\b|\bpay-?out\b/i },
  {
    category: 'withdrawal', name: 'to-own-bank', weight: 4,
    pattern: /(?:转|提|取)(?:到|至|入)(?:我的)?(?:银行卡|卡里|卡上|银行账户)|余额转(?:到|出)|\b(?:move|moved|moving|transfer|transferred|send|sent|take|took|taking) (?:my |the )?(?:wallet )?(?:balance|money|funds)(?: out)? to (?:my )?(?:bank|card)\b|\btake money out\b|\bout of (?:my )?wallet\b|\b(?:to|into) (?:my )?(?:own )?bank(?: card| account)?\b/i,
  },

  // refund: money back from a merchant
  { category: 'refund', name: 'refund', weight: 4, pattern: /退款|退钱|退费|退给我|能退|原路退|退回来|什么时候退|退差价|多付|\boverpaid\b|\breturn the difference\b|退回|会退|(?:没|未|还没)有?退|押金|\brefund\w*|\bmoney back\b|\bchargeback\b|\breimburse\w*|\bwant (?:it|my money|the money) back\b|\breturned the money\b|\breversed the (?:charge|payment)\b|\bmoney returned\b/i },
  { category: 'refund', name: 'returned-goods', weight: 2, pattern: /退货|退回商品|\breturned (?:the|two|my|it)\b|\bsent it back\b|\bcancel(?:led|ed)? (?:my |the )?(?:order|booking|subscription|flight|ticket)\b|取消了?(?:订单|机票|预订)|自动续费/i },

  // transaction: a payment or transfer that went wrong
  { category: 'transaction', name: 'payment', weight: 1.5, pattern: /支付|付款|付了|付的|消费|充值|\btop(?:ped)?[- ]?up\b|\bcredited\b|\bpa(?:y|id)\b(?<!apple pay|google pay|samsung pay)|\bpayments?\b|\bpurchase\b|\bcheckout\b/i },
  { category: 'transaction', name: 'charged', weight: 1.5, pattern: /扣款|扣了|被扣|扣费|钱(?:少了|没了)|\btook .{0,20}from (?:me|my)\b|\bwrong amount\b|\bleft my (?:balance|wallet|account)\b|\bcharged?\b|\bdeducted\b|\bcharges\b/i },
  { category: 'transaction', name: 'transfer', weight: 2, pattern: /转账|转给|转错|汇款|收到的?(?:钱|款)|\bsent me\b|\bI sent\b|\bsent (?:her|him|them|my)\b|\btransfer\w*|\bsent (?:\$|\d|money)|\bsent \S+ (?:dollars|usd|yuan|rmb)/i },
  { category: 'transaction', name: 'failed-or-pending', weight: 1, pattern: /失败|处理中|未支付|没收到|没有收到|没到账|未到账|不到账|没成功|超时|\bon hold\b|\bdeclined\b|\bfailed\b|\bfailing\b|\bpending\b|\bstuck\b|\bnot go through\b|\berror\b/i },
  { category: 'transaction', name: 'order', weight: 1, pattern: /订单|交易|商户|商家|\border\b|\btransaction\b|\bmerchant\b/i },
  { category: 'transaction', name: 'limit', weight: 1, pattern: /限额|\blimit\b|\bexceeds?\b/i },
  { category: 'transaction', name: 'qr-code', weight: 2, pattern: /扫码|二维码|收款码|付款码|\bqr code\b/i },
  { category: 'transaction', name: 'double-charge', weight: 2, pattern: /重复扣款|扣了两次|\bcharged twice\b|\bdouble charged?\b/i },

  // account: access and profile
  { category: 'account', name: 'login', weight: 2, pattern: /登录|登陆|登不上|登入|指纹|手机丢了|\blost my phone\b|\bsign out\b|\bdevice not trusted\b|\blog ?in\b|\bsign ?in\b|\blogging in\b|\bget (?:back )?in(?:to)?\b|\blog(?:s|ged)? (?:me )?out\b|\bsession expired\b|\baccess (?:to )?my account\b/i },
  { category: 'account', name: 'payment-password', weight: 3, pattern: /支付密码|交易密码|\bpayment password\b/i },
  { category: 'account', name: 'password', weight: 2, pattern: /密码|\bpassword\b|\bpin\b/i },
  { category: 'account', name: 'locked-or-frozen', weight: 2, pattern: /冻结|锁定|解锁|限制|受限|\blocked\b|\bunlock\b|\brestrict(?:ed|ion)\b|\bfrozen\b/i },
  { category: 'account', name: 'profile-change', weight: 2, pattern: /手机号|绑定|换绑|解绑|\bunlink\b|\bremove (?:my |a |the )?(?:old )?(?:card|bank)\b|邮箱|新手机|昵称|头像|\bprofile\b|\bnickname\b|\bavatar\b|\bmobile(?: number)?\b|\bphone number\b|\bemail address\b|\bchange the email\b|\busername\b/i },
  { category: 'account', name: 'two-factor', weight: 2, pattern: /验证码|短信|\bverification code\b|\btwo-factor\b|\b2fa\b|\bauthenticator\b|\bsms code\b/i },
  // The bare word "account" leans to account/login, but weakly: every other category mentions accounts too.
  { category: 'account', name: 'account-word', weight: 1, pattern: /账号|账户|帐号|帐户|\baccounts?\b/i },
  { category: 'account', name: 'close-account', weight: 3, pattern: /注销|销户|\bclose (?:my )?(?:okpay )?account\b|\bdelete my account\b/i },

  // other: business, feedback, product
  { category: 'other', name: 'invoice', weight: 4, pattern: /发票|\binvoice\b|\bvat\b/i },
  { category: 'other', name: 'integration', weight: 4, pattern: /接入|\bAPIs?\b|文档|\bsandbox\b|\bwebhook|\bintegrat\w*/i },
  { category: 'other', name: 'partnership', weight: 4, pattern: /合作|洽谈|\bpartnership\b|\bcollaborat\w*/i },
  { category: 'other', name: 'feedback', weight: 3, pattern: /建议|表扬|感谢|深色模式|繁体|界面|\bfeature request\b|\bplease add\b|\blove\b|\bgreat\b|\bdark mode\b|\bthanks? (?:to|you)\b|\bsuggest\w*/i },
  { category: 'other', name: 'merchant-onboarding', weight: 3, pattern: /开了一家|开店|商户入驻|注册(?:成为)?商户|个体户|费率|\bsmall business\b|企业(?:账户|收款)|开通.{0,4}收款|\bbusiness account\b|\bcorporate account\b|\bbecome a merchant\b|\bmerchant account\b|\bfor my (?:shop|store|business)\b/i },
  { category: 'other', name: 'product-question', weight: 4, pattern: /分期|优惠|折扣|返现|总部|英文客服|\binstall?ments?\b|\bbuy now pay later\b|\bbnpl\b|\bcashback\b|\bdiscounts?\b|\bsurvey\b/i },
  { category: 'other', name: 'app-problem', weight: 3, pattern: /闪退|卡顿|\bcrash\w*|\bfreezes\b/i },
  { category: 'other', name: 'marketing', weight: 4, pattern: /退订|促销|营销|\bunsubscribe\b|\bnewsletter\b|\bmarketing emails?\b/i },
  { category: 'other', name: 'press-or-job', weight: 4, pattern: /记者|采访|招聘|应聘|简历|\bjournalist\b|\bpress\b|\bjob application\b|\bapply for\b|\bhiring\b|\bcareers?\b|\bcv\b|\bresume\b|\bposition\b/i },
  { category: 'other', name: 'general-question', weight: 2, pattern: /汇率|营业时间|有人接听|地址|\bexchange rate\b|\bapple pay\b|\bopening hours\b|\bhead office\b|\bpostal address\b/i },
]

/*
 * A negation just before a cue, within the same clause: "我没有被盗号", "我不是要举报诈骗", "nobody hacked my
 * account", "this is not a scam". Cheap and local on purpose; "I did not authorise this" is a cue of its own.
 */
const NEGATION_BEFORE = /(?:不是|没有|没|并非|并不是|无|未|\bnot\b|\bno\b|\bnever\b|\bnobody\b|\bisn't\b|\bwasn't\b|\bdon't\b|\bdidn't\b|\bhaven't\b|\bwithout\b)[^。！？!?.,，;；]{0,12}$/i

function cueMatches(cue: Cue, text: string): boolean {
  const pattern = globalRegExp(cue.pattern)
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    if (match[0].length === 0) {
      pattern.lastIndex++
      continue
    }
    if (!cue.negatable) return true
    const before = text.slice(Math.max(0, match.index - 20), match.index)
    if (!NEGATION_BEFORE.test(before)) return true
  }
  return false
}

/** Ties go to the category whose mistakes cost most: a missed fraud report is worse than a misrouted refund. */
const TIE_ORDER: MessageCategory[] = ['fraud', 'kyc', 'withdrawal', 'refund', 'transaction', 'account', 'other']

/**
 * Category, urgency and the cues behind them. Stolen accounts, unauthorised payments, scams and phishing reports
 * are urgent, also when the customer files them as a refund request.
 */
export function classifyMessage(input: { subject: string; text: string }): Classification {
  // Customers say what is wrong early; a long tail (newsletters, pasted statements, forwarded threads) mostly adds
  // noise: on the SpamAssassin ham corpus, whole-body scoring flagged newsletters about fraud as urgent.
  const text = input.text.slice(0, MAX_TEXT_CHARS)
  const scores = new Map<MessageCategory, number>()
  const matched: Array<{ cue: Cue; score: number }> = []
  for (const cue of CUES) {
    const score =
      (cueMatches(cue, input.subject) ? cue.weight * SUBJECT_WEIGHT : 0) + (cueMatches(cue, text) ? cue.weight : 0)
    if (score === 0) continue
    matched.push({ cue, score })
    scores.set(cue.category, (scores.get(cue.category) ?? 0) + score)
  }
  const urgent = matched.some(({ cue }) => cue.urgent === true)
  // Someone else acting on the customer's money is a fraud case however it was filed ("refund this charge I never
  // made"): the security queue must see it first.
  let category: MessageCategory = urgent ? 'fraud' : 'other'
  let best = 0
  if (!urgent) {
    for (const candidate of TIE_ORDER) {
      const score = scores.get(candidate) ?? 0
      if (score > best) {
        best = score
        category = candidate
      }
    }
    if (best < MIN_SCORE) category = 'other'
  }
  return {
    category,
    urgency: urgent || category === 'fraud' ? 'urgent' : 'normal',
    signals: matched.sort((a, b) => b.score - a.score).map(({ cue }) => `${cue.category}:${cue.name}`),
  }
}
