import { Parser } from 'htmlparser2'
import { htmlToText, startsMarkup } from '../pipeline/html-text.ts'
import { escapeHtml } from '../escape-html.ts'

// An allow-list sanitizer for customer HTML mail. Only listed tags and attributes survive; everything that can
// run code, submit data or fetch from the network (script, event handlers, forms, iframes, remote images, CSS
// url()) is dropped. The result is shown in a sandboxed iframe under a strict CSP as a second wall.

export interface SanitizeOptions {
  /** Keep http(s) images (the agent clicked "show images"); otherwise they become a placeholder. */
  allowRemoteImages?: boolean
  /**
   * The message's own embedded images: Content-ID (lower case, without <>) → a same-origin URL. A `cid:` image is
   * shown from it; a Content-ID not listed (no such part, not a raster image, withheld) stays a placeholder.
   */
  inlineImages?: ReadonlyMap<string, string>
}

/** The Content-ID a cid: URL names (RFC 2392: percent-encoded), as the map above keys it. */
function contentIdOf(src: string): string {
  const id = src.slice(4).trim()
  try {
    return decodeURIComponent(id).replace(/^<|>$/g, '').toLowerCase()
  } catch {
    return id.toLowerCase()
  }
}

export interface SanitizedHtml {
  html: string
  /** How many remote images were held back. */
  blockedImages: number
}

