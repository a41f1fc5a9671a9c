import type { Language } from '../brand.ts'

type Params = Record<string, string>
type Message = (p: Params) => string

/**
 * Customer-facing verifier reasons, keyed by stable code. Codes never change meaning; messages may be reworded.
 * Parameters are values the customer typed or the message contained (domains, hosts), never secrets.
 */
const REASONS = {
  official_domain: {
    en: (p) => `${p.domain} is an official ${p.brand} domain.`,
    'zh-CN': (p) => `${p.domain} 是 ${p.brand} 的官方域名。`,
  },
  official_address: {
    en: (p) => `${p.address} is an official ${p.brand} address.`,
    'zh-CN': (p) => `${p.address} 是 ${p.brand} 的官方邮箱地址。`,
  },
  official_hotline: {
    en: (p) => `${p.number} is the official ${p.brand} hotline: ${p.label}.`,
    'zh-CN': (p) => `${p.number} 是 ${p.brand} 的官方热线：${p.labelZh}。`,
  },
  other_tld: {
    en: (p) => `${p.domain} uses the ${p.brand} name with a different ending; the only official domain is ${p.official}.`,
    'zh-CN': (p) => `${p.domain} 使用了 ${p.brand} 的名字，但后缀不同；官方域名只有 ${p.official}。`,
  },
  lookalike_homoglyph: {
    en: (p) => `${p.domain} is made of look-alike characters to imitate ${p.official}.`,
    'zh-CN': (p) => `${p.domain} 用外形相似的字符冒充 ${p.official}。`,
  },
  idn_punycode: {
    en: (p) => `The address is an international (punycode) name that displays as "${p.unicode}".`,
    'zh-CN': (p) => `该地址是国际化域名（punycode），显示为“${p.unicode}”。`,
  },
  mixed_script: {
    en: (p) => `"${p.label}" mixes letters from different alphabets (${p.scripts}), a common disguise.`,
    'zh-CN': (p) => `“${p.label}”混用了不同文字的字母（${p.scripts}），这是常见的伪装手法。`,
  },
  typo_lookalike: {
    en: (p) => `${p.domain} differs from ${p.official} by one small change (${p.familyEn}), a typical fake.`,
    'zh-CN': (p) => `${p.domain} 与 ${p.official} 只差一处（${p.familyZh}），是典型的仿冒域名。`,
  },
  brand_with_words: {
    en: (p) => `${p.domain} combines the ${p.brand} name with other words; ${p.brand} does not use such domains.`,
    'zh-CN': (p) => `${p.domain} 把 ${p.brand} 的名字和其他词拼在一起；${p.brand} 不使用这类域名。`,
  },
  brand_in_subdomain: {
    en: (p) => `The address really belongs to ${p.domain}; "${p.subdomain}" in front of it is only decoration.`,
    'zh-CN': (p) => `该地址实际属于 ${p.domain}；前面的“${p.subdomain}”只是伪装。`,
  },
  url_userinfo: {
    en: (p) => `The link hides its real destination: everything before "@" is ignored, it goes to ${p.host}.`,
    'zh-CN': (p) => `该链接隐藏了真实去向：“@”之前的内容会被忽略，实际打开的是 ${p.host}。`,
  },
  brand_in_local_part: {
    en: (p) => `${p.address} puts the ${p.brand} name before the @, but the mailbox belongs to ${p.domain}.`,
    'zh-CN': (p) => `${p.address} 在 @ 前面写了 ${p.brand}，但邮箱实际属于 ${p.domain}。`,
  },
  freemail_brand: {
    en: (p) => `${p.brand} never writes from free mail services such as ${p.domain}.`,
    'zh-CN': (p) => `${p.brand} 从不使用 ${p.domain} 等免费邮箱发信。`,
  },
  raw_ip_host: {
    en: (p) => `The link goes to a bare IP address (${p.host}) instead of a named site.`,
    'zh-CN': (p) => `该链接指向一个裸 IP 地址（${p.host}），而不是正规网站。`,
  },
  redirector_unwrapped: {
    en: (p) => `The link passes through ${p.host} and ends at ${p.target}.`,
    'zh-CN': (p) => `该链接经过 ${p.host} 跳转，最终打开 ${p.target}。`,
  },
  opaque_redirector: {
    en: (p) => `The link is shortened by ${p.host}, so its real destination cannot be seen.`,
    'zh-CN': (p) => `该链接经过 ${p.host} 缩短，无法看出真实去向。`,
  },
  unrelated_domain: {
    en: (p) => `${p.domain} does not belong to ${p.brand}.`,
    'zh-CN': (p) => `${p.domain} 不属于 ${p.brand}。`,
  },
  unknown_tld: {
    en: (p) => `${p.domain} does not end in a public domain ending, so it cannot be checked.`,
    'zh-CN': (p) => `${p.domain} 的后缀不是公共域名后缀，无法核实。`,
  },
  phone_not_hotline: {
    en: (p) => `${p.number} is not an official ${p.brand} hotline; the official numbers are ${p.hotlines}.`,
    'zh-CN': (p) => `${p.number} 不是 ${p.brand} 的官方热线；官方号码是 ${p.hotlines}。`,
  },
  unparsable_input: {
    en: () => 'This is not an email address, website, link or phone number we can check.',
    'zh-CN': () => '无法识别为可核实的邮箱地址、网址、链接或电话号码。',
  },
  not_an_email: {
    en: () => 'The file is not an email message.',
    'zh-CN': () => '该文件不是电子邮件。',
  },
  from_missing: {
    en: () => 'The email has no sender (From) address.',
    'zh-CN': () => '该邮件没有发件人（From）地址。',
  },
  from_duplicate: {
    en: () => 'The email has more than one sender (From) line, a trick to show one sender and use another.',
    'zh-CN': () => '该邮件有多个发件人（From）行，这是显示一个发件人、实际用另一个的伎俩。',
  },
  from_malformed: {
    en: () => 'The sender (From) line is malformed.',
    'zh-CN': () => '发件人（From）行格式异常。',
  },
  display_name_brand: {
    en: (p) => `The sender calls itself "${p.name}" but writes from ${p.domain}, which is not ${p.brand}.`,
    'zh-CN': (p) => `发件人自称“${p.name}”，实际却来自 ${p.domain}，不是 ${p.brand}。`,
  },
  display_name_official_address: {
    en: (p) => `The sender name shows the official address ${p.address}, but the mail really comes from ${p.domain}.`,
    'zh-CN': (p) => `发件人名称显示官方地址 ${p.address}，但邮件实际来自 ${p.domain}。`,
  },
  reply_to_other_domain: {
    en: (p) => `Replies would go to ${p.domain}, not to the sender's domain.`,
    'zh-CN': (p) => `回复会发往 ${p.domain}，而不是发件人的域名。`,
  },
  official_from_authenticated: {
    en: (p) => `The message is signed by ${p.domain} (DKIM) and the signature is valid.`,
    'zh-CN': (p) => `该邮件带有 ${p.domain} 的有效签名（DKIM）。`,
  },
  official_from_unauthenticated: {
    en: (p) => `The sender claims to be ${p.domain}, but the message does not carry ${p.brand}'s valid signature; genuine ${p.brand} mail always does.`,
    'zh-CN': (p) => `发件人自称 ${p.domain}，但邮件没有 ${p.brand} 的有效签名；真正的 ${p.brand} 邮件一定带有签名。`,
  },
  authentication_not_checked: {
    en: (p) => `The signature of this message was not checked, so it cannot be confirmed as ${p.brand} mail.`,
    'zh-CN': (p) => `未检查该邮件的签名，因此无法确认来自 ${p.brand}。`,
  },
  sender_lookalike: {
    en: (p) => `The sender's domain ${p.domain} imitates ${p.brand}.`,
    'zh-CN': (p) => `发件人域名 ${p.domain} 在冒充 ${p.brand}。`,
  },
  brand_claimed_in_content: {
    en: (p) => `The message presents itself as ${p.brand} but does not come from ${p.brand}.`,
    'zh-CN': (p) => `该邮件自称来自 ${p.brand}，但并非 ${p.brand} 发出。`,
  },
  requests_credentials: {
    en: (p) => `It asks for your ${p.whatEn}. ${p.brand} never asks for passwords, PINs, verification codes, card numbers or CVV.`,
    'zh-CN': (p) => `邮件索要您的${p.whatZh}。${p.brand} 绝不会索要密码、支付密码、验证码、卡号或 CVV。`,
  },
  urgency_language: {
    en: () => 'It pressures you to act immediately or threatens to close or freeze your account.',
    'zh-CN': () => '邮件催促您立即行动，或威胁冻结、关闭您的账户。',
  },
  link_text_mismatch: {
    en: (p) => `A link shows ${p.shown} but actually opens ${p.host}.`,
    'zh-CN': (p) => `有一个链接显示为 ${p.shown}，实际打开的却是 ${p.host}。`,
  },
  link_lookalike: {
    en: (p) => `A link goes to ${p.host}, which imitates ${p.brand}.`,
    'zh-CN': (p) => `有一个链接指向 ${p.host}，该网站在冒充 ${p.brand}。`,
  },
  link_raw_ip: {
    en: (p) => `A link goes to a bare IP address (${p.host}).`,
    'zh-CN': (p) => `有一个链接指向裸 IP 地址（${p.host}）。`,
  },
  link_non_official: {
    en: (p) => `A link goes to ${p.host}, which is not a ${p.brand} site.`,
    'zh-CN': (p) => `有一个链接指向 ${p.host}，不是 ${p.brand} 的网站。`,
  },
  link_opaque: {
    en: (p) => `A link is shortened by ${p.host}, so its real destination cannot be seen.`,
    'zh-CN': (p) => `有一个链接经过 ${p.host} 缩短，无法看出真实去向。`,
  },
  code_notice_only: {
    en: () => 'The message gives you a code and tells you not to share it; it does not ask you for it.',
    'zh-CN': () => '邮件向您提供验证码并提醒不要告诉他人，并没有向您索要。',
  },
} satisfies Record<string, Record<Language, Message>>

