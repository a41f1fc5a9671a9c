import { describe, expect, it } from 'vitest'
import { splitQuotedReply, type SplitReply } from './split-quoted-reply.ts'

const cases: Array<{ name: string; text: string; expected: SplitReply }> = [
  {
    name: 'no quote, no signature',
    text: 'My refund has not arrived.\n\nThanks',
    expected: { newText: 'My refund has not arrived.\n\nThanks', quoted: '', signature: '' },
  },
  {
    name: 'Gmail attribution on one line',
    text: [
      'The transaction ID is TX20261103001.',
      '',
      'On Tue, Nov 3, 2026 at 2:05 PM OKPay Support <support@okpay.com> wrote:',
      '> Could you send us the transaction ID?',
      '>',
    ].join('\n'),
    expected: {
      newText: 'The transaction ID is TX20261103001.',
      quoted: 'On Tue, Nov 3, 2026 at 2:05 PM OKPay Support <support@okpay.com> wrote:\n> Could you send us the transaction ID?\n>',
      signature: '',
    },
  },
  {
    name: 'Gmail attribution wrapped over two lines',
    text: 'Here it is.\n\nOn Tue, Nov 3, 2026 at 2:05 PM OKPay Support <\nsupport@okpay.com> wrote:\n> Please reply',
    expected: {
      newText: 'Here it is.',
      quoted: 'On Tue, Nov 3, 2026 at 2:05 PM OKPay Support <\nsupport@okpay.com> wrote:\n> Please reply',
      signature: '',
    },
  },
  {
    name: 'Outlook -----Original Message-----',
    text: 'Still not received.\r\n\r\n-----Original Message-----\r\nFrom: OKPay Support <support@okpay.com>\r\nSent: Tuesday, November 3, 2026 2:05 PM\r\nSubject: [OKP-1042] Refund\r\n\r\nDear customer,',
    expected: {
      newText: 'Still not received.',
      quoted: '-----Original Message-----\nFrom: OKPay Support <support@okpay.com>\nSent: Tuesday, November 3, 2026 2:05 PM\nSubject: [OKP-1042] Refund\n\nDear customer,',
      signature: '',
    },
  },
  {
    name: 'Outlook From:/Sent: block under a rule line',
    text: 'Thanks, solved.\n\n________________________________\nFrom: OKPay Support <support@okpay.com>\nSent: 3 November 2026 14:05\nTo: Li Lei\nSubject: Re: Refund\n\nHello',
    expected: {
      newText: 'Thanks, solved.',
      quoted: '________________________________\nFrom: OKPay Support <support@okpay.com>\nSent: 3 November 2026 14:05\nTo: Li Lei\nSubject: Re: Refund\n\nHello',
      signature: '',
    },
  },
  {
    name: 'Chinese Outlook 发件人/发送时间',
    text: '已经收到，谢谢。\n\n发件人: OKPay 客服 <support@okpay.com>\n发送时间: 2026年11月3日 14:05\n收件人: 李雷\n主题: 回复: 退款',
    expected: {
      newText: '已经收到，谢谢。',
      quoted: '发件人: OKPay 客服 <support@okpay.com>\n发送时间: 2026年11月3日 14:05\n收件人: 李雷\n主题: 回复: 退款',
      signature: '',
    },
  },
  {
    name: 'Apple Mail / QQ Mail Chinese attribution',
    text: '交易号是 4200001234202611031234567890。\n\n在 2026年11月3日 14:05，OKPay 客服 <support@okpay.com> 写道：\n\n> 请提供交易号。',
    expected: {
      newText: '交易号是 4200001234202611031234567890。',
      quoted: '在 2026年11月3日 14:05，OKPay 客服 <support@okpay.com> 写道：\n\n> 请提供交易号。',
      signature: '',
    },
  },
  {
    name: 'Chinese Gmail 于…写道',
    text: '好的\n\nOKPay 客服 <support@okpay.com> 于2026年11月3日周二 14:05写道：\n> 您好',
    expected: { newText: '好的', quoted: 'OKPay 客服 <support@okpay.com> 于2026年11月3日周二 14:05写道：\n> 您好', signature: '' },
  },
  {
    name: 'QQ Mail / Foxmail 原始邮件 block',
    text: '还是没有到账。\n\n\n------------------ 原始邮件 ------------------\n发件人: "OKPay客服"<support@okpay.com>;\n发送时间: 2026年11月3日(星期二) 下午2:05\n收件人: "李雷"<lilei@qq.com>;\n主题: [OKP-1042] 退款',
    expected: {
      newText: '还是没有到账。',
      quoted: '------------------ 原始邮件 ------------------\n发件人: "OKPay客服"<support@okpay.com>;\n发送时间: 2026年11月3日(星期二) 下午2:05\n收件人: "李雷"<lilei@qq.com>;\n主题: [OKP-1042] 退款',
      signature: '',
    },
  },
  {
    name: 'Foxmail English separator',
    text: 'ok\n------------------ Original ------------------\nFrom: support@okpay.com',
    expected: { newText: 'ok', quoted: '------------------ Original ------------------\nFrom: support@okpay.com', signature: '' },
  },
  {
    name: 'Foxmail separator with non-breaking spaces',
    text: '好的\n------------------\u00a0原始邮件\u00a0------------------\n发件人: support@okpay.com',
    expected: { newText: '好的', quoted: '------------------\u00a0原始邮件\u00a0------------------\n发件人: support@okpay.com', signature: '' },
  },
  {
    name: 'NetEase 163 attribution with a full-width colon',
    text: '收到\n\n在 2026-11-03 14:05:00，"OKPay客服" <support@okpay.com> 写道：\n> 您好',
    expected: { newText: '收到', quoted: '在 2026-11-03 14:05:00，"OKPay客服" <support@okpay.com> 写道：\n> 您好', signature: '' },
  },
  {
    name: 'Yahoo attribution',
    text: 'Thanks\n\nOn Tuesday, November 3, 2026, 02:05:00 PM GMT+8, OKPay Support <support@okpay.com> wrote:\n\n\nHello',
    expected: {
      newText: 'Thanks',
      quoted: 'On Tuesday, November 3, 2026, 02:05:00 PM GMT+8, OKPay Support <support@okpay.com> wrote:\n\n\nHello',
      signature: '',
    },
  },
  {
    name: 'interleaved ">" quoting keeps the answers',
    text: '> What is the transaction ID?\nTX20261103001\n> And the amount?\n¥1,299.00',
    expected: { newText: 'TX20261103001\n¥1,299.00', quoted: '> What is the transaction ID?\n> And the amount?', signature: '' },
  },
  {
    name: '"-- " signature delimiter',
    text: 'Please check my refund.\n\n-- \nLi Lei\nAcme Ltd, +86 138 0000 0000',
    expected: { newText: 'Please check my refund.', quoted: '', signature: '-- \nLi Lei\nAcme Ltd, +86 138 0000 0000' },
  },
  {
    name: 'Sent from my iPhone, above a Gmail quote',
    text: 'Any update?\n\nSent from my iPhone\n\nOn Nov 3, 2026, at 14:05, OKPay Support <support@okpay.com> wrote:\n> Hello',
    expected: {
      newText: 'Any update?',
      quoted: 'On Nov 3, 2026, at 14:05, OKPay Support <support@okpay.com> wrote:\n> Hello',
      signature: 'Sent from my iPhone',
    },
  },
  {
    name: '发自我的iPhone',
    text: '请尽快处理\n\n发自我的iPhone',
    expected: { newText: '请尽快处理', quoted: '', signature: '发自我的iPhone' },
  },
  {
    name: 'a phone footer in the middle of a message stays',
    text: 'Sent from my iPhone app the payment failed twice.\nThen it worked.\nOrder 123.\nAmount $20.\nThanks\nLi',
    expected: {
      newText: 'Sent from my iPhone app the payment failed twice.\nThen it worked.\nOrder 123.\nAmount $20.\nThanks\nLi',
      quoted: '',
      signature: '',
    },
  },
  {
    name: 'a signature above a forwarded mail is still split off',
    text: 'FYI\n-- \nLi Lei\nBegin forwarded message:\nFrom: a@b.example',
    expected: { newText: 'FYI\nBegin forwarded message:\nFrom: a@b.example', quoted: '', signature: '-- \nLi Lei' },
  },
  {
    name: 'a forwarded phishing mail is kept as new text',
    text: 'Is this from you?\n\n---------- Forwarded message ---------\nFrom: OKPay <service@okpay-secure.com>\nDate: Tue, Nov 3, 2026\nSubject: Verify your account',
    expected: {
      newText: 'Is this from you?\n\n---------- Forwarded message ---------\nFrom: OKPay <service@okpay-secure.com>\nDate: Tue, Nov 3, 2026\nSubject: Verify your account',
      quoted: '',
      signature: '',
    },
  },
]

describe('splitQuotedReply', () => {
  for (const c of cases) {
    it(c.name, () => expect(splitQuotedReply(c.text)).toEqual(c.expected))
  }
})
