import type { AttachmentLimits, RefusalReason } from './attachment-limits.ts'

export type NoticeLanguage = 'zh-CN' | 'en'

/** A file the customer sent that agents will not see as it was sent. */
export interface NoticeItem {
  filename: string
  reason: RefusalReason | 'quarantined'
}

function formatMegabytes(bytes: number): string {
  const mb = bytes / (1024 * 1024)
  return `${Number.isInteger(mb) ? mb : mb.toFixed(1)} MB`
}

const TEXT: Record<NoticeLanguage, { intro: string; outro: string; reasons: Record<NoticeItem['reason'], (l: AttachmentLimits) => string>; sep: string }> = {
  en: {
    intro: 'We received your message, but could not accept some of its attachments:',
    outro:
      'Screenshots as PNG or JPEG images and documents as PDF reach us best. OKPay staff will never ask you to send passwords, PINs or verification codes.',
    sep: ': ',
    reasons: {
      too_many: (l) => `more than ${l.maxCount} attachments in one message`,
      file_too_large: (l) => `larger than ${formatMegabytes(l.maxFileBytes)}`,
      total_too_large: (l) => `the attachments together are larger than ${formatMegabytes(l.maxTotalBytes)}`,
      quarantined: () => 'this type of file can carry harmful content, so it was set aside for our security team',
    },
  },
  'zh-CN': {
    intro: '我们已收到您的邮件，但以下附件未能接收：',
    outro: '截图请使用 PNG 或 JPEG 图片，文档请使用 PDF。OKPay 工作人员绝不会要求您提供密码、PIN 码或验证码。',
    sep: '：',
    reasons: {
      too_many: (l) => `单封邮件的附件超过 ${l.maxCount} 个`,
      file_too_large: (l) => `文件超过 ${formatMegabytes(l.maxFileBytes)}`,
      total_too_large: (l) => `附件总大小超过 ${formatMegabytes(l.maxTotalBytes)}`,
      quarantined: () => '此类文件可能含有有害内容，已转交我们的安全团队',
    },
  },
}

/** A file name as it may appear in mail to the customer: no control characters or line breaks, bounded length. */
function displayName(filename: string): string {
  const clean = filename.replace(/[\p{Cc}\p{Cf}\u2028\u2029]/gu, '').trim() || 'attachment'
  return clean.length > 80 ? `${clean.slice(0, 77)}...` : clean
}

/**
 * The paragraph the acknowledgement carries when attachments were refused or quarantined, listing each
 * file and why; undefined when there is nothing to say.
 */
export function attachmentNoticeText(items: readonly NoticeItem[], limits: AttachmentLimits, language: NoticeLanguage): string | undefined {
  if (items.length === 0) return undefined
  const t = TEXT[language]
  const lines = items.map((item) => `- ${displayName(item.filename)}${t.sep}${t.reasons[item.reason](limits)}`)
  return [t.intro, ...lines, '', t.outro].join('\n')
}
