import { describe, expect, it } from 'vitest'
import { readEmailFixture } from '../../test/helpers/fixtures.ts'
import { bounceSeverity, parseDeliveryStatus } from './delivery-status.ts'

const OURS = '<7.5f1c2a9e0b3d4c6a.9c1e4b7a2d3f5e6a7b8c9d0e@okpay.com>'

function read(name: string) {
  return readEmailFixture(`bounces/${name}`).toString('utf8')
}

describe('parseDeliveryStatus', () => {
  const cases: Array<{ file: string; recipient: string; action: string; status: string; severity: 'hard' | 'soft'; codes: string[] }> = [
    { file: 'postfix-hard-user-unknown.eml', recipient: 'jane.doe@example.com', action: 'failed', status: '5.1.1', severity: 'hard', codes: ['7KQM-4XPT'] },
    { file: 'exim-hard-mailbox-disabled.eml', recipient: 'li.wei@example.cn', action: 'failed', status: '5.0.0', severity: 'hard', codes: ['7KQM-4XPT'] },
    { file: 'gmail-hard-no-such-user.eml', recipient: 'wang.fang.okp@gmail.com', action: 'failed', status: '5.1.1', severity: 'hard', codes: [] },
    { file: 'postfix-soft-delayed.eml', recipient: 'jane.doe@example.com', action: 'delayed', status: '4.4.1', severity: 'soft', codes: [] },
  ]
  for (const c of cases) {
    it(`reads ${c.file}: ${c.recipient} ${c.action} ${c.status} (${c.severity}) and our Message-ID`, () => {
      const report = parseDeliveryStatus(read(c.file))
      expect(report).toBeDefined()
      expect(report?.recipients).toHaveLength(1)
      const r = report?.recipients[0]
      expect(r?.finalRecipient).toBe(c.recipient)
      expect(r?.action).toBe(c.action)
      expect(r?.status).toBe(c.status)
      expect(r && bounceSeverity(r)).toBe(c.severity)
      expect(report?.originalMessageIds).toContain(OURS)
      expect(report?.verificationCodes).toEqual(c.codes)
    })
  }

  it('reads the folded Diagnostic-Code as one line', () => {
    const r = parseDeliveryStatus(read('gmail-hard-no-such-user.eml'))?.recipients[0]
    expect(r?.diagnosticCode).toMatch(/^smtp; 550-5\.1\.1 The email account that you tried to reach does not exist\. Please try/)
  })

  it('takes the References of Exim and Gmail reports too', () => {
    expect(parseDeliveryStatus(read('exim-hard-mailbox-disabled.eml'))?.referencedMessageIds).toEqual([OURS])
    expect(parseDeliveryStatus(read('postfix-hard-user-unknown.eml'))?.referencedMessageIds).toEqual([])
  })

  it('is undefined for mail that is not a delivery status report', () => {
    const ooo = 'From: jane@example.com\r\nSubject: Out of office\r\nAuto-Submitted: auto-replied\r\nContent-Type: text/plain\r\n\r\nI am away until Monday.\r\n'
    expect(parseDeliveryStatus(ooo)).toBeUndefined()
    const feedback = 'From: x@example.com\r\nContent-Type: multipart/report; report-type=feedback-report; boundary=b\r\n\r\n--b\r\nContent-Type: message/feedback-report\r\n\r\nFeedback-Type: abuse\r\n--b--\r\n'
    expect(parseDeliveryStatus(feedback)).toBeUndefined()
  })

  it('is undefined for a report without recipient fields', () => {
    const broken = 'Content-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; x\r\n--b--\r\n'
    expect(parseDeliveryStatus(broken)).toBeUndefined()
  })

  it('says delivered and relayed reports are not bounces', () => {
    expect(bounceSeverity({ finalRecipient: 'a@b.c', originalRecipient: undefined, action: 'delivered', status: '2.0.0', diagnosticCode: undefined })).toBeUndefined()
    expect(bounceSeverity({ finalRecipient: 'a@b.c', originalRecipient: undefined, action: 'failed', status: '4.2.2', diagnosticCode: undefined })).toBe('soft')
  })
})
