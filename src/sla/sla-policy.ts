import { InvalidInputError } from '../errors.ts'
import { addBusinessMinutes, businessMinutesBetween, type BusinessCalendar } from './business-calendar.ts'

export const TICKET_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const
export type TicketPriority = (typeof TICKET_PRIORITIES)[number]

export type TicketStatus = 'new' | 'open' | 'pending' | 'solved' | 'closed'

/** Targets in business minutes, counted on the business calendar from the ticket's creation. */
export interface SlaTargets {
  firstResponseMinutes: number
  resolutionMinutes: number
}

export interface SlaPolicy {
  targets: Record<TicketPriority, SlaTargets>
  /** Share of a target used at which a ticket is "near" its deadline (0.75 = 75 %). */
  nearRatio: number
  /** A ticket whose customer has had no reply for this long (calendar time) is escalated: 7 days. */
  silenceEscalationMs: number
}

/**
 * Defaults for a payment company: urgent matters (fraud, stolen accounts) within the hour, everything else the
 * same or the next business day. Resolution targets are a few business days at most.
 */
export const DEFAULT_SLA_POLICY: SlaPolicy = Object.freeze({
  targets: Object.freeze({
    urgent: Object.freeze({ firstResponseMinutes: 60, resolutionMinutes: 8 * 60 }),
    high: Object.freeze({ firstResponseMinutes: 2 * 60, resolutionMinutes: 16 * 60 }),
    normal: Object.freeze({ firstResponseMinutes: 4 * 60, resolutionMinutes: 40 * 60 }),
    low: Object.freeze({ firstResponseMinutes: 8 * 60, resolutionMinutes: 80 * 60 }),
  }),
  nearRatio: 0.75,
  silenceEscalationMs: 7 * 24 * 60 * 60 * 1000, // 7 days
})

export interface SlaPolicyOverrides {
  targets?: Partial<Record<TicketPriority, Partial<SlaTargets>>>
  nearRatio?: number
  silenceEscalationMs?: number
}

/**
 * The default policy with some targets replaced.
 * @throws InvalidInputError when a target is not a positive number of minutes or nearRatio is outside (0, 1).
 */
export function createSlaPolicy(overrides: SlaPolicyOverrides = {}): SlaPolicy {
  const merge = (priority: TicketPriority): SlaTargets => {
    const merged = { ...DEFAULT_SLA_POLICY.targets[priority], ...overrides.targets?.[priority] }
    for (const [name, value] of Object.entries(merged)) {
      if (!Number.isFinite(value) || value <= 0) {
        throw new InvalidInputError(`sla ${priority}.${name} must be a positive number of minutes`, `${priority}.${name}`)
      }
    }
    return merged
  }
  const targets = { low: merge('low'), normal: merge('normal'), high: merge('high'), urgent: merge('urgent') }
  const nearRatio = overrides.nearRatio ?? DEFAULT_SLA_POLICY.nearRatio
  if (!(nearRatio > 0 && nearRatio < 1)) throw new InvalidInputError('sla nearRatio must be between 0 and 1', 'nearRatio')
  const silenceEscalationMs = overrides.silenceEscalationMs ?? DEFAULT_SLA_POLICY.silenceEscalationMs
  if (!(silenceEscalationMs > 0)) {
    throw new InvalidInputError('sla silenceEscalationMs must be positive', 'silenceEscalationMs')
  }
  return { targets, nearRatio, silenceEscalationMs }
}

export interface DueTimes {
  firstResponseDueAt: Date
  resolutionDueAt: Date
}

/**
 * When the first response and the resolution are due: the priority's targets counted in business minutes from
 * `createdAt`, pushed back by the business minutes the clock was paused (waiting for the customer).
 */
export function computeDueTimes(
  calendar: BusinessCalendar,
  policy: SlaPolicy,
  input: { createdAt: Date; priority: TicketPriority; pausedMinutes?: number },
): DueTimes {
  const target = policy.targets[input.priority]
  const paused = Math.max(0, input.pausedMinutes ?? 0)
  return {
    firstResponseDueAt: addBusinessMinutes(calendar, input.createdAt, target.firstResponseMinutes + paused),
    resolutionDueAt: addBusinessMinutes(calendar, input.createdAt, target.resolutionMinutes + paused),
  }
}

export interface StatusChange {
  status: TicketStatus
  at: Date
}

/** Statuses during which the SLA clock runs: the ticket is ours to act on. */
const RUNNING_STATUSES: ReadonlySet<TicketStatus> = new Set(['new', 'open'])

