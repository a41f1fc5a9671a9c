import { describe, expect, it } from 'vitest'
import { createBusinessCalendar, loadHolidayCalendar } from './business-calendar.ts'
import {
  assessTicketSla,
  asksForUpdate,
  businessMinutesElapsed,
  businessMinutesPaused,
  computeDueTimes,
  createSlaPolicy,
  DEFAULT_SLA_POLICY,
  isSilentTooLong,
  priorityAfterCustomerMessage,
  raisePriority,
  slaState,
  TICKET_PRIORITIES,
  type StatusChange,
} from './sla-policy.ts'

const calendar = createBusinessCalendar({
  businessHours: { timeZone: 'Asia/Shanghai', days: [1, 2, 3, 4, 5], start: '09:00', end: '18:00' },
  holidayCalendars: [loadHolidayCalendar('cn')],
})
const d = (iso: string): Date => new Date(iso)

describe('computeDueTimes', () => {
  const cases = [
    { priority: 'normal', createdAt: '2026-11-06T17:30+08:00', paused: 0, first: '2026-11-09T12:30+08:00', resolution: '2026-11-13T12:30+08:00' },
    { priority: 'urgent', createdAt: '2026-11-06T17:30+08:00', paused: 0, first: '2026-11-09T09:30+08:00', resolution: '2026-11-09T16:30+08:00' },
    { priority: 'high', createdAt: '2026-10-01T10:00+08:00', paused: 0, first: '2026-10-08T11:00+08:00', resolution: '2026-10-09T16:00+08:00' },
    { priority: 'low', createdAt: '2026-11-02T09:00+08:00', paused: 60, first: '2026-11-02T18:00+08:00', resolution: '2026-11-12T18:00+08:00' },
  ] as const
  for (const c of cases) {
    it(`${c.priority} created ${c.createdAt} with ${c.paused} min paused`, () => {
      const due = computeDueTimes(calendar, DEFAULT_SLA_POLICY, {
        createdAt: d(c.createdAt),
        priority: c.priority,
        pausedMinutes: c.paused,
      })
      expect(due.firstResponseDueAt.toISOString()).toBe(d(c.first).toISOString())
      expect(due.resolutionDueAt.toISOString()).toBe(d(c.resolution).toISOString())
    })
  }

  it('uses overridden targets', () => {
    const policy = createSlaPolicy({ targets: { normal: { firstResponseMinutes: 30 } } })
    const due = computeDueTimes(calendar, policy, { createdAt: d('2026-11-06T17:30+08:00'), priority: 'normal' })
    expect(due.firstResponseDueAt.toISOString()).toBe(d('2026-11-06T18:00+08:00').toISOString())
    expect(policy.targets.normal.resolutionMinutes).toBe(40 * 60)
  })

  it('rejects a zero target and a near ratio of 1', () => {
    expect(() => createSlaPolicy({ targets: { low: { resolutionMinutes: 0 } } })).toThrow('low.resolutionMinutes')
    expect(() => createSlaPolicy({ nearRatio: 1 })).toThrow('nearRatio')
  })
})

describe('business minutes elapsed and paused', () => {
  const changes: StatusChange[] = [
    { status: 'new', at: d('2026-11-02T09:00+08:00') },
    { status: 'open', at: d('2026-11-02T10:00+08:00') },
    { status: 'pending', at: d('2026-11-02T11:00+08:00') }, // asked the customer for the transaction ID
    { status: 'open', at: d('2026-11-03T09:30+08:00') }, // customer answered next morning
    { status: 'solved', at: d('2026-11-03T10:00+08:00') },
  ]
  const cases: Array<[string, string, number, number]> = [
    ['before the pause', '2026-11-02T10:30+08:00', 90, 0],
    ['while pending the clock stands still', '2026-11-02T17:00+08:00', 120, 360],
    ['after the customer answered', '2026-11-03T09:45+08:00', 135, 450],
    ['after solving nothing more is counted', '2026-11-04T12:00+08:00', 150, 450],
  ]
  for (const [name, now, elapsed, paused] of cases) {
    it(`${name}: ${elapsed} running, ${paused} paused`, () => {
      expect(businessMinutesElapsed(calendar, changes, d(now))).toBe(elapsed)
      expect(businessMinutesPaused(calendar, changes, d(now))).toBe(paused)
    })
  }

  it('accepts events in any order and resumes a reopened ticket', () => {
    const reopened: StatusChange[] = [
      { status: 'open', at: d('2026-11-04T09:00+08:00') },
      { status: 'new', at: d('2026-11-02T09:00+08:00') },
      { status: 'solved', at: d('2026-11-02T10:00+08:00') },
    ]
    expect(businessMinutesElapsed(calendar, reopened, d('2026-11-04T09:30+08:00'))).toBe(90)
  })
})

