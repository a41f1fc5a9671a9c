import { describe, expect, it } from 'vitest'
import { findTicketToken, normalizeSubject } from './normalize-subject.ts'

describe('normalizeSubject', () => {
  const cases: Array<[string, string]> = [
    ['Refund not received', 'Refund not received'],
    ['Re: Refund not received', 'Refund not received'],
    ['RE: Re: FW: Fwd: Refund not received', 'Refund not received'],
    ['AW: SV: Refund', 'Refund'],
    ['回复：退款没有到账', '退款没有到账'],
    ['回复: 转发：答复：退款没有到账', '退款没有到账'],
    ['回覆：轉寄：退款', '退款'],
    ['Re[2]: Re(3): refund', 'refund'],
    ['[OKP-1042] Re: Refund not received', 'Refund not received'],
    ['Re: [OKP-1042] Refund not received', 'Refund not received'],
    ['RE：[okp-77]  回复:  退款   没有到账 ', '退款 没有到账'],
    ['Re:Refund', 'Refund'],
    ['Regarding my refund', 'Regarding my refund'],
    ['Fwd - refund', 'Fwd - refund'],
    ['[External] Re: Refund', '[External] Re: Refund'],
    ['Re: ', ''],
    ['', ''],
  ]
  for (const [input, expected] of cases) {
    it(`"${input}" → "${expected}"`, () => expect(normalizeSubject(input)).toBe(expected))
  }
})

describe('findTicketToken', () => {
  const cases: Array<[string, string, number | undefined]> = [
    ['[OKP-1042] Refund', 'OKP', 1042],
    ['Re: 回复：[OKP-1042] 退款', 'OKP', 1042],
    ['Re: [okp-7] hello', 'OKP', 7],
    ['[ OKP-15 ] spaced', 'OKP', 15],
    ['About OKP-1042 without brackets', 'OKP', undefined],
    ['[ABC-1042] another brand', 'OKP', undefined],
    ['[OKP-] empty', 'OKP', undefined],
    ['[OKP-0] zero', 'OKP', undefined],
    ['No token', 'OKP', undefined],
  ]
  for (const [subject, prefix, expected] of cases) {
    it(`"${subject}" → ${String(expected)}`, () => expect(findTicketToken(subject, prefix)).toBe(expected))
  }
})