function sortedChanges(changes: StatusChange[]): StatusChange[] {
  return [...changes].sort((a, b) => a.at.getTime() - b.at.getTime())
}

/**
 * Business minutes the SLA clock ran from the first status change until `now`: it runs while the ticket is new or
 * open and stops while pending (waiting for the customer), solved or closed. A reopened ticket resumes.
 */
export function businessMinutesElapsed(calendar: BusinessCalendar, changes: StatusChange[], now: Date): number {
  return sumMinutes(calendar, changes, now, (status) => RUNNING_STATUSES.has(status))
}

/** Business minutes spent pending (waiting for the customer) from the first status change until `now`. */
export function businessMinutesPaused(calendar: BusinessCalendar, changes: StatusChange[], now: Date): number {
  return sumMinutes(calendar, changes, now, (status) => status === 'pending')
}

function sumMinutes(
  calendar: BusinessCalendar,
  changes: StatusChange[],
  now: Date,
  counts: (status: TicketStatus) => boolean,
): number {
  const sorted = sortedChanges(changes)
  let total = 0
  sorted.forEach((change, i) => {
    if (!counts(change.status)) return
    const endMs = Math.min(sorted[i + 1]?.at.getTime() ?? now.getTime(), now.getTime())
    if (endMs > change.at.getTime()) total += businessMinutesBetween(calendar, change.at, new Date(endMs))
  })
  return total
}

export type SlaState = 'ok' | 'near' | 'breached'

/**
 * Where a clock stands against its target: 'breached' once more than the target has been used (a reply exactly at
 * the due time is on time), 'near' from `nearRatio` of it, otherwise 'ok'.
 */
export function slaState(
  input: { elapsedMinutes: number; targetMinutes: number },
  nearRatio: number = DEFAULT_SLA_POLICY.nearRatio,
): SlaState {
  if (input.elapsedMinutes > input.targetMinutes) return 'breached'
  if (input.elapsedMinutes >= input.targetMinutes * nearRatio) return 'near'
  return 'ok'
}

/**
 * True when a customer has waited `policy.silenceEscalationMs` (7 days) without a reply: the last customer message
 * is newer than our last reply and the ticket is still ours to act on.
 */
export function isSilentTooLong(
  input: { status: TicketStatus; lastCustomerMessageAt: Date; lastAgentReplyAt?: Date; now: Date },
  policy: Pick<SlaPolicy, 'silenceEscalationMs'> = DEFAULT_SLA_POLICY,
): boolean {
  if (!RUNNING_STATUSES.has(input.status)) return false
  const waitingSince = input.lastCustomerMessageAt.getTime()
  if (input.lastAgentReplyAt && input.lastAgentReplyAt.getTime() >= waitingSince) return false
  return input.now.getTime() - waitingSince >= policy.silenceEscalationMs
}

/** The next priority up (urgent stays urgent). */
export function raisePriority(priority: TicketPriority): TicketPriority {
  const index = TICKET_PRIORITIES.indexOf(priority)
  return TICKET_PRIORITIES[Math.min(index + 1, TICKET_PRIORITIES.length - 1)] ?? 'urgent'
}

/*
 * Chasing phrases. Kept to phrases that only make sense as a chase; "update" alone would also match "update my
 * phone number".
 */
