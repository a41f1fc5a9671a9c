import { Parser } from 'htmlparser2'
import { describe, expect, it } from 'vitest'
import { XSS_VECTORS } from '../../test/fixtures/xss/vectors.ts'
import { sanitizeHtml } from './sanitize-html.ts'

/** Every element and attribute of a sanitized fragment, as the browser's parser would see them. */
function elementsOf(html: string): { tag: string; attrs: Record<string, string> }[] {
  const out: { tag: string; attrs: Record<string, string> }[] = []
  const parser = new Parser({ onopentag: (tag, attrs) => out.push({ tag, attrs }) }, { decodeEntities: true })
  parser.write(html)
  parser.end()
  return out
}

describe('sanitizeHtml', () => {
  it.each([
    ['keeps formatting', '<p style="color:red"><b>Hi</b> <i>there</i></p>', '<p style="color:red"><b>Hi</b> <i>there</i></p>'],
    ['drops script with its content', 'a<script>alert(1)</script>b', 'ab'],
    ['drops event handlers', '<div onclick="x()" title="t">x</div>', '<div title="t">x</div>'],
    ['drops style elements and url() in style attributes', '<style>p{}</style><p style="background:url(https://a.example/x)">p</p>', '<p>p</p>'],
    ['replaces remote images with their alt text', '<img src="https://a.example/x.png" alt="logo">', '<span class="md-image-blocked">[logo]</span>'],
    ['keeps raster data images', '<img src="data:image/png;base64,iVBORw0KGgo=">', '<img src="data:image/png;base64,iVBORw0KGgo=">'],
    ['drops svg data images', '<img src="data:image/svg+xml;base64,PHN2Zz4=">', '<span class="md-image-blocked">[image]</span>'],
    ['shows the real target of a link and makes it inert', '<a href="https://evil.example/">okpay.com</a>', '<a class="md-link" title="https://evil.example/">okpay.com</a> <span class="md-link-target">⟨https://evil.example/⟩</span>'],
    ['drops forms but keeps their text', '<form action="https://evil.example"><label>PIN</label><input name=pin></form>', 'PIN'],
    ['escapes text that looks like markup', '&lt;script&gt;', '&lt;script&gt;'],
    ['closes what the mail left open', '<div><b>bold', '<div><b>bold</b></div>'],
    ['ignores stray closing tags', '</div></table>text', 'text'],
    ['drops nested content of dropped elements', '<svg><svg><script>1</script></svg><p>in</p></svg>after', 'after'],
  ])('%s', (_name, input, expected) => {
    expect(sanitizeHtml(input).html).toBe(expected)
  })

  it("shows the message's own embedded images from their same-origin URL, and no other cid:", () => {
    const inlineImages = new Map([['shot@customer.example', '/api/v1/attachments/7/inline']])
    expect(sanitizeHtml('<img src="cid:shot@customer.example" alt="screenshot"><img src="CID:%3Cshot@customer.example%3E">', { inlineImages }).html).toBe(
      '<img alt="screenshot" src="/api/v1/attachments/7/inline"><img src="/api/v1/attachments/7/inline">',
    )
    expect(sanitizeHtml('<img src="cid:other@customer.example" alt="logo">', { inlineImages }).html).toBe('<span class="md-image-blocked">[logo]</span>')
  })

  it('counts remote images held back and keeps them when asked', () => {
    const input = '<img src="https://a.example/1.png"><img src="http://a.example/2.png">'
    expect(sanitizeHtml(input).blockedImages).toBe(2)
    expect(sanitizeHtml(input, { allowRemoteImages: true }).html).toBe(
      '<img src="https://a.example/1.png" referrerpolicy="no-referrer"><img src="http://a.example/2.png" referrerpolicy="no-referrer">',
    )
  })

  it(`leaves no script, handler, form, frame or remote fetch in any of the ${XSS_VECTORS.filter((v) => v.place === 'html').length} corpus vectors`, () => {
    for (const v of XSS_VECTORS.filter((x) => x.place === 'html')) {
      const { html } = sanitizeHtml(v.payload)
      for (const el of elementsOf(html)) {
        expect(['script', 'style', 'iframe', 'frame', 'object', 'embed', 'form', 'input', 'button', 'base', 'meta', 'link', 'svg', 'math', 'video', 'audio', 'source'], v.name).not.toContain(el.tag)
        for (const [name, value] of Object.entries(el.attrs)) {
          expect(name, v.name).not.toMatch(/^on|^href$|^srcset$|^background$|^action$|^formaction$|^xlink/)
          if (name === 'src') expect(value, v.name).toMatch(/^data:image\/(png|gif|jpe?g|webp|bmp);base64,/i)
          if (name === 'style') expect(value, v.name).not.toMatch(/url\(|expression|javascript|@import|binding|\\/i)
        }
      }
    }
  })

  it('shows a document of more tags than it can parse in time as its text, escaped, in a fraction of a second', () => {
    // Deep nesting and stray closing tags: the parser's work grows with the square of the tags (30,000 here).
    const hostile = `${'<div>'.repeat(15_000)}<b>Refund &amp; <script>alert(1)</script>order 7781</b>${'</i>'.repeat(15_000)}`
    const started = performance.now()
    const { html, blockedImages } = sanitizeHtml(hostile)
    const ms = performance.now() - started
    expect(html).toBe(
      '<p class="md-too-complex">This message\'s HTML has more than 20,000 tags, too many to display; its text follows.</p><pre class="md-text">Refund &amp; order 7781</pre>',
    )
    expect(blockedImages).toBe(0)
    expect(ms, `${ms.toFixed(0)} ms`).toBeLessThan(500)
    // Below the cap the HTML is sanitized as usual.
    expect(sanitizeHtml(`${'<div>'.repeat(100)}<b>x</b>`).html).toBe(`${'<div>'.repeat(100)}<b>x</b>${'</div>'.repeat(100)}`)
  })
})

