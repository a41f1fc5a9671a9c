import type { Finding } from './finding.ts'
import { buildVisibleText } from '../html-text.ts'
import { normalizeWidth } from './normalize-width.ts'
import { findSensitiveData } from './redact-sensitive-data.ts'
import { detectMarkerLanguage, formatRedactionMarker } from './redaction-marker.ts'
import { escapeHtml } from '../../escape-html.ts'

/**
 * HTML redaction works on what a reader sees, not on the markup: the visible text (html-text.ts), so
 * "<td>账号</td><td>6222…</td>" and "<b>4242</b> 4242 4242 4242" are recognized like plain text. Each visible
 * character remembers the raw range it came from; a finding then rewrites only text, never a tag: its first
 * text piece becomes the marker and any further pieces (behind an inline tag) become empty.
 *
 * Not scanned: tag attributes (href, title, alt, value), comments, and <script>/<style> contents.
 */

/**
 * Redacts the text of an HTML document without touching its markup; `findings` carry offsets into the `html`
 * input, covering the raw text of each secret (entities included, tags it spans included).
 */
export function redactHtml(html: string): { html: string; findings: Finding[] } {
  const visible = buildVisibleText(html)
  const edits: Array<{ start: number; end: number; replacement: string }> = []
  const findings: Finding[] = []
  for (const finding of findSensitiveData(visible.text)) {
    const language = detectMarkerLanguage(visible.text, finding.start, finding.end)
    const marker = escapeHtml(formatRedactionMarker(finding.type, normalizeWidth(visible.text.slice(finding.start, finding.end)), language))
    let pieceStart = -1
    let pieceEnd = -1
    let first = -1
    let last = -1
    const flush = (): void => {
      if (pieceStart < 0) return
      edits.push({ start: pieceStart, end: pieceEnd, replacement: first === pieceStart ? marker : '' })
    }
    for (let k = finding.start; k < finding.end; k++) {
      const rawStart = visible.rawStarts[k] ?? -1
      const rawEnd = visible.rawEnds[k] ?? -1
      if (rawStart < 0 || rawStart < pieceEnd) continue // a tag separator, or the 2nd unit of an entity
      if (rawStart !== pieceEnd) {
        flush()
        pieceStart = rawStart
        if (first < 0) first = rawStart
      }
      pieceEnd = rawEnd
      last = rawEnd
    }
    flush()
    if (first >= 0) findings.push({ type: finding.type, start: first, end: last })
  }
  const out: string[] = []
  let cursor = 0
  for (const edit of edits) {
    out.push(html.slice(cursor, edit.start), edit.replacement)
    cursor = edit.end
  }
  out.push(html.slice(cursor))
  return { html: out.join(''), findings }
}