export type VerifierReasonCode = keyof typeof REASONS

function isReasonCode(code: string): code is VerifierReasonCode {
  return code in REASONS
}

/** Every reason code, in catalogue order (docs/verifier.md lists them). */
export const VERIFIER_REASON_CODES: VerifierReasonCode[] = Object.keys(REASONS).filter(isReasonCode)

/** Puts a verifier reason into words in the requested language. */
export function verifierReasonMessage(code: VerifierReasonCode, language: Language, params: Params = {}): string {
  return REASONS[code][language](params)
}

/** Names of typo families, for typo_lookalike. */
export const TYPO_FAMILY_NAMES: Record<string, Record<Language, string>> = {
  omission: { en: 'a letter left out', 'zh-CN': '少了一个字母' },
  repetition: { en: 'a letter doubled', 'zh-CN': '重复了一个字母' },
  transposition: { en: 'two letters swapped', 'zh-CN': '两个字母互换' },
  insertion: { en: 'a letter added', 'zh-CN': '多了一个字母' },
  bitflip: { en: 'one letter changed (bit-flip)', 'zh-CN': '一个字母被改动（比特翻转）' },
  keyboard: { en: 'a neighbouring key', 'zh-CN': '换成了键盘上相邻的键' },
  vowel_swap: { en: 'a vowel changed', 'zh-CN': '换了一个元音字母' },
  replacement: { en: 'one letter replaced', 'zh-CN': '替换了一个字母' },
  hyphenation: { en: 'a hyphen added', 'zh-CN': '加了连字符' },
}

