import { h } from '../dom.js'
import { t } from '../i18n.js'

/**
 * Badges from a message's `verdicts` (set by the authentication stage). Accepts the shapes the pipeline may store:
 * { authentication: 'pass'|'fail'|…, spoofed: bool, impersonation: bool|{…}, dmarc, spf, dkim } — unknown keys are ignored.
 */
export function verdictBadges(verdicts) {
  if (!verdicts || typeof verdicts !== 'object') return []
  const badges = []
  const auth = verdicts.authentication ?? verdicts.auth ?? verdicts.dmarc?.result ?? verdicts.dmarc
  if (typeof auth === 'string') {
    const ok = auth === 'pass'
    badges.push(h('span', { class: `badge verdict ${ok ? 'verdict-pass' : 'verdict-fail'}`, title: `DMARC/SPF/DKIM: ${auth}` }, ok ? t('verdict.pass') : t('verdict.fail')))
  }
  for (const key of ['spf', 'dkim', 'arc']) {
    const value = typeof verdicts[key] === 'string' ? verdicts[key] : verdicts[key]?.result
    if (typeof value === 'string') badges.push(h('span', { class: `badge verdict ${value === 'pass' ? 'verdict-pass' : 'verdict-neutral'}` }, `${key.toUpperCase()} ${value}`))
  }
  if (verdicts.spoofed === true || verdicts.spoof === true) badges.push(h('span', { class: 'badge verdict verdict-danger' }, t('verdict.spoof')))
  const imp = verdicts.impersonation
  if (imp === true || (imp && typeof imp === 'object' && imp.verdict !== 'official' && imp.verdict !== undefined) || verdicts.verdict === 'impersonation') {
    badges.push(h('span', { class: 'badge verdict verdict-danger' }, t('verdict.impersonation')))
  }
  return badges
}