const ALLOWED_TAGS = new Set([
  'a', 'abbr', 'b', 'big', 'blockquote', 'br', 'caption', 'center', 'cite', 'code', 'col', 'colgroup', 'dd', 'del',
  'div', 'dl', 'dt', 'em', 'font', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr', 'i', 'img', 'ins', 'kbd', 'li', 'mark',
  'ol', 'p', 'pre', 'q', 's', 'samp', 'small', 'span', 'strike', 'strong', 'sub', 'sup', 'table', 'tbody', 'td',
  'tfoot', 'th', 'thead', 'tr', 'tt', 'u', 'ul', 'wbr',
])
/** Elements dropped with everything inside them. */
const DROP_WITH_CONTENT = new Set([
  'script', 'style', 'title', 'head', 'iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'noscript', 'noembed',
  'noframes', 'template', 'textarea', 'select', 'option', 'svg', 'math', 'xmp', 'plaintext', 'audio', 'video', 'canvas',
  'meta', 'link', 'base', 'param', 'source', 'track', 'portal',
])
const VOID_TAGS = new Set(['br', 'hr', 'img', 'col', 'wbr'])
const ALLOWED_ATTRIBUTES = new Set([
  'align', 'valign', 'width', 'height', 'colspan', 'rowspan', 'border', 'cellpadding', 'cellspacing', 'bgcolor',
  'color', 'face', 'size', 'dir', 'lang', 'alt', 'title', 'style', 'start', 'span', 'nowrap',
])
const SAFE_DATA_IMAGE = /^data:image\/(png|gif|jpe?g|webp|bmp);base64,[a-z0-9+/=\s]+$/i
// CSS that can fetch, run code or escape the box: url(), expression(), @import, behavior, -moz-binding, position.
const UNSAFE_CSS = /url\s*\(|expression\s*\(|@import|behavior\s*:|-moz-binding|javascript:|position\s*:\s*(fixed|absolute|sticky)|\\/i

function safeStyle(value: string): string | undefined {
  // Control characters and comments hide tokens from the pattern; refuse instead of normalising.
  if (/[\u0000-\u001f\u007f]|\/\*/.test(value) || UNSAFE_CSS.test(value)) return undefined
  return value.length <= 2000 ? value : undefined
}

/**
 * Tags a document may have for its HTML to be shown. htmlparser2 keeps its open elements in an array it unshifts and
 * searches, so deep nesting costs it the square of the tags: 40,000 unclosed <div>s and as many stray </b>s take
 * 1.5 s, and a 25 MB message of them would hold the web app for many minutes. At this cap the worst case stays near
 * 0.2 s, and ordinary mail (a large newsletter has a few thousand tags) is far below it.
 */
const MAX_TAGS = 20_000

/** How many tags the document has, counted up to `limit` + 1 (every "<" that opens markup, html-text.ts). */
function countTags(input: string, limit: number): number {
  let count = 0
  for (let at = input.indexOf('<'); at >= 0 && count <= limit; at = input.indexOf('<', at + 1)) {
    if (startsMarkup(input, at)) count++
  }
  return count
}

/**
 * Sanitizes untrusted HTML into a fragment that cannot run script, submit forms or load remote content. A document
 * with more than MAX_TAGS tags is shown as its visible text instead, with a line that says so.
 */
export function sanitizeHtml(input: string, options: SanitizeOptions = {}): SanitizedHtml {
  if (countTags(input, MAX_TAGS) > MAX_TAGS) {
    return {
      html: `<p class="md-too-complex">This message's HTML has more than ${MAX_TAGS.toLocaleString('en-US')} tags, too many to display; its text follows.</p><pre class="md-text">${escapeHtml(htmlToText(input))}</pre>`,
      blockedImages: 0,
    }
  }
  const out: string[] = []
  const open: string[] = []
  let dropDepth = 0
  let dropTag = ''
  let blockedImages = 0
  const linkTargets: (string | undefined)[] = []

  const parser = new Parser(
    {
      onopentag(rawName, attributes) {
        const name = rawName.toLowerCase()
        if (dropDepth > 0) {
          if (name === dropTag) dropDepth++
          return
        }
        if (DROP_WITH_CONTENT.has(name)) {
          if (!VOID_TAGS.has(name) && !['meta', 'link', 'base', 'param', 'source', 'track'].includes(name)) {
            dropDepth = 1
            dropTag = name
          }
          return
        }
        if (!ALLOWED_TAGS.has(name)) return
        const attrs: string[] = []
        for (const [rawKey, value] of Object.entries(attributes)) {
          const key = rawKey.toLowerCase()
          if (!ALLOWED_ATTRIBUTES.has(key)) continue
          if (key === 'style') {
            const style = safeStyle(value)
            if (style !== undefined) attrs.push(`style="${escapeHtml(style)}"`)
            continue
          }
          attrs.push(`${key}="${escapeHtml(value.slice(0, 500))}"`)
        }
        if (name === 'img') {
          const src = (attributes.src ?? '').trim()
          const embedded = /^cid:/i.test(src) ? options.inlineImages?.get(contentIdOf(src)) : undefined
          if (SAFE_DATA_IMAGE.test(src)) attrs.push(`src="${escapeHtml(src)}"`)
          else if (embedded) attrs.push(`src="${escapeHtml(embedded)}"`)
          else if (/^https?:\/\//i.test(src) && options.allowRemoteImages) attrs.push(`src="${escapeHtml(src)}"`, 'referrerpolicy="no-referrer"')
          else {
            if (/^https?:\/\//i.test(src)) blockedImages++
            out.push(`<span class="md-image-blocked">[${escapeHtml((attributes.alt ?? 'image').slice(0, 100))}]</span>`)
            return
          }
        }
        if (name === 'a') {
          // Links are not followed from the mail view; the real target is printed after the link text.
          const href = (attributes.href ?? '').trim()
          linkTargets.push(href && !href.startsWith('#') ? href.slice(0, 2000) : undefined)
          attrs.push('class="md-link"')
          if (href) attrs.push(`title="${escapeHtml(href.slice(0, 2000))}"`)
        }
        out.push(`<${name}${attrs.length ? ` ${attrs.join(' ')}` : ''}>`)
        if (!VOID_TAGS.has(name)) open.push(name)
      },
      ontext(text) {
        if (dropDepth === 0) out.push(escapeHtml(text))
      },
      onclosetag(rawName, isImplied) {
        const name = rawName.toLowerCase()
        if (dropDepth > 0) {
          if (name === dropTag) dropDepth--
          return
        }
        if (VOID_TAGS.has(name) || !ALLOWED_TAGS.has(name)) return
        const at = open.lastIndexOf(name)
        if (at < 0) return
        while (open.length > at) {
          const closing = open.pop()
          if (closing === 'a') {
            const target = linkTargets.pop()
            out.push('</a>')
            if (target) out.push(` <span class="md-link-target">⟨${escapeHtml(target)}⟩</span>`)
          } else out.push(`</${closing}>`)
        }
        void isImplied
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true, recognizeSelfClosing: false },
  )
  parser.write(input)
  parser.end()
  while (open.length > 0) {
    const closing = open.pop()
    out.push(`</${closing}>`)
  }
  return { html: out.join(''), blockedImages }
}

/** The Content-Security-Policy of a sanitized mail body: no script, no network, inline styles only. */
export function mailBodyCsp(allowRemoteImages: boolean): string {
  // 'self': the message's embedded images, served by /api/v1/attachments/:id/inline.
  const img = allowRemoteImages ? "img-src 'self' data: https: http:" : "img-src 'self' data:"
  return `default-src 'none'; ${img}; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'`
}

/** A complete document for the sandboxed iframe. */
export function mailBodyDocument(fragment: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><style>
body{font:14px/1.5 system-ui,-apple-system,"Segoe UI","PingFang SC","Microsoft YaHei",sans-serif;color:#1f2328;margin:8px;word-wrap:break-word}
img{max-width:100%;height:auto}.md-link{color:#0969da;text-decoration:underline}
.md-link-target{color:#57606a;font-size:12px;font-family:ui-monospace,monospace;word-break:break-all}
.md-image-blocked{display:inline-block;border:1px dashed #d0d7de;color:#57606a;font-size:12px;padding:0 4px}
blockquote{border-left:3px solid #d0d7de;margin:0 0 0 4px;padding-left:8px;color:#57606a}
.md-too-complex{color:#57606a;font-size:12px}pre.md-text{white-space:pre-wrap;font:inherit}
</style></head><body>${fragment}</body></html>`
}
