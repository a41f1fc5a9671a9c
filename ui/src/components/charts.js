import { svg } from '../dom.js'

// Inline SVG charts drawn here: no chart library, nothing fetched.
const W = 560
const H = 200
const PAD = { left: 36, right: 10, top: 10, bottom: 28 }

function niceMax(value) {
  if (value <= 5) return 5
  const power = 10 ** Math.floor(Math.log10(value))
  return Math.ceil(value / power) * power
}

function axes(max, labels, x) {
  const out = []
  for (let i = 0; i <= 4; i++) {
    const v = (max / 4) * i
    const y = H - PAD.bottom - ((H - PAD.top - PAD.bottom) * i) / 4
    out.push(svg('line', { x1: PAD.left, x2: W - PAD.right, y1: y, y2: y, class: 'grid' }))
    out.push(svg('text', { x: PAD.left - 6, y: y + 4, class: 'tick', 'text-anchor': 'end' }, Number.isInteger(v) ? v : v.toFixed(1)))
  }
  const step = Math.max(1, Math.ceil(labels.length / 8))
  labels.forEach((label, i) => {
    if (i % step === 0) out.push(svg('text', { x: x(i), y: H - 8, class: 'tick', 'text-anchor': 'middle' }, label))
  })
  return out
}

/** Bars over time: points = [{ label, value }]. */
export function barChart(points, { title, cls = 'bar' } = {}) {
  const max = niceMax(Math.max(0, ...points.map((p) => p.value)))
  const inner = W - PAD.left - PAD.right
  const slot = inner / Math.max(1, points.length)
  const x = (i) => PAD.left + slot * i + slot / 2
  const y = (v) => H - PAD.bottom - ((H - PAD.top - PAD.bottom) * v) / max
  return svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-label': title },
    svg('title', {}, title),
    axes(max, points.map((p) => p.label), x),
    points.map((p, i) => svg('rect', { x: x(i) - slot * 0.35, y: y(p.value), width: Math.max(1, slot * 0.7), height: H - PAD.bottom - y(p.value), class: cls },
      svg('title', {}, `${p.label}: ${p.value}`))))
}

/** Horizontal bars for categories: items = [{ label, value }]. */
export function horizontalBars(items, { title } = {}) {
  const rowH = 24
  const height = Math.max(1, items.length) * rowH + 10
  const max = Math.max(1, ...items.map((i) => i.value))
  const labelW = 150
  return svg('svg', { viewBox: `0 0 ${W} ${height}`, class: 'chart', role: 'img', 'aria-label': title },
    svg('title', {}, title),
    items.map((item, i) => [
      svg('text', { x: labelW - 8, y: i * rowH + 20, class: 'label', 'text-anchor': 'end' }, item.label),
      svg('rect', { x: labelW, y: i * rowH + 6, height: rowH - 8, width: Math.max(2, ((W - labelW - 50) * item.value) / max), class: 'hbar' }),
      svg('text', { x: labelW + Math.max(2, ((W - labelW - 50) * item.value) / max) + 6, y: i * rowH + 20, class: 'value' }, item.value),
    ]))
}

/** A ring showing a share (0..1). */
export function gauge(ratio, { title } = {}) {
  const r = 50
  const c = 2 * Math.PI * r
  const value = ratio === null ? 0 : ratio
  return svg('svg', { viewBox: '0 0 140 140', class: 'gauge', role: 'img', 'aria-label': title },
    svg('circle', { cx: 70, cy: 70, r, class: 'gauge-track' }),
    svg('circle', { cx: 70, cy: 70, r, class: value >= 0.9 ? 'gauge-good' : value >= 0.7 ? 'gauge-warn' : 'gauge-bad', 'stroke-dasharray': `${c * value} ${c}`, transform: 'rotate(-90 70 70)' }),
    svg('text', { x: 70, y: 78, 'text-anchor': 'middle', class: 'gauge-text' }, ratio === null ? '—' : `${Math.round(value * 100)}%`))
}
