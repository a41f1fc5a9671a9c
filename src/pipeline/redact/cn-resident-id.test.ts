import { describe, expect, it } from 'vitest'
import { computeResidentIdCheckChar, isResidentIdNumber } from './cn-resident-id.ts'
import { redactSensitiveData } from './redact-sensitive-data.ts'

function found(text: string): Array<[string, string]> {
  return redactSensitiveData(text).findings.map((f) => [f.type, text.slice(f.start, f.end)])
}

describe('Chinese resident ID numbers', () => {
  it.each([
    ['11010519491231002X', true],
    ['11010519491231002x', true],
    ['110105194912310021', false], // wrong check character
    ['110105199002300012', false], // 30 February
    ['11010520760101001X', false], // born in the future
    ['11010519491231002', false], // 17 characters
  ])('%s is valid: %s', (id, valid) => {
    expect(isResidentIdNumber(id, new Date('2026-01-01T00:00:00Z'))).toBe(valid)
  })

  it('computes the GB 11643 check character', () => {
    expect(computeResidentIdCheckChar('11010519491231002')).toBe('X')
  })

  it.each<[string, string, Array<[string, string]>]>([
    ['after 身份证号', '身份证号11010519491231002X，请核实', [['cn_resident_id', '11010519491231002X']]],
    ['in English text', 'my ID is 11010519491231002X.', [['cn_resident_id', '11010519491231002X']]],
    ['with a wrong check digit', '身份证号110105194912310021', []],
    ['labelled as a tracking number', 'Tracking number 11010519491231002X', []],
    ['inside a longer digit run', '911010519491231002X', []],
  ])('%s', (_name, text, expected) => {
    expect(found(text)).toEqual(expected)
  })

  it('removes the ID', () => {
    expect(redactSensitiveData('身份证号11010519491231002X').text).toBe('身份证号[身份证号已删除]')
  })
})
