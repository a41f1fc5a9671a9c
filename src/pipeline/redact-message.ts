import type { ParsedAttachment, ParsedMessage } from './parse-message.ts'
import { redactHtml } from './redact/redact-html.ts'
import { FINDING_TYPES, redactSensitiveData, summarizeFindings, type Finding, type FindingType } from './redact/redact-sensitive-data.ts'
import { redactTextAttachment } from './redact/redact-text-attachment.ts'

export interface RedactionSummary {
  /** Kinds and counts only, never values: what the acknowledgement and the agent's markers talk about. */
  counts: Array<{ type: FindingType; count: number }>
}

/**
 * The redact stage: subject, text, HTML (without breaking the markup) and text-like attachments, before anything
 * is stored for display or indexed for search. Returns the redacted message and what was removed.
 */
export function redactMessage(parsed: ParsedMessage): { message: ParsedMessage; summary: RedactionSummary } {
  const findings: Finding[] = []
  const subject = redactSensitiveData(parsed.subject)
  findings.push(...subject.findings)
  const text = parsed.text === undefined ? undefined : redactSensitiveData(parsed.text)
  if (text) findings.push(...text.findings)
  const html = parsed.html === undefined ? undefined : redactHtml(parsed.html)
  // The HTML is usually the same words as the text part; count its findings only when there is no text part.
  if (html && !text) findings.push(...html.findings)
  const attachments: ParsedAttachment[] = parsed.attachments.map((a) => {
    const redacted = redactTextAttachment(a.contentType, a.content)
    if (!redacted || redacted.findings.length === 0) return a
    findings.push(...redacted.findings)
    return { ...a, content: redacted.bytes }
  })
  const byType = summarizeFindings(findings)
  const counts = FINDING_TYPES.filter((type) => byType[type] > 0).map((type) => ({ type, count: byType[type] }))
  return {
    message: { ...parsed, subject: subject.text, text: text?.text, html: html?.html, attachments },
    summary: { counts },
  }
}
