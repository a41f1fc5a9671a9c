import { describe, expect, it } from 'vitest'
import { containsIgnoringCase } from './contains-ignoring-case.ts'

describe('containsIgnoringCase', () => {
  it('finds a term anywhere in the text, whatever the letter case of either, in any script', () => {
    expect(containsIgnoringCase('My WITHDRAWAL is pending', 'withdrawal')).toBe(1)
    expect(containsIgnoringCase('order tx20261125 refund', 'TX2026')).toBe(1)
    expect(containsIgnoringCase('Ошибка ПЛАТЕЖА', 'платежа')).toBe(1)
    expect(containsIgnoringCase('École fermée', 'ÉCOLE')).toBe(1)
    expect(containsIgnoringCase('我的退款还没有到账', '退款还没')).toBe(1)
    // Characters that mean something in a regular expression are text like any other.
    expect(containsIgnoringCase('ref TX-2026(1)*? paid [ok] {x} a|b c/d ^$ \\', 'tx-2026(1)*? PAID [OK] {X} A|B C/D ^$ \\')).toBe(1)
    expect(containsIgnoringCase('TX-20261', 'tx.2026')).toBe(0)
  })

  it('needs the characters in order and next to each other, not merely present', () => {
    // "payment" and "men pay ent" hold the same trigrams' letters, only one holds the word.
    expect(containsIgnoringCase('men pay ent', 'payment')).toBe(0)
    expect(containsIgnoringCase('pending for three days', 'pending three')).toBe(0)
    expect(containsIgnoringCase('école', 'ecole')).toBe(0)
  })

  it('answers 0 for NULL text (a message without a body) and non-text values', () => {
    expect(containsIgnoringCase(null, 'refund')).toBe(0)
    expect(containsIgnoringCase(42, '42')).toBe(0)
    expect(containsIgnoringCase('refund', null)).toBe(0)
  })
})
