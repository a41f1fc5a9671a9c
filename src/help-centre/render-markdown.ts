import { escapeHtml } from '../escape-html.ts'

// A renderer for the small Markdown subset our help articles use: headings (#, ##, ###), paragraphs,
// "-" and "1." lists, **bold**, *emphasis*, `code` and [links](target). Everything else is text, and all
// text is escaped, so an article can never inject markup or script even if a contributor tries.

const SAFE_TARGET = /^(\/(?!\/)[^\s"'<>]*|#[\w-]*|https:\/\/[^\s"'<>]+|mailto:[^\s"'<>]+|tel:\+?[\d-]+)$/

const INLINE = /`([^`]+)`|\[([^\]]+)\]\(([^)\s]+)\)|\*\*([^*]+)\*\*|\*([^*]+)\*/g

/** Inline Markdown to HTML; links whose target is not a path, https:, mailto: or tel: become plain text. */
export function renderInline(text: string, allowLinks = true): string {
  let out = ''
  let last = 0
  for (const m of text.matchAll(INLINE)) {
    out += escapeHtml(text.slice(last, m.index))
    last = m.index + m[0].length
    const [, code, linkText, target, strong, em] = m
    if (code !== undefined) out += `<code>${escapeHtml(code)}</code>`
    else if (linkText !== undefined && target !== undefined) {
      const inner = renderInline(linkText, false)
      out += allowLinks && SAFE_TARGET.test(target) ? `<a href="${escapeHtml(target)}">${inner}</a>` : inner
    } else if (strong !== undefined) out += `<strong>${renderInline(strong, allowLinks)}</strong>`
    else if (em !== undefined) out += `<em>${renderInline(em, allowLinks)}</em>`
  }
  return out + escapeHtml(text.slice(last))
}

/** Block-level Markdown (the subset above) to HTML. */
export function renderMarkdown(markdown: string): string {
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n')
  const out: string[] = []
  let paragraph: string[] = []
  let list: { tag: 'ul' | 'ol'; items: string[] } | undefined
  const flush = () => {
    if (paragraph.length > 0) out.push(`<p>${renderInline(paragraph.join(' '))}</p>`)
    paragraph = []
    if (list) out.push(`<${list.tag}>${list.items.map((i) => `<li>${renderInline(i)}</li>`).join('')}</${list.tag}>`)
    list = undefined
  }
  for (const line of lines) {
    const heading = /^(#{1,3})\s+(.+)$/.exec(line)
    const bullet = /^\s*[-*]\s+(.+)$/.exec(line)
    const numbered = /^\s*\d+[.)]\s+(.+)$/.exec(line)
    if (heading?.[1] && heading[2]) {
      flush()
      const level = heading[1].length
      out.push(`<h${level}>${renderInline(heading[2].trim())}</h${level}>`)
    } else if (bullet?.[1] || numbered?.[1]) {
      const tag = bullet ? 'ul' : 'ol'
      if (paragraph.length > 0 || (list && list.tag !== tag)) flush()
      list ??= { tag, items: [] }
      list.items.push((bullet?.[1] ?? numbered?.[1] ?? '').trim())
    } else if (line.trim() === '') {
      flush()
    } else if (list && /^\s{2,}\S/.test(line)) {
      // A continuation line of the last list item.
      list.items[list.items.length - 1] += ` ${line.trim()}`
    } else {
      if (list) flush()
      paragraph.push(line.trim())
    }
  }
  flush()
  return out.join('\n')
}
