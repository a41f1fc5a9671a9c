/** One line of `maildesk doctor`: what was checked, how it went, and how to fix it when it did not go well. */
export interface CheckResult {
  name: string
  status: 'ok' | 'warn' | 'fail'
  detail: string
  /** What the operator should do; set for warn and fail. */
  fix?: string
}
