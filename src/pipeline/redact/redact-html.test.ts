import { describe, expect, it } from 'vitest'
import { redactHtml } from './redact-html.ts'

describe('redactHtml', () => {
  it.each<[string, string, string]>([
    ['a card in a paragraph', '<p>Card 4242 4242 4242 4242.</p>', '<p>Card [card •••• 4242].</p>'],
    ['a card split by an inline tag keeps the tag', '<p>Card <b>4242</b> 4242 4242 4242</p>', '<p>Card <b>[card •••• 4242]</b></p>'],
    ['a label and a value in neighbouring cells', '<tr><td>账号</td><td>12345678901</td></tr>', '<tr><td>账号</td><td>[账号已删除]</td></tr>'],
    ['entities between label and value', '<p>password:&nbsp;hunter22</p>', '<p>password:&nbsp;[password removed]</p>'],
    ['digits written as entities', '<p>card 4242&#32;4242&#x20;4242 4242</p>', '<p>card [card •••• 4242]</p>'],
    ['a label in the block before does not count', '<div>账号</div><div>12345678901</div>', '<div>账号</div><div>12345678901</div>'],
    ['an order number survives', '<div>订单号 4242424242424242</div>', '<div>订单号 4242424242424242</div>'],
    ['a bare "<" in text', 'a < b 4242424242424242 & c', 'a < b [card •••• 4242] & c'],
  ])('%s', (_name, html, expected) => {
    expect(redactHtml(html).html).toBe(expected)
  })

  it('reports offsets into the html input, spanning the raw text of the secret', () => {
    const html = '<p>Card <b>4242</b> 4242 4242 4242</p><p>验证码：384756</p>'
    const { findings } = redactHtml(html)
    expect(findings).toEqual([
      { type: 'card_number', start: 11, end: 34 },
      { type: 'otp', start: 45, end: 51 },
    ])
    expect(html.slice(11, 34)).toBe('4242</b> 4242 4242 4242')
    expect(html.slice(45, 51)).toBe('384756')
  })

  it('leaves attributes, comments, scripts and styles alone', () => {
    const html = '<style>p{color:#4242424242424242}</style><p title="4242424242424242">ok</p><!-- x -->'
    expect(redactHtml(html)).toEqual({ html, findings: [] })
  })

  it('does not read a ">" inside a quoted attribute as the end of the tag', () => {
    expect(redactHtml('<a title="a>b">PIN 1234</a>').html).toBe('<a title="a>b">PIN [PIN removed]</a>')
  })
})
