/** Values agents can set on a ticket; the API validates against these lists. */
export const TICKET_STATUSES = ['new', 'open', 'pending', 'solved', 'closed'] as const
export const TICKET_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const
export const TICKET_CATEGORIES = ['transaction', 'account', 'refund', 'withdrawal', 'kyc', 'phishing', 'other'] as const
export const MAX_TAGS = 20
export const TAG_PATTERN = '^[\\p{L}\\p{N}_.:-]{1,40}$'

/** Changes one request may make to a ticket (or to many, in a bulk action). */
export interface TicketChanges {
  status?: string
  priority?: string
  category?: string
  /** null unassigns. */
  assigneeAgentId?: number | null
  /** Replaces the tags. */
  tags?: string[]
  addTags?: string[]
  removeTags?: string[]
}

/** The views an agent's inbox offers, each with a count. */
export const TICKET_VIEWS = ['new', 'mine', 'unassigned', 'overdue', 'pending', 'solved', 'all'] as const
export type TicketView = (typeof TICKET_VIEWS)[number]

export function isTicketView(value: string): value is TicketView {
  return (TICKET_VIEWS as readonly string[]).includes(value)
}