describe('slaState', () => {
  const cases: Array<[number, number, string]> = [
    [0, 240, 'ok'],
    [179, 240, 'ok'],
    [180, 240, 'near'],
    [240, 240, 'near'],
    [240.5, 240, 'breached'],
  ]
  for (const [elapsedMinutes, targetMinutes, state] of cases) {
    it(`${elapsedMinutes} of ${targetMinutes} minutes → ${state}`, () => {
      expect(slaState({ elapsedMinutes, targetMinutes })).toBe(state)
    })
  }
  it('honours a custom near ratio', () => expect(slaState({ elapsedMinutes: 120, targetMinutes: 240 }, 0.5)).toBe('near'))
})

describe('isSilentTooLong', () => {
  const base = { status: 'open', lastCustomerMessageAt: d('2026-11-01T10:00Z') } as const
  const cases: Array<[string, Parameters<typeof isSilentTooLong>[0], boolean]> = [
    ['exactly 7 days without a reply', { ...base, now: d('2026-11-08T10:00Z') }, true],
    ['one minute short of 7 days', { ...base, now: d('2026-11-08T09:59Z') }, false],
    ['we replied after the customer wrote', { ...base, lastAgentReplyAt: d('2026-11-02T10:00Z'), now: d('2026-11-20T10:00Z') }, false],
    ['our reply predates the customer message', { ...base, lastAgentReplyAt: d('2026-10-30T10:00Z'), now: d('2026-11-09T10:00Z') }, true],
    ['waiting for the customer is not silence', { ...base, status: 'pending', now: d('2026-11-20T10:00Z') }, false],
    ['solved tickets are not escalated', { ...base, status: 'solved', now: d('2026-11-20T10:00Z') }, false],
  ]
  for (const [name, input, expected] of cases) it(`${name} → ${expected}`, () => expect(isSilentTooLong(input)).toBe(expected))
})

describe('asksForUpdate', () => {
  const chases = [
    'Any update?',
    'Hi, any news on my refund?',
    'I am still waiting for my money.',
    "What's the status of my ticket?",
    "I haven't received any reply since Monday.",
    'Following up on my previous email.',
    '请问进展如何？',
    '我的问题处理得怎么样了',
    '已经三天了还没有回复',
    '麻烦催一下，谢谢',
    '我都等了好几天了',
    '一直没有人回复我',
  ]
  const notChases = [
    'How do I update my phone number?',
    'I was waiting at the counter when the payment failed.',
    'Please refund order 2026110300123.',
    '我想更新一下手机号码',
    '支付失败了，钱被扣了',
  ]
  for (const text of chases) it(`"${text}" asks for an update`, () => expect(asksForUpdate(text)).toBe(true))
  for (const text of notChases) it(`"${text}" does not`, () => expect(asksForUpdate(text)).toBe(false))
})

