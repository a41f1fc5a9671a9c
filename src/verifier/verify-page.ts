import type { Brand, Language } from '../brand.ts'
import { VERDICT_ADVICE, VERDICT_TITLES, VERIFY_PAGE_STRINGS } from '../i18n/verifier.ts'
import { html, type SafeHtml } from '../public/html.ts'
import type { VerifyResult } from './verify-result.ts'

function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => values[k] ?? m)
}

const VERDICT_ICON: Record<VerifyResult['verdict'], string> = { official: '✔', impersonation: '✖', not_official: '!', unknown: '?' }

/** The verdict box: colour and icon by verdict, a plain-language title, reasons, and what to do next. */
function renderVerdict(brand: Brand, lang: Language, result: VerifyResult, checked: string, reported: boolean): SafeHtml {
  const s = VERIFY_PAGE_STRINGS[lang]
  // The round-the-clock line is the one to call after handing something over; else the first hotline.
  const fraudLine = (brand.hotlines.find((h) => h.hours.start === '00:00' && h.hours.end === '24:00') ?? brand.hotlines[0])?.number ?? ''
  const v = { brand: brand.name, address: brand.addresses.security, fraudLine }
  // Once the visitor's report has reached us, asking them to forward it again contradicts the thank-you above.
  const showReport = result.verdict !== 'official' && !reported
  return html`<section class="verdict verdict-${result.verdict}" role="status" aria-live="polite">
  <p class="verdict-checked">${s.checked}: <strong>${checked}</strong></p>
  <p class="verdict-title"><span class="verdict-icon" aria-hidden="true">${VERDICT_ICON[result.verdict]}</span> ${fill(VERDICT_TITLES[result.verdict][lang], v)}</p>
  <h2>${s.why}</h2>
  <ul class="verdict-reasons">${result.reasons.map((r) => html`<li data-code="${r.code}">${r.message}</li>`)}</ul>
  <h2>${s.next}</h2>
  <p>${fill(VERDICT_ADVICE[result.verdict][lang], v)}</p>
  ${showReport ? html`<p><a class="button report" href="mailto:${brand.addresses.security}?subject=${encodeURIComponent('Phishing report')}">${fill(s.report, v)}</a></p><p class="hint">${fill(s.reportHint, v)}</p>` : ''}
</section>`
}

/** The body of the /verify page: the verdict (if any), the check form and the upload form. */
export function renderVerifyBody(
  brand: Brand,
  lang: Language,
  state: {
    input?: string
    result?: VerifyResult
    checked?: string
    error?: string
    notice?: string
    /** The uploaded message was recorded as a phishing report. */
    reported?: boolean
    maxUploadBytes: number
    /** A verification code from the footer of an email, and what we sent with it (undefined: no such email). */
    code?: { code: string; sent: { sentAt: Date; subject: string; maskedRecipient: string } | undefined }
  },
): SafeHtml {
  const s = VERIFY_PAGE_STRINGS[lang]
  const v = { brand: brand.name }
  const hotlines = brand.hotlines.map((h) => html`<li>${h.label[lang]}: <a href="tel:${h.number.replace(/[^\d+]/g, '')}">${h.number}</a></li>`)
  return html`<link rel="stylesheet" href="/verify/assets/verify.css">
<p class="lead">${fill(s.intro, v)}</p>
${state.error ? html`<div class="errors" role="alert"><p>${state.error}</p></div>` : ''}
${state.result ? renderVerdict(brand, lang, state.result, state.checked ?? '', state.reported === true) : ''}
${state.code ? renderCodeCheck(brand, lang, state.code) : ''}
${state.notice ? html`<div class="notice" role="status"><p>${state.notice}</p></div>` : ''}
<form class="verify-form" method="get" action="/verify">
  <input type="hidden" name="lang" value="${lang}">
  <label for="verify-input">${s.inputLabel}</label>
  <input id="verify-input" name="input" type="text" maxlength="2048" required autocomplete="off" spellcheck="false" placeholder="${s.inputPlaceholder}" value="${state.input ?? ''}">
  <button type="submit">${s.check}</button>
</form>
<form class="verify-form" method="post" action="/verify?lang=${lang}" enctype="multipart/form-data">
  <label for="verify-eml">${s.emlLabel}</label>
  <input id="verify-eml" name="eml" type="file" accept=".eml,message/rfc822">
  <label class="checkbox"><input type="checkbox" name="report" value="yes"> ${fill(s.alsoReport, v)}</label>
  <button type="submit">${s.checkEmail}</button>
  <p class="hint">${fill(s.uploadLimit, { limit: String(Math.floor(state.maxUploadBytes / (1024 * 1024))) })}</p>
</form>
<h2>${s.officialChannels}</h2>
<ul>
  <li><a href="${brand.website}">${brand.website}</a></li>
  <li><a href="mailto:${brand.addresses.support}">${brand.addresses.support}</a></li>
  ${hotlines}
</ul>`
}

/** The page's own stylesheet (the site CSP allows only same-origin styles, no inline style). */
export const VERIFY_CSS = `.verdict{border-radius:12px;padding:1.25rem 1.5rem;margin:1.5rem 0;border:3px solid}
.verdict-title{font-size:1.8rem;font-weight:700;margin:.25rem 0 1rem}
.verdict-icon{display:inline-block;width:2.4rem;height:2.4rem;line-height:2.4rem;text-align:center;border-radius:50%;color:#fff;margin-right:.4rem}
.verdict-official{background:#e8f7ee;border-color:#1a7f37}.verdict-official .verdict-icon{background:#1a7f37}.verdict-official .verdict-title{color:#0f5323}
.verdict-impersonation{background:#fdecea;border-color:#c62828}.verdict-impersonation .verdict-icon{background:#c62828}.verdict-impersonation .verdict-title{color:#8e1b1b}
.verdict-not_official{background:#fff4e5;border-color:#b25e00}.verdict-not_official .verdict-icon{background:#b25e00}.verdict-not_official .verdict-title{color:#7a4000}
.verdict-unknown{background:#f1f3f5;border-color:#5f6b76}.verdict-unknown .verdict-icon{background:#5f6b76}.verdict-unknown .verdict-title{color:#333d47}
.verdict h2{font-size:1.05rem;margin:1rem 0 .25rem}.verdict-reasons li{margin:.3rem 0}
.verify-form{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;margin:1rem 0}.verify-form label{flex-basis:100%;font-weight:600}
.verify-form input[type=text]{flex:1 1 20rem;font-size:1.1rem;padding:.5rem}
.button.report{display:inline-block;background:#c62828;color:#fff;padding:.5rem 1rem;border-radius:6px;text-decoration:none}
`

function renderCodeCheck(brand: Brand, lang: Language, check: NonNullable<Parameters<typeof renderVerifyBody>[2]['code']>): SafeHtml {
  const s = VERIFY_PAGE_STRINGS[lang]
  if (!check.sent) {
    return html`<section class="verdict verdict-impersonation" role="status" aria-live="polite"><p>${fill(s.codeUnknown, { code: check.code, brand: brand.name, security: brand.addresses.security })}</p></section>`
  }
  const date = new Intl.DateTimeFormat(lang, { dateStyle: 'long', timeStyle: 'short', timeZone: brand.businessHours.timeZone }).format(check.sent.sentAt)
  return html`<section class="verdict verdict-official" role="status" aria-live="polite"><p>${fill(s.codeFound, {
    brand: brand.name,
    code: check.code,
    date,
    recipient: check.sent.maskedRecipient,
    subject: check.sent.subject,
  })}</p></section>`
}
