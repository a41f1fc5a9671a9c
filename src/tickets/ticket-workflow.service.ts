import type { AuthenticatedAgent } from '../agents/agent.ts'
import { findAgentById } from '../agents/agent.repository.ts'
import { insertAuditEntry } from '../agents/audit-log.repository.ts'
import { InvalidInputError, NotFoundError } from '../errors.ts'
import type { Db } from '../store/database.ts'
import { insertTicketEvent } from './ticket-event.repository.ts'
import { insertTicketMessage } from './ticket-message.repository.ts'
import { findTicketById, updateTicket } from './ticket.repository.ts'
import type { TicketRow, TicketUpdate } from './ticket.table.ts'
import { MAX_TAGS, type TicketChanges } from './ticket-workflow.ts'

export interface ActingAgent {
  agent: AuthenticatedAgent
  ip?: string | null
}

function parseTags(json: string): string[] {
  const value: unknown = JSON.parse(json)
  return Array.isArray(value) ? value.filter((t): t is string => typeof t === 'string') : []
}

/** @throws NotFoundError when there is no such ticket. */
export async function getTicketById(db: Db, id: number): Promise<TicketRow> {
  const ticket = await findTicketById(db, id)
  if (!ticket) throw new NotFoundError('ticket not found')
  return ticket
}

/**
 * Applies status, priority, category, assignee and tag changes to one ticket; each change becomes a ticket
 * event and an audit entry. Returns the names of the fields that changed.
 * @throws NotFoundError for an unknown ticket or assignee; InvalidInputError for too many tags.
 */
export async function changeTicket(db: Db, actor: ActingAgent, ticketId: number, changes: TicketChanges, now: Date): Promise<string[]> {
  return db.transaction().execute(async (trx) => {
    const ticket = await getTicketById(trx, ticketId)
    const update: TicketUpdate = {}
    const events: { type: string; data: Record<string, unknown> }[] = []
    if (changes.status !== undefined && changes.status !== ticket.status) {
      update.status = changes.status
      if (changes.status === 'solved' || changes.status === 'closed') update.solved_at = ticket.solved_at ?? now.toISOString()
      else update.solved_at = null
      events.push({ type: 'status_changed', data: { from: ticket.status, to: changes.status } })
    }
    if (changes.priority !== undefined && changes.priority !== ticket.priority) {
      update.priority = changes.priority
      events.push({ type: 'priority_changed', data: { from: ticket.priority, to: changes.priority } })
    }
    if (changes.category !== undefined && changes.category !== ticket.category) {
      update.category = changes.category
      events.push({ type: 'category_changed', data: { from: ticket.category, to: changes.category } })
    }
    if (changes.assigneeAgentId !== undefined && changes.assigneeAgentId !== ticket.assignee_agent_id) {
      if (changes.assigneeAgentId !== null && !(await findAgentById(trx, changes.assigneeAgentId))) {
        throw new NotFoundError(`no agent with id ${changes.assigneeAgentId}`)
      }
      update.assignee_agent_id = changes.assigneeAgentId
      events.push({ type: 'assigned', data: { from: ticket.assignee_agent_id, to: changes.assigneeAgentId } })
    }
    if (changes.tags !== undefined || changes.addTags !== undefined || changes.removeTags !== undefined) {
      const before = parseTags(ticket.tags)
      let after = changes.tags ? [...changes.tags] : [...before]
      for (const t of changes.addTags ?? []) if (!after.includes(t)) after.push(t)
      after = after.filter((t) => !(changes.removeTags ?? []).includes(t))
      after = [...new Set(after)]
      if (after.length > MAX_TAGS) throw new InvalidInputError(`a ticket can have at most ${MAX_TAGS} tags (got ${after.length})`, 'tags')
      if (after.join('\u0000') !== before.join('\u0000')) {
        update.tags = JSON.stringify(after)
        events.push({ type: 'tags_changed', data: { added: after.filter((t) => !before.includes(t)), removed: before.filter((t) => !after.includes(t)) } })
      }
    }
    if (events.length === 0) return []
    update.updated_at = now.toISOString()
    await updateTicket(trx, ticketId, update)
    for (const e of events) {
      await insertTicketEvent(trx, { ticketId, type: e.type, actor: String(actor.agent.id), data: e.data, now })
      await insertAuditEntry(trx, { agentId: actor.agent.id, action: `ticket.${e.type}`, targetType: 'ticket', targetId: ticketId, data: e.data, ip: actor.ip ?? null, now })
    }
    return Object.keys(update).filter((k) => k !== 'updated_at')
  })
}