describe('priority changes', () => {
  it('raises one step at a time and stops at urgent', () => {
    expect(TICKET_PRIORITIES.map((p) => raisePriority(p))).toEqual(['normal', 'high', 'urgent', 'urgent'])
  })
  const cases: Array<[string, Parameters<typeof priorityAfterCustomerMessage>[0], string | undefined]> = [
    ['a chase on an overdue ticket raises it', { priority: 'normal', text: '还没有回复吗？', isOverdue: true }, 'high'],
    ['a chase on a ticket within target does not', { priority: 'normal', text: 'Any update?', isOverdue: false }, undefined],
    ['new details on an overdue ticket do not', { priority: 'normal', text: 'The order number is 123.', isOverdue: true }, undefined],
    ['urgent stays urgent', { priority: 'urgent', text: 'still waiting', isOverdue: true }, undefined],
  ]
  for (const [name, input, expected] of cases) it(name, () => expect(priorityAfterCustomerMessage(input)).toBe(expected))
})

describe('assessTicketSla', () => {
  const created: StatusChange = { status: 'new', at: d('2026-11-02T09:00+08:00') }
  const ticket = { priority: 'normal' as const, statusChanges: [created], lastCustomerMessageAt: created.at }

  it('a first response is near at 75 % of its 4 business hours', () => {
    const sla = assessTicketSla(calendar, DEFAULT_SLA_POLICY, ticket, d('2026-11-02T12:00+08:00'))
    expect(sla.firstResponse).toEqual({
      dueAt: d('2026-11-02T13:00+08:00'),
      elapsedMinutes: 180,
      targetMinutes: 240,
      state: 'near',
    })
    expect(sla.resolution).toEqual({ dueAt: d('2026-11-06T13:00+08:00'), elapsedMinutes: 180, targetMinutes: 2400, state: 'ok' })
    expect([sla.isOverdue, sla.escalate]).toEqual([false, false])
  })

  it('no reply past the due time is breached and overdue', () => {
    const sla = assessTicketSla(calendar, DEFAULT_SLA_POLICY, ticket, d('2026-11-02T13:30+08:00'))
    expect([sla.firstResponse.state, sla.isOverdue]).toEqual(['breached', true])
  })

  it('a reply in time is met for good', () => {
    const sla = assessTicketSla(
      calendar,
      DEFAULT_SLA_POLICY,
      { ...ticket, firstRespondedAt: d('2026-11-02T11:00+08:00') },
      d('2026-11-03T09:00+08:00'),
    )
    expect([sla.firstResponse.state, sla.firstResponse.elapsedMinutes]).toEqual(['met', 120])
  })

  it('time waiting for the customer moves the resolution due time', () => {
    const changes: StatusChange[] = [
      created,
      { status: 'pending', at: d('2026-11-02T11:00+08:00') },
      { status: 'open', at: d('2026-11-04T09:00+08:00') },
    ]
    const sla = assessTicketSla(
      calendar,
      DEFAULT_SLA_POLICY,
      { ...ticket, statusChanges: changes, firstRespondedAt: d('2026-11-02T11:00+08:00') },
      d('2026-11-04T10:00+08:00'),
    )
    expect(sla.resolution).toEqual({ dueAt: d('2026-11-10T11:00+08:00'), elapsedMinutes: 180, targetMinutes: 2400, state: 'ok' })
  })

  it('a solved ticket is met; a week of silence escalates an open one', () => {
    const solved = assessTicketSla(
      calendar,
      DEFAULT_SLA_POLICY,
      { ...ticket, statusChanges: [created, { status: 'solved', at: d('2026-11-02T10:00+08:00') }] },
      d('2026-11-20T10:00+08:00'),
    )
    expect([solved.resolution.state, solved.escalate]).toEqual(['met', false])
    const silent = assessTicketSla(calendar, DEFAULT_SLA_POLICY, ticket, d('2026-11-09T09:00+08:00'))
    expect([silent.resolution.state, silent.escalate]).toEqual(['breached', true])
  })

  it('refuses a ticket without status changes', () => {
    expect(() => assessTicketSla(calendar, DEFAULT_SLA_POLICY, { ...ticket, statusChanges: [] }, d('2026-11-02T09:00Z'))).toThrow(
      'statusChanges',
    )
  })
})
