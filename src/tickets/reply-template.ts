/** Built-in reply templates; admins can add more (reply_templates). Placeholders are filled per ticket. */
export const DEFAULT_REPLY_TEMPLATES = [
  {
    name: 'Ask for transaction details',
    language: 'en',
    body: 'Dear {{customer.name}},\n\nThank you for contacting {{brand.name}} about {{ticket.number}}. To look into this payment, please reply with the transaction ID, the amount and the time of the payment.\n\n{{brand.name}} will never ask for your password, PIN or verification codes.\n\nBest regards,\n{{agent.name}}',
  },
  {
    name: '索取交易信息',
    language: 'zh-CN',
    body: '{{customer.name}}，您好：\n\n感谢您就 {{ticket.number}} 联系{{brand.name}}。为了尽快核查这笔交易，请回复交易编号、金额和付款时间。\n\n{{brand.name}}绝不会向您索要密码、支付密码或验证码。\n\n{{agent.name}}',
  },
  {
    name: 'Resolved',
    language: 'en',
    body: 'Dear {{customer.name}},\n\nWe have resolved your request {{ticket.number}}. If anything is still unclear, simply reply to this email.\n\nBest regards,\n{{agent.name}}',
  },
  {
    name: '问题已解决',
    language: 'zh-CN',
    body: '{{customer.name}}，您好：\n\n您的请求 {{ticket.number}} 已处理完毕。如仍有疑问，直接回复此邮件即可。\n\n{{agent.name}}',
  },
] as const

/** Replaces {{name}} placeholders; unknown ones are left visible so the agent notices them. */
export function fillTemplate(body: string, values: Record<string, string>): string {
  return body.replace(/\{\{\s*([a-z.]+)\s*\}\}/gi, (whole, key: string) => values[key] ?? whole)
}
