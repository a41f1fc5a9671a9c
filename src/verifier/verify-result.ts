import type { Language } from '../brand.ts'
import type { VerifierReasonCode } from '../i18n/verifier.ts'

export type Verdict = 'official' | 'impersonation' | 'not_official' | 'unknown'
export type InputKind = 'email' | 'domain' | 'url' | 'phone' | 'email_message' | 'unknown'

/** A reason before it is put into words: a stable code and the facts the message quotes. */
export interface ReasonFinding {
  code: VerifierReasonCode
  params?: Record<string, string>
}

export interface VerifyResult {
  verdict: Verdict
  inputKind: InputKind
  reasons: Array<{ code: string; message: string }>
}

export type VerifyLanguage = Language