/** What a message asked for, for requests_credentials. */
export const CREDENTIAL_NAMES: Record<string, Record<Language, string>> = {
  password: { en: 'password', 'zh-CN': '密码' },
  pin: { en: 'PIN or payment password', 'zh-CN': '支付密码/PIN' },
  otp: { en: 'verification code', 'zh-CN': '验证码' },
  card: { en: 'card number', 'zh-CN': '银行卡号' },
  cvv: { en: 'CVV', 'zh-CN': 'CVV 安全码' },
  identity: { en: 'ID card details', 'zh-CN': '身份证信息' },
}

/** The verdict in a few words, for the CLI and the public page. */
export const VERDICT_TITLES: Record<'official' | 'impersonation' | 'not_official' | 'unknown', Record<Language, string>> = {
  official: { en: 'Genuine: this is {brand}', 'zh-CN': '真实：这是 {brand} 官方' },
  impersonation: { en: 'Fake: someone is pretending to be {brand}', 'zh-CN': '假冒：有人在冒充 {brand}' },
  not_official: { en: 'Not {brand}', 'zh-CN': '不是 {brand}' },
  unknown: { en: 'Cannot confirm', 'zh-CN': '无法确认' },
}

/** What the customer should do next, per verdict. */
export const VERDICT_ADVICE: Record<'official' | 'impersonation' | 'not_official' | 'unknown', Record<Language, string>> = {
  official: {
    en: 'This is an official {brand} channel. Still, {brand} never asks for your password, payment PIN, verification codes or CVV.',
    'zh-CN': '这是 {brand} 的官方渠道。但请记住，{brand} 绝不会索要您的密码、支付密码、验证码或 CVV。',
  },
  impersonation: {
    en: 'Do not click its links, reply, or give any codes or card details. If you already did, change your password and call the 24-hour fraud line {fraudLine}. Please report it to us.',
    'zh-CN': '请不要点击其中的链接、不要回复，也不要提供任何验证码或银行卡信息。如果已经提供，请立即修改密码并拨打 24 小时反欺诈专线 {fraudLine}。请向我们举报。',
  },
  not_official: {
    en: 'This does not belong to {brand}. If it claims to be {brand}, do not trust it and report it to us.',
    'zh-CN': '这不属于 {brand}。如果它自称是 {brand}，请不要相信，并向我们举报。',
  },
  unknown: {
    en: 'We cannot confirm it. Be careful: contact {brand} only through the official website or hotline, and never share codes or passwords.',
    'zh-CN': '我们无法确认。请谨慎：只通过官方网站或热线联系 {brand}，不要透露任何验证码或密码。',
  },
}

