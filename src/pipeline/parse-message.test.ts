import { describe, expect, it } from 'vitest'
import { readEmailFixture } from '../../test/helpers/fixtures.ts'
import { NotAnEmailError } from '../errors.ts'
import { MAX_BODY_CHARS, parseMessage, type ParseLimits } from './parse-message.ts'

const limits: ParseLimits = { maxAttachments: 20, maxAttachmentBytes: 10 * 1024 * 1024 }

interface FixtureExpectation {
  file: string
  behaviour: string
  subject: string
  from: { address: string; name: string }
  /** Snippets the plain text must contain; undefined means no plain text at all. */
  text: string[] | undefined
  html?: string[]
  /** [filename, contentType, disposition, byteLength, contentId?] */
  attachments: Array<[string, string, 'attachment' | 'inline', number, string?]>
  warnings: string[]
}

// One behaviour per fixture (test/fixtures/emails), written the way the named client writes mail.
const FIXTURES: FixtureExpectation[] = [
  {
    file: 'outlook16-related-winmail.eml',
    behaviour: 'Outlook 16: related+alternative GB2312 body, inline image, winmail.dat replaced by the files inside it',
    subject: '十一月发票',
    from: { address: 'li.xiang@contoso-trade.cn', name: '李翔' },
    text: ['您好，附件是十一月的发票。'],
    html: ['<img src="cid:image001.png@01DB3E2A.5C1E7A80">'],
    attachments: [
      ['image001.png', 'image/png', 'inline', 67, '<image001.png@01DB3E2A.5C1E7A80>'],
      ['发票 2026-11.pdf', 'application/pdf', 'attachment', 735],
      ['notes.txt', 'text/plain', 'attachment', 14],
    ],
    warnings: [],
  },
  {
    file: 'outlook-rich-text-winmail-only.eml',
    behaviour: 'Outlook Rich Text: the body and the attachment exist only inside winmail.dat',
    subject: '合同',
    from: { address: 'zhou.min@contoso-trade.cn', name: '周敏' },
    text: ['请查收附件中的合同。'],
    attachments: [['合同 v2.docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'attachment', 64]],
    warnings: [],
  },
  {
    file: 'outlook-winmail-corrupt.eml',
    behaviour: 'a truncated winmail.dat is kept as it is, with a warning',
    subject: 'Truncated winmail',
    from: { address: 'ops@contoso.example', name: 'Ops' },
    text: ['See attachment.'],
    attachments: [['winmail.dat', 'application/ms-tnef', 'attachment', 300]],
    warnings: ['TNEF_UNREADABLE'],
  },
  {
    file: 'gmail-alternative.eml',
    behaviour: 'Gmail multipart/alternative with quoted-printable UTF-8 and a Q-encoded subject',
    subject: 'Transferencia no recibida – pedido nº 4471',
    from: { address: 'maria.garcia.1987@gmail.com', name: 'Maria Garcia' },
    text: ['Hola, envié 250,00 € el lunes y todavía no aparece en mi cuenta.\nGracias,\nMaría'],
    html: ['<div dir="ltr">Hola, envié 250,00 €'],
    attachments: [],
    warnings: [],
  },
  {
    file: 'apple-mail-qp.eml',
    behaviour: 'Apple Mail single-part quoted-printable with a soft break and a decomposed accent (NFD) in the subject, composed to NFC',
    subject: 'Réclamation paiement',
    from: { address: 'f.dupre@icloud.com', name: 'François Dupré' },
    text: ['apparaît deux fois sur mon relevé bancaire, pouvez-vous vérifier ?'],
    attachments: [],
    warnings: [],
  },
  {
    file: 'thunderbird-flowed.eml',
    behaviour: 'Thunderbird format=flowed 8bit: soft-wrapped lines join, the signature separator stays',
    subject: 'Konto gesperrt',
    from: { address: 'juergen.mueller@posteo.de', name: 'Jürgen Müller' },
    text: ['gesperrt und ich kann keine Überweisungen mehr ausführen.\n\n-- \nJürgen'],
    attachments: [],
    warnings: [],
  },
  {
    file: 'foxmail-gbk-raw-subject.eml',
    behaviour: 'Foxmail: raw GBK bytes in Subject and the From display name, no RFC 2047',
    subject: '关于提现未到账的问题',
    from: { address: 'xiaoming.wang@foxmail.com', name: '王小明' },
    text: ['你好，我昨天提现500元，至今未到账。\r\n订单号：20261123001'],
    html: ['<div>你好，我昨天提现500元，至今未到账。</div>'],
    attachments: [],
    warnings: ['HEADER_8BIT_DECODED'],
  },
  {
    file: 'foxmail-gbk-raw-filename.eml',
    behaviour: 'Foxmail: raw GBK attachment name in the part headers',
    subject: '对账单',
    from: { address: 'xiaoming.wang@foxmail.com', name: '王小明' },
    text: ['附件是对账单。'],
    attachments: [['对账单.xls', 'application/octet-stream', 'attachment', 128]],
    warnings: ['HEADER_8BIT_DECODED'],
  },
  {
    file: 'qqmail-gb18030.eml',
    behaviour: 'QQ Mail GB18030, including a four-byte sequence (emoji) outside GBK',
    subject: '余额异常 😀',
    from: { address: '123456789@qq.com', name: '陈静' },
    text: ['您好，我的账户显示余额异常 😀，请帮忙核实。'],
    html: ['<div>您好，我的账户显示余额异常 😀，请帮忙核实。</div>'],
    attachments: [],
    warnings: [],
  },
  {
    file: 'big5-taiwan-outlook-express.eml',
    behaviour: 'Big5 from a Taiwan Outlook Express: B-encoded headers, quoted-printable body',
    subject: '帳戶無法登入',
    from: { address: 'chihming.lin@hinet.example.tw', name: '林志明' },
    text: ['您好，我的帳戶從昨天開始無法登入，請協助處理。\n謝謝'],
    attachments: [],
    warnings: [],
  },
  {
    file: 'iso-2022-jp.eml',
    behaviour: 'ISO-2022-JP headers and 7bit body',
    subject: '送金の確認について',
    from: { address: 'taro.yamada@example.co.jp', name: '山田太郎' },
    text: ['お世話になっております。\n先日の送金がまだ反映されていません。'],
    attachments: [],
    warnings: [],
  },
  {
    file: 'ks-c-5601-korean.eml',
    behaviour: "Outlook's ks_c_5601-1987 label decodes as Korean",
    subject: '결제 오류 문의',
    from: { address: 'minsu.kim@example.kr', name: '김민수' },
    text: ['안녕하세요, 결제가 두 번 되었습니다.'],
    attachments: [],
    warnings: [],
  },
  {
    file: 'mislabelled-us-ascii-gbk.eml',
    behaviour: 'GBK text labelled us-ascii and an x-unknown encoded word are sniffed as GB18030',
    subject: '退款进度查询',
    from: { address: 'bulk@example.cn', name: '' },
    text: ['请问我的退款什么时候到账？'],
    attachments: [],
    warnings: ['CHARSET_FALLBACK', 'CHARSET_FALLBACK'],
  },
  {
    file: 'utf7-body.eml',
    behaviour: 'UTF-7 (unicode-1-1-utf-7) body and encoded word',
    subject: 'Price £1',
    from: { address: 'old@example.com', name: '' },
    text: ['Hi Mom -☺-!'],
    attachments: [],
    warnings: ['CHARSET_FALLBACK'],
  },
  {
    file: 'rfc2231-continued-filenames.eml',
    behaviour: "RFC 2231 continued, charset-encoded filenames (filename*0*=gb2312''…)",
    subject: 'Payment proof',
    from: { address: 'zhao.lei@example.cn', name: 'Zhao Lei' },
    text: ['Two attachments.'],
    attachments: [
      ['付款凭证.pdf', 'application/pdf', 'attachment', 735],
      ['明细 表.csv', 'text/csv', 'attachment', 31],
    ],
    warnings: [],
  },
  {
    file: 'encoded-word-split-subject.eml',
    behaviour: 'an encoded-word subject folded across lines with a UTF-8 character split between the words',
    subject: '提现申请被拒绝了怎么办',
    from: { address: 'user@example.com', name: '' },
    text: ['body'],
    attachments: [],
    warnings: [],
  },
  {
    file: 'qp-soft-breaks.eml',
    behaviour: 'quoted-printable soft line breaks, including one inside a UTF-8 sequence',
    subject: 'Soft breaks',
    from: { address: 'long@example.com', name: '' },
    text: ['break it with a soft line break, and the word transaction must come out whole. Café too.'],
    attachments: [],
    warnings: [],
  },
  {
    file: 'base64-bad-padding.eml',
    behaviour: 'base64 without its padding, split at an odd place',
    subject: 'Bad base64',
    from: { address: 'bad@example.com', name: '' },
    text: ['See log.'],
    attachments: [['log.txt', 'text/plain', 'attachment', 55]],
    warnings: [],
  },
  {
    file: '8bit-body-without-cte.eml',
    behaviour: 'raw UTF-8 body with neither Content-Transfer-Encoding nor charset',
    subject: 'No transfer encoding',
    from: { address: 'raw@example.com', name: '' },
    text: ['Zahlung über 50 € fehlt — 请尽快处理'],
    attachments: [],
    warnings: [],
  },
  {
    file: 'missing-boundary-end.eml',
    behaviour: 'a multipart whose closing boundary never comes still yields its parts',
    subject: 'Cut off',
    from: { address: 'cut@example.com', name: '' },
    text: ['The message was cut off in transit.'],
    attachments: [['part.bin', 'application/octet-stream', 'attachment', 64]],
    warnings: [],
  },
  {
    file: 'forwarded-rfc822.eml',
    behaviour: 'a forwarded message/rfc822 with GB2312 text and its own attachment',
    subject: 'Fwd: complaint',
    from: { address: 'fwd@example.com', name: 'Agent Forwarder' },
    text: ["Forwarding the customer's original mail below.", 'From:    客户 <kehu@example.cn>', 'Subject: 原始投诉', '我被重复扣款了两次。'],
    attachments: [['screenshot.jpg', 'image/jpeg', 'attachment', 102]],
    warnings: [],
  },
  {
    file: 'inline-image-cid.eml',
    behaviour: 'an inline image referenced by Content-ID from the HTML; the only body is HTML, its visible text is the text',
    subject: 'Screenshot of the error',
    from: { address: 'designer@example.com', name: '' },
    text: ['The app shows this:'],
    html: ['<img src="cid:err-shot@example.com">'],
    attachments: [['error.png', 'image/png', 'inline', 67, '<err-shot@example.com>']],
    warnings: [],
  },
  {
    file: 'empty-body.eml',
    behaviour: 'an empty body',
    subject: '(no text)',
    from: { address: 'empty@example.com', name: '' },
    text: undefined,
    attachments: [],
    warnings: [],
  },
  {
    file: 'only-attachment.eml',
    behaviour: 'a message that is nothing but a PDF',
    subject: 'Scanned document',
    from: { address: 'scanner@example.com', name: '' },
    text: undefined,
    attachments: [['scan0001.pdf', 'application/pdf', 'attachment', 735]],
    warnings: [],
  },
]

describe('parseMessage on client fixtures', () => {
  for (const fixture of FIXTURES) {
    it(`${fixture.file}: ${fixture.behaviour}`, async () => {
      const parsed = await parseMessage(readEmailFixture(fixture.file), limits)
      expect(parsed.subject).toBe(fixture.subject)
      expect(parsed.from).toEqual(fixture.from)
      if (fixture.text === undefined) expect(parsed.text ?? '').toBe('')
      for (const snippet of fixture.text ?? []) expect(parsed.text).toContain(snippet)
      for (const snippet of fixture.html ?? []) expect(parsed.html).toContain(snippet)
      expect(parsed.text ?? '').not.toContain('\uFFFD')
      expect(
        parsed.attachments.map((a) => [a.filename, a.contentType, a.disposition, a.content.byteLength, ...(a.contentId ? [a.contentId] : [])]),
      ).toEqual(fixture.attachments)
      expect(parsed.warnings.map((w) => w.code)).toEqual(fixture.warnings)
    })
  }
})

describe('parseMessage details', () => {
  it('names the labels in a charset fallback warning', async () => {
    const parsed = await parseMessage(readEmailFixture('mislabelled-us-ascii-gbk.eml'), limits)
    expect(parsed.warnings).toEqual([
      { code: 'CHARSET_FALLBACK', detail: 'encoded words relabelled: x-unknown → gb18030' },
      { code: 'CHARSET_FALLBACK', detail: 'charset "us-ascii" with 8-bit bytes; decoded as gb18030' },
    ])
  })

  it('says how many raw 8-bit header lines it decoded, and as what', async () => {
    const parsed = await parseMessage(readEmailFixture('foxmail-gbk-raw-filename.eml'), limits)
    expect(parsed.warnings).toEqual([{ code: 'HEADER_8BIT_DECODED', detail: '4 header lines decoded as gb18030' }])
  })

  it('keeps the Message-ID of an Outlook message normalized', async () => {
    const parsed = await parseMessage(readEmailFixture('outlook16-related-winmail.eml'), limits)
    expect(parsed.messageId).toBe('<SG2PR06MB1234C0FFEE1234@SG2PR06MB1234.apcprd06.prod.outlook.com>')
    expect(parsed.sentAt?.toISOString()).toBe('2026-11-24T09:12:31.000Z')
  })

  it('applies the attachment count limit to files unpacked from winmail.dat', async () => {
    const parsed = await parseMessage(readEmailFixture('outlook16-related-winmail.eml'), { maxAttachments: 2, maxAttachmentBytes: 1024 })
    expect(parsed.attachments.map((a) => a.filename)).toEqual(['image001.png', '发票 2026-11.pdf'])
    expect(parsed.warnings.map((w) => w.code)).toEqual(['ATTACHMENT_COUNT_LIMIT'])
  })

  it('decodes Latin-1 text declared as ISO-8859-1 as Latin-1, not as Chinese', async () => {
    const raw = Buffer.concat([
      Buffer.from('From: a@example.de\r\nSubject: x\r\nContent-Type: text/plain; charset=iso-8859-1\r\n\r\n'),
      Buffer.from('Grüße aus München, die Zahlung für März fehlt.\r\n', 'latin1'),
    ])
    const parsed = await parseMessage(raw, limits)
    expect(parsed.text).toBe('Grüße aus München, die Zahlung für März fehlt.\n')
    expect(parsed.warnings).toEqual([])
  })

  it('cuts a body over a million characters for the ticket and attaches the whole of it', async () => {
    const line = '退款还没到账 refund not received\r\n'
    const body = line.repeat(Math.ceil(1_200_000 / line.length))
    const raw = Buffer.from(`From: a@customer.example\r\nSubject: long\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n${body}`)
    const parsed = await parseMessage(raw, limits)
    const text = body.replace(/\r\n/g, '\n') // as the parser gives text bodies
    expect(parsed.text?.length).toBe(MAX_BODY_CHARS)
    expect(parsed.text === text.slice(0, MAX_BODY_CHARS)).toBe(true)
    const whole = parsed.attachments.find((a) => a.filename === 'message-text.txt')
    expect(whole?.contentType).toBe('text/plain')
    expect(Buffer.from(whole?.content ?? []).toString('utf8') === text).toBe(true)
    expect(parsed.warnings).toContainEqual({ code: 'BODY_TRUNCATED', detail: `text body of ${text.length} characters cut at 1000000; the whole body is attached as message-text.txt` })
    // Over the attachment limit, the raw message keeps it.
    const small = await parseMessage(raw, { maxAttachments: 20, maxAttachmentBytes: 1024 })
    expect(small.attachments).toEqual([])
    expect(small.warnings.find((w) => w.code === 'BODY_TRUNCATED')?.detail).toMatch(/the whole body is in the raw message only/)
  })

  it('rejects input that is not an email with NotAnEmailError', async () => {
    await expect(parseMessage(new Uint8Array(0), limits)).rejects.toBeInstanceOf(NotAnEmailError)
    await expect(parseMessage(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00]), limits)).rejects.toBeInstanceOf(NotAnEmailError)
  })
})
