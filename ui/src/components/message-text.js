import { h } from '../dom.js'
import { t } from '../i18n.js'

// Redaction markers written by the pipeline: "[password removed]", "[密码已删除]", "[card •••• 4242]".
const MARKER = /\[(?:card|银行卡) •••• \d{4}\]|\[[^[\]\n]{1,30}(?: removed|已删除)\]/g

/** Text with redaction markers highlighted; returns [nodes, markerCount]. */
export function markedText(text) {
  const nodes = []
  let last = 0
  let count = 0
  for (const match of text.matchAll(MARKER)) {
    if (match.index > last) nodes.push(text.slice(last, match.index))
    nodes.push(h('mark', { class: 'redaction', title: t('ticket.redacted') }, match[0]))
    last = match.index + match[0].length
    count++
  }
  if (last < text.length) nodes.push(text.slice(last))
  return [nodes, count]
}

/** A message body as text: what is new shown, quoted history and signature one click away. */
export function messageText(message) {
  const parts = message.textParts ?? { newText: message.text ?? '', quoted: '', signature: '' }
  const [newNodes, markers] = markedText(parts.newText || (message.text ?? ''))
  const block = h('div', { class: 'message-text' }, h('div', { class: 'new-text' }, newNodes))
  if (parts.signature) block.append(h('details', { class: 'signature' }, h('summary', {}, t('ticket.showSignature')), h('pre', {}, markedText(parts.signature)[0])))
  if (parts.quoted) block.append(h('details', { class: 'quoted' }, h('summary', {}, t('ticket.showQuoted')), h('pre', {}, markedText(parts.quoted)[0])))
  return { block, markers }
}
