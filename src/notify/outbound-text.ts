import type { Language } from '../brand.ts'
import { escapeHtml } from '../escape-html.ts'

// The few lines every genuine email carries, in the customer's language. They sit apart from the message body
// (written by an agent or by the acknowledgement templates) because they prove the mail is ours.

const TEXT: Record<Language, { antiPhishing: string; verify: string }> = {
  en: {
    antiPhishing: 'Your anti-phishing code: {code}',
    verify: 'Verify this email at {url}',
  },
  'zh-CN': {
    antiPhishing: '您的防钓鱼码：{code}',
    verify: '验证此邮件是否来自官方：{url}',
  },
}

export function antiPhishingLine(language: Language, code: string): string {
  return TEXT[language].antiPhishing.replace('{code}', code)
}

export function verifyLine(language: Language, url: string): string {
  return TEXT[language].verify.replace('{url}', url)
}

/** Plain text as HTML paragraphs, for agent replies written without HTML. */
export function textToHtml(text: string): string {
  return text
    .split(/\r?\n\s*\r?\n/)
    .map((p) => `<p>${escapeHtml(p).replace(/\r?\n/g, '<br>')}</p>`)
    .join('\n')
}
