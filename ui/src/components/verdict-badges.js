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
  // Red only for a failure. Most senders publish no DMARC policy ('none'), and a DNS error proves nothing: neutral,
  // so the red badge keeps its meaning for the mail that deserves it.
  if (typeof auth === 'string') {
    const [cls, label] = auth === 'pass' ? ['verdict-pass', t('verdict.pass')] : auth === 'fail' ? ['verdict-fail', t('verdict.fail')] : auth === 'none' ? ['verdict-neutral', t('verdict.noPolicy')] : ['verdict-neutral', t('verdict.none')]
    badges.push(h('span', { class: `badge verdict ${cls}`, title: `DMARC: ${auth}` }, label))
  }
  for (const key of ['spf', 'dkim', 'arc']) {
    const value = typeof verdicts[key] === 'string' ? verdicts[key] : verdicts[key]?.result
    if (typeof value === 'string') badges.push(h('span', { class: `badge verdict ${value === 'pass' ? 'verdict-pass' : 'verdict-neutral'}` }, `${key.toUpperCase()} ${value}`))
  }
  if (verdicts.spoofed === true || verdicts.spoof === true) badges.push(h('span', { class: 'badge verdict verdict-danger' }, t('verdict.spoof')))
  // 'not_official' is any customer's own address and 'unknown' too little to judge: only an impersonation is flagged.
  const imp = verdicts.impersonation
  if (imp === true || (imp && typeof imp === 'object' && imp.verdict === 'impersonation') || verdicts.verdict === 'impersonation') {
    badges.push(h('span', { class: 'badge verdict verdict-danger' }, t('verdict.impersonation')))
  }
  return badges
}