/** Words on the public /verify page. */
export const VERIFY_PAGE_STRINGS = {
  en: {
    title: 'Is it really {brand}?',
    intro: 'Paste an email address, website, link or phone number, or upload a suspicious email (.eml). We tell you whether it is really {brand}.',
    inputLabel: 'Email address, website, link or phone number',
    inputPlaceholder: 'e.g. support@okpay.com',
    check: 'Check',
    emlLabel: 'Or upload the email (.eml file, saved from your mail app)',
    checkEmail: 'Check the email',
    checked: 'You checked',
    checkedEmail: 'the email you uploaded',
    why: 'Why',
    next: 'What to do next',
    report: 'Report it to {brand} security',
    reportHint: 'Forward the suspicious message as an attachment to {address}.',
    officialChannels: 'Official channels',
    noFile: 'Choose a .eml file to upload.',
    tooLarge: 'The file is too large; the limit is {limit} MB.',
    uploadLimit: 'At most {limit} MB.',
    alsoReport: 'If it is fake, also report it to {brand} security',
    reported: 'Thank you. Your report reached {brand} security; it helps us take fake sites down.',
    reportLimited: 'We received many reports from your connection; this one was checked but not reported. Please try again later.',
    checksLimited: 'We checked many messages from your connection in the last few minutes. Please try again later.',
    codeLimited: 'We checked many verification codes from your connection in the last minute. Please wait a minute and try again.',
    notEmail: 'That file is not an email. Save the message from your mail app as .eml and upload that file.',
    tooLong: 'That is too long to be an address or link (at most 2,048 characters).',
    codeFound: 'Genuine {brand} email. The verification code {code} belongs to an email we sent on {date} to {recipient}, subject “{subject}”. If the email in front of you matches, it is really from us.',
    codeUnknown: 'We have no email with the verification code {code}. An email that shows this code is not from {brand}: do not click its links or reply, and report it to {security}.',
  },
  'zh-CN': {
    title: '真的是 {brand} 吗？',
    intro: '粘贴邮箱地址、网址、链接或电话号码，或上传可疑邮件（.eml），我们告诉您它是否真的来自 {brand}。',
    inputLabel: '邮箱地址、网址、链接或电话号码',
    inputPlaceholder: '例如 support@okpay.com',
    check: '查询',
    emlLabel: '或上传邮件（从邮件应用另存为 .eml 文件）',
    checkEmail: '鉴别这封邮件',
    checked: '您查询的是',
    checkedEmail: '您上传的邮件',
    why: '原因',
    next: '下一步怎么做',
    report: '向 {brand} 安全团队举报',
    reportHint: '请把可疑邮件作为附件转发到 {address}。',
    officialChannels: '官方渠道',
    noFile: '请选择要上传的 .eml 文件。',
    tooLarge: '文件太大，上限为 {limit} MB。',
    uploadLimit: '文件不超过 {limit} MB。',
    alsoReport: '如果是假冒的，同时向 {brand} 安全团队举报',
    reported: '感谢举报！我们已收到，这有助于我们关停假冒网站。',
    reportLimited: '您的网络提交次数过多，本次仅做了鉴别，未提交举报。请稍后再试。',
    checksLimited: '您的网络在几分钟内提交鉴别的邮件过多，请稍后再试。',
    codeLimited: '您的网络在一分钟内查询验证码的次数过多，请一分钟后再试。',
    notEmail: '该文件不是邮件。请在邮件应用中把邮件另存为 .eml 后再上传。',
    tooLong: '内容太长，不像地址或链接（最多 2048 个字符）。',
    codeFound: '这是 {brand} 的真实邮件。验证码 {code} 对应我们于 {date} 发送给 {recipient} 的邮件，主题为“{subject}”。如果您收到的邮件与此一致，它确实来自我们。',
    codeUnknown: '我们没有发送过验证码为 {code} 的邮件。显示此验证码的邮件并非来自 {brand}：请不要点击其中的链接或回复，并转发至 {security} 举报。',
  },
} satisfies Record<Language, Record<string, string>>