const UPDATE_REQUEST_PATTERNS: RegExp[] = [
  /\bany (?:update|news|progress|response|reply)s?\b/i,
  /\b(?:still|been) waiting\b/i,
  /\b(?:is there|do you have|can i get|could you give me|please (?:give|provide|send)(?: me)?) an? (?:update|status update)\b/i,
  /\bwhat(?:'s| is) the (?:status|progress|update)\b/i,
  /\b(?:no|haven'?t (?:had|got|received)(?: a| any)?) (?:reply|response|answer)\b/i,
  /\bfollow(?:ing)?[- ]up on\b/i,
  /\bchasing\b/i,
  /\bhow long (?:do i|will i|should i) (?:have to )?wait\b/i,
  /\bwhen will (?:i|you|someone)[^.?!]{0,30}\b(?:hear|reply|respond|answer|get back)\b/i,
  /进展如何|进展怎么样|有(?:什么|没有|无)?进展|处理(?:得)?(?:怎么样|如何)了|处理进度/,
  /还没(?:有)?(?:收到)?(?:回复|回音|答复|处理|消息)|一直没(?:有)?(?:回复|人回|答复|处理)|迟迟没|没人(?:回复|理|管)/,
  /催(?:一下|促|办)|再催|请尽快(?:回复|处理)/,
  /等了(?:好几|几|很多|[0-9一二两三四五六七八九十]+)(?:天|周|个星期|个月)/,
]

/** True when the text asks for news on an existing request ("any update?", "still waiting", "进展如何", "催一下"). */
export function asksForUpdate(text: string): boolean {
  return UPDATE_REQUEST_PATTERNS.some((pattern) => pattern.test(text))
}

/**
 * The raised priority when a customer chases a ticket that is past a target, otherwise undefined (no change).
 */
export function priorityAfterCustomerMessage(input: {
  priority: TicketPriority
  text: string
  isOverdue: boolean
}): TicketPriority | undefined {
  if (!input.isOverdue || input.priority === 'urgent' || !asksForUpdate(input.text)) return undefined
  return raisePriority(input.priority)
}

/** A target already reached is 'met' or 'breached' for good; an open one is 'ok', 'near' or 'breached'. */
export type SlaClockState = SlaState | 'met'

export interface SlaClock {
  dueAt: Date
  /** Business minutes the clock has run (excluding pending time), up to the reply/solution or `now`. */
  elapsedMinutes: number
  targetMinutes: number
  state: SlaClockState
}

export interface TicketSlaAssessment {
  firstResponse: SlaClock
  resolution: SlaClock
  /** No reply for `silenceEscalationMs` (7 days): escalate. */
  escalate: boolean
  /** Either clock is breached: a customer chasing now raises the priority (see priorityAfterCustomerMessage). */
  isOverdue: boolean
}

/**
 * Where a ticket stands against its SLA at `now`, for the jobs that flag tickets near or past their targets.
 * Status changes must include the creation (status 'new'); the clocks start at the earliest change.
 * @throws InvalidInputError when there are no status changes.
 */
export function assessTicketSla(
  calendar: BusinessCalendar,
  policy: SlaPolicy,
  ticket: {
    priority: TicketPriority
    statusChanges: StatusChange[]
    /** When an agent first answered the customer, if they have. */
    firstRespondedAt?: Date
    lastCustomerMessageAt: Date
    lastAgentReplyAt?: Date
  },
  now: Date,
): TicketSlaAssessment {
  const sorted = sortedChanges(ticket.statusChanges)
  const created = sorted[0]
  if (!created) throw new InvalidInputError('statusChanges must include the creation of the ticket', 'statusChanges')
  const last = sorted[sorted.length - 1] ?? created
  const target = policy.targets[ticket.priority]
  const due = computeDueTimes(calendar, policy, {
    createdAt: created.at,
    priority: ticket.priority,
    pausedMinutes: businessMinutesPaused(calendar, sorted, now),
  })

  const responseEnd = ticket.firstRespondedAt && ticket.firstRespondedAt < now ? ticket.firstRespondedAt : now
  const responseElapsed = businessMinutesElapsed(calendar, sorted, responseEnd)
  const responseOpen = !ticket.firstRespondedAt || ticket.firstRespondedAt > now
  const firstResponse: SlaClock = {
    dueAt: due.firstResponseDueAt,
    elapsedMinutes: responseElapsed,
    targetMinutes: target.firstResponseMinutes,
    state: clockState(responseOpen, responseElapsed, target.firstResponseMinutes, policy.nearRatio),
  }

  const resolutionElapsed = businessMinutesElapsed(calendar, sorted, now)
  const resolutionOpen = !(last.status === 'solved' || last.status === 'closed')
  const resolution: SlaClock = {
    dueAt: due.resolutionDueAt,
    elapsedMinutes: resolutionElapsed,
    targetMinutes: target.resolutionMinutes,
    state: clockState(resolutionOpen, resolutionElapsed, target.resolutionMinutes, policy.nearRatio),
  }

  return {
    firstResponse,
    resolution,
    escalate: isSilentTooLong(
      {
        status: last.status,
        lastCustomerMessageAt: ticket.lastCustomerMessageAt,
        lastAgentReplyAt: ticket.lastAgentReplyAt,
        now,
      },
      policy,
    ),
    isOverdue: firstResponse.state === 'breached' || resolution.state === 'breached',
  }
}

function clockState(isOpen: boolean, elapsedMinutes: number, targetMinutes: number, nearRatio: number): SlaClockState {
  const state = slaState({ elapsedMinutes, targetMinutes }, nearRatio)
  if (isOpen) return state
  return state === 'breached' ? 'breached' : 'met'
}
