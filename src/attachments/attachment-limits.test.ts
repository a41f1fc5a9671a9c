import { describe, expect, it } from 'vitest'
import { applyAttachmentLimits } from './attachment-limits.ts'
import { attachmentNoticeText } from './attachment-notice.ts'

const MiB = 1024 * 1024
const limits = { maxCount: 3, maxFileBytes: 10 * MiB, maxTotalBytes: 15 * MiB }

describe('applyAttachmentLimits', () => {
  it('refuses a file over the per-file limit and keeps the files after it', () => {
    const files = [
      { filename: 'video.mp4', sizeBytes: 11 * MiB },
      { filename: 'a.png', sizeBytes: 1 * MiB },
    ]
    expect(applyAttachmentLimits(files, limits)).toEqual({
      acceptedIndexes: [1],
      refused: [{ index: 0, filename: 'video.mp4', sizeBytes: 11 * MiB, reason: 'file_too_large' }],
    })
  })

  it('refuses files past the count, and files that would push the total over', () => {
    const files = [
      { filename: 'a.png', sizeBytes: 8 * MiB },
      { filename: 'b.png', sizeBytes: 8 * MiB },
      { filename: 'c.png', sizeBytes: 1 * MiB },
      { filename: 'd.png', sizeBytes: 1 * MiB },
      { filename: 'e.png', sizeBytes: 1 * MiB },
    ]
    expect(applyAttachmentLimits(files, limits)).toEqual({
      acceptedIndexes: [0, 2, 3],
      refused: [
        { index: 1, filename: 'b.png', sizeBytes: 8 * MiB, reason: 'total_too_large' },
        { index: 4, filename: 'e.png', sizeBytes: 1 * MiB, reason: 'too_many' },
      ],
    })
  })
})

describe('attachmentNoticeText', () => {
  const items = [
    { filename: 'video.mp4', reason: 'file_too_large' as const },
    { filename: 'invoice.exe', reason: 'quarantined' as const },
    { filename: 'e.png', reason: 'too_many' as const },
  ]

  it('lists each refused file and why, in English', () => {
    expect(attachmentNoticeText(items, limits, 'en')).toBe(
      [
        'We received your message, but could not accept some of its attachments:',
        '- video.mp4: larger than 10 MB',
        '- invoice.exe: this type of file can carry harmful content, so it was set aside for our security team',
        '- e.png: more than 3 attachments in one message',
        '',
        'Screenshots as PNG or JPEG images and documents as PDF reach us best. OKPay staff will never ask you to send passwords, PINs or verification codes.',
      ].join('\n'),
    )
  })

  it('lists each refused file and why, in Chinese', () => {
    expect(attachmentNoticeText(items, limits, 'zh-CN')).toBe(
      [
        '我们已收到您的邮件，但以下附件未能接收：',
        '- video.mp4：文件超过 10 MB',
        '- invoice.exe：此类文件可能含有有害内容，已转交我们的安全团队',
        '- e.png：单封邮件的附件超过 3 个',
        '',
        '截图请使用 PNG 或 JPEG 图片，文档请使用 PDF。OKPay 工作人员绝不会要求您提供密码、PIN 码或验证码。',
      ].join('\n'),
    )
  })

  it('says nothing when nothing was refused', () => {
    expect(attachmentNoticeText([], limits, 'en')).toBeUndefined()
  })

  it('strips line breaks a sender put into a file name', () => {
    const text = attachmentNoticeText([{ filename: 'a\r\nb.exe', reason: 'quarantined' }], limits, 'en')
    expect(text?.split('\n')[1]).toBe('- ab.exe: this type of file can carry harmful content, so it was set aside for our security team')
  })
})