/** Applies the same changes to many tickets; returns how many changed. */
export async function changeTickets(db: Db, actor: ActingAgent, ticketIds: number[], changes: TicketChanges, now: Date): Promise<number> {
  let changed = 0
  for (const id of new Set(ticketIds)) {
    if ((await changeTicket(db, actor, id, changes, now)).length > 0) changed++
  }
  return changed
}

/**
 * Adds an internal note (never sent to the customer) to a ticket.
 * @throws NotFoundError for an unknown ticket; InvalidInputError for an empty note.
 */
export async function addInternalNote(db: Db, actor: ActingAgent, ticketId: number, text: string, now: Date): Promise<number> {
  const body = text.trim()
  if (body.length === 0) throw new InvalidInputError('a note needs some text', 'text')
  return db.transaction().execute(async (trx) => {
    const ticket = await getTicketById(trx, ticketId)
    const message = await insertTicketMessage(trx, {
      ticket_id: ticketId,
      raw_message_id: null,
      direction: 'note',
      message_id_header: null,
      in_reply_to: null,
      from_address: actor.agent.email,
      from_name: actor.agent.displayName,
      subject: ticket.subject,
      sent_at: null,
      received_at: now.toISOString(),
      text_body: body,
      html_body: null,
      created_at: now.toISOString(),
      agent_id: actor.agent.id,
    })
    await updateTicket(trx, ticketId, { updated_at: now.toISOString() })
    await insertTicketEvent(trx, { ticketId, type: 'note_added', actor: String(actor.agent.id), data: { messageId: message.id }, now })
    await insertAuditEntry(trx, { agentId: actor.agent.id, action: 'ticket.note_added', targetType: 'ticket', targetId: ticketId, data: { messageId: message.id }, ip: actor.ip ?? null, now })
    return message.id
  })
}

/**
 * Merges `sourceId` into `targetId`: the source's messages move to the target (attachments follow their
 * messages), the source is closed and points at the target, and both record the merge.
 * @throws InvalidInputError when merging a ticket into itself or into a merged ticket; NotFoundError when either is unknown.
 */
export async function mergeTickets(db: Db, actor: ActingAgent, sourceId: number, targetId: number, now: Date): Promise<void> {
  if (sourceId === targetId) throw new InvalidInputError('a ticket cannot be merged into itself', 'targetTicket')
  await db.transaction().execute(async (trx) => {
    const source = await getTicketById(trx, sourceId)
    const target = await getTicketById(trx, targetId)
    if (source.merged_into_ticket_id !== null) throw new InvalidInputError('this ticket was already merged into another one', 'ticket')
    if (target.merged_into_ticket_id !== null) throw new InvalidInputError('the target ticket was itself merged; merge into the ticket it points to', 'targetTicket')
    const moved = await trx.updateTable('ticket_messages').set({ ticket_id: targetId }).where('ticket_id', '=', sourceId).executeTakeFirst()
    const lastMessageAt = source.last_message_at > target.last_message_at ? source.last_message_at : target.last_message_at
    const tags = [...new Set([...parseTags(target.tags), ...parseTags(source.tags)])].slice(0, MAX_TAGS)
    await updateTicket(trx, targetId, { last_message_at: lastMessageAt, updated_at: now.toISOString(), tags: JSON.stringify(tags) })
    await updateTicket(trx, sourceId, { merged_into_ticket_id: targetId, status: 'closed', solved_at: source.solved_at ?? now.toISOString(), updated_at: now.toISOString() })
    const data = { sourceTicketId: sourceId, targetTicketId: targetId, movedMessages: Number(moved.numUpdatedRows) }
    await insertTicketEvent(trx, { ticketId: sourceId, type: 'merged_into', actor: String(actor.agent.id), data, now })
    await insertTicketEvent(trx, { ticketId: targetId, type: 'merged_from', actor: String(actor.agent.id), data, now })
    await insertAuditEntry(trx, { agentId: actor.agent.id, action: 'ticket.merge', targetType: 'ticket', targetId: targetId, data, ip: actor.ip ?? null, now })
  })
}
