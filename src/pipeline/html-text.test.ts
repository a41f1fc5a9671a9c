import { describe, expect, it } from 'vitest'
import { bestOfFiveMs, oneMiBOf } from '../../test/helpers/linear-time.ts'
import { buildVisibleText, htmlToText } from './html-text.ts'

describe('htmlToText: the text of an HTML-only body', () => {
  it('reads a web-mail body as a reader sees it: blocks on their own lines, cells side by side, head and comments left out', () => {
    const html = `<!DOCTYPE html><html><head><title>Untitled document</title><style>p { color: red }</style></head>
<body><div>Dear   support,</div><p>My <b>refund</b>
for order&nbsp;7781 never came.</p><table><tr><td>Amount</td><td>&euro;12.50</td></tr></table>
<!-- signature --><br>Thanks,<br>Amy</body></html>`
    expect(htmlToText(html)).toBe('Dear support,\n\nMy refund for order 7781 never came.\n\nAmount €12.50\n\nThanks,\nAmy')
  })

  it('keeps text that only looks like markup, and leaves script contents out', () => {
    expect(htmlToText('<p>2 < 3 &amp; 5 > 4</p><script>alert("x")</script><p>R&D &unknown;</p>')).toBe('2 < 3 & 5 > 4\n\nR&D &unknown;')
  })

  it('leaves the head out only when it is closed, and keeps what follows an unclosed one', () => {
    expect(htmlToText('<HEAD><title>x</title></Head ><p>Body</p>')).toBe('Body')
    expect(htmlToText('<head><title>Refund</title><p>Body</p>')).toBe('Refund\n\nBody')
  })

  it.each([
    ['an ordinary newsletter (words, inline and table tags, entities)', '<div>Dear customer, your <b>refund</b> of &euro;12 is on its way.</div><table><tr><td>Order</td><td>7781</td></tr></table>\n'],
    ['repeated <head> without a closing tag', '<head>'],
    ['repeated </head without its ">"', '</head   '],
    ['repeated unclosed comments', '<!--'],
    ['repeated unclosed quoted attributes', '<a title="'],
    ['repeated bare "&"', '&'],
  ])('reads 1 MB of %s within 200 ms (linear time)', (_name, unit) => {
    const bestMs = bestOfFiveMs(oneMiBOf(unit), htmlToText)
    expect(bestMs, `best of five: ${bestMs.toFixed(1)} ms`).toBeLessThan(200)
  })

  it('gives an empty text for a body that shows nothing but an image', () => {
    expect(htmlToText('<html><body><img src="cid:a@b"></body></html>')).toBe('')
  })
})

describe('buildVisibleText: the visible text redaction works on', () => {
  it('maps each visible character to its raw range; a tag separator to none', () => {
    const visible = buildVisibleText('<b>42</b>&amp;<br>x')
    expect(visible.text).toBe('42&\nx')
    expect([...visible.rawStarts.slice(0, 5)]).toEqual([3, 4, 9, -1, 18])
    expect([...visible.rawEnds.slice(0, 5)]).toEqual([4, 5, 14, -1, 19])
  })
})
