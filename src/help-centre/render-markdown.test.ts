import { describe, expect, it } from 'vitest'
import { renderInline, renderMarkdown } from './render-markdown.ts'

describe('renderMarkdown', () => {
  it('renders headings, paragraphs and both kinds of list', () => {
    expect(renderMarkdown('# Title\n\nOne\nline.\n\n- a\n- b\n\n1. x\n2. y\n## Sub')).toBe(
      '<h1>Title</h1>\n<p>One line.</p>\n<ul><li>a</li><li>b</li></ul>\n<ol><li>x</li><li>y</li></ol>\n<h2>Sub</h2>',
    )
  })

  it.each([
    ['escapes raw HTML in text', '<script>alert(1)</script>', '&lt;script&gt;alert(1)&lt;/script&gt;'],
    ['keeps a relative link', '[status](/status)', '<a href="/status">status</a>'],
    ['keeps mailto and tel links', '[m](mailto:a@b.com) [t](tel:+8640082)', '<a href="mailto:a@b.com">m</a> <a href="tel:+8640082">t</a>'],
    ['drops a javascript: link to plain text', '[click](javascript:alert%281%29)', 'click'],
    ['drops a protocol-relative link', '[x](//evil.example/)', 'x'],
    ['drops a plain-http link', '[x](http://evil.example/)', 'x'],
    ['escapes quotes inside link targets it cannot accept', '[x](/a"onmouseover=1)', 'x'],
    ['renders code without interpreting it', '`**not bold** <b>`', '<code>**not bold** &lt;b&gt;</code>'],
    ['renders bold and emphasis', '**b** and *e*', '<strong>b</strong> and <em>e</em>'],
    ['escapes HTML inside bold', '**<img src=x>**', '<strong>&lt;img src=x&gt;</strong>'],
  ])('%s', (_name, input, expected) => {
    expect(renderInline(input)).toBe(expected)
  })
})
