import { describe, expect, it } from 'vitest'
import { cjkBigrams, isCjkBigram } from './cjk-bigrams.ts'

describe('cjkBigrams', () => {
  it.each([
    ['退款没有到账', '退款 款没 没有 有到 到账'],
    ['我的退款 TX123 退款', '我的 的退 退款'],
    ['refund only', ''],
    ['退', ''],
    ['カード払い', 'カー ード ド払 払い'],
    [null, ''],
    // Characters outside the BMP (emoji, CJK Extension B) end a run like any other non-CJK character.
    ['退款😀退款申请', '退款 款申 申请'],
    ['退𠀀款', ''],
    ['退款\n到账', '退款 到账'],
  ])('%s → %s', (input, expected) => {
    expect(cjkBigrams(input)).toBe(expected)
  })

  it('recognises two-character CJK terms only', () => {
    expect([isCjkBigram('退款'), isCjkBigram('退款申请'), isCjkBigram('ab'), isCjkBigram('退a')]).toEqual([true, false, false, false])
  })
})
