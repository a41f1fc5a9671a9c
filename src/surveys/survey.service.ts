import { getSigningKey, isValidSignature, signPayload } from '../public/signing-key.ts'
import type { Db } from '../store/database.ts'
import { insertTicketEvent } from '../tickets/ticket-event.repository.ts'
import { findTicketById } from '../tickets/ticket.repository.ts'

const KEY_PURPOSE = 'survey'
const DEFAULT_TTL_MS = 30 * 24 * 3600_000 // 30 days

/** `<ticketId>.<expiresAtSeconds>.<signature>`: the link itself is the credential, nothing is stored until used. */
export async function createSurveyToken(db: Db, ticketId: number, now: Date, ttlMs = DEFAULT_TTL_MS): Promise<string> {
  const payload = `${ticketId}.${Math.floor((now.getTime() + ttlMs) / 1000)}`
  return `${payload}.${signPayload(await getSigningKey(db, KEY_PURPOSE), payload)}`
}

/** The five one-click rating links for the "solved" mail, 1 (very poor) to 5 (excellent). */
export async function createSurveyLinks(db: Db, publicUrl: string, ticketId: number, now: Date): Promise<Array<{ rating: number; url: string }>> {
  const token = await createSurveyToken(db, ticketId, now)
  return [1, 2, 3, 4, 5].map((rating) => ({ rating, url: `${publicUrl}/survey/${token}/${rating}` }))
}

/** The ticket a survey token is for, or undefined when it is forged, malformed or expired. */
export async function readSurveyToken(db: Db, token: string, now: Date): Promise<number | undefined> {
  const match = /^(\d{1,12})\.(\d{1,12})\.([\w-]{43})$/.exec(token)
  if (!match?.[1] || !match[2] || !match[3]) return undefined
  if (!isValidSignature(await getSigningKey(db, KEY_PURPOSE), `${match[1]}.${match[2]}`, match[3])) return undefined
  if (Number(match[2]) * 1000 < now.getTime()) return undefined
  return Number(match[1])
}

/** Records (or changes) the rating of a ticket; a later click replaces an earlier one. */
export async function recordSurveyRating(db: Db, ticketId: number, rating: number, now: Date): Promise<boolean> {
  if (!Number.isInteger(rating) || rating < 1 || rating > 5) return false
  if (!(await findTicketById(db, ticketId))) return false
  await db
    .insertInto('survey_responses')
    .values({ ticket_id: ticketId, rating, comment: null, created_at: now.toISOString(), updated_at: now.toISOString() })
    .onConflict((oc) => oc.column('ticket_id').doUpdateSet({ rating, updated_at: now.toISOString() }))
    .execute()
  await insertTicketEvent(db, { ticketId, type: 'survey_rated', actor: 'customer', data: { rating }, now })
  return true
}

export async function recordSurveyComment(db: Db, ticketId: number, comment: string, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('survey_responses')
    .set({ comment: comment.slice(0, 2000), updated_at: now.toISOString() })
    .where('ticket_id', '=', ticketId)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) > 0
}

export interface SurveySummary {
  responses: number
  averageRating: number | null
  /** Count per rating, "1" … "5". */
  distribution: Record<'1' | '2' | '3' | '4' | '5', number>
  /** Share of 4 and 5 ratings (CSAT), 0–1. */
  satisfiedShare: number | null
  comments: Array<{ ticketId: number; rating: number; comment: string; at: string }>
}

/** Ratings answered between `from` and `to` (ISO, inclusive–exclusive), for the dashboard. */
export async function summarizeSurveys(db: Db, range: { from?: string | undefined; to?: string | undefined }): Promise<SurveySummary> {
  let query = db.selectFrom('survey_responses').select(['ticket_id', 'rating', 'comment', 'updated_at'])
  if (range.from) query = query.where('updated_at', '>=', range.from)
  if (range.to) query = query.where('updated_at', '<', range.to)
  const rows = await query.orderBy('updated_at', 'desc').execute()
  const distribution = { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 }
  let sum = 0
  for (const r of rows) {
    const key = String(r.rating)
    if (key === '1' || key === '2' || key === '3' || key === '4' || key === '5') distribution[key]++
    sum += r.rating
  }
  const n = rows.length
  return {
    responses: n,
    averageRating: n ? Math.round((sum / n) * 100) / 100 : null,
    distribution,
    satisfiedShare: n ? Math.round(((distribution['4'] + distribution['5']) / n) * 1000) / 1000 : null,
    comments: rows
      .filter((r) => r.comment)
      .slice(0, 20)
      .map((r) => ({ ticketId: r.ticket_id, rating: r.rating, comment: r.comment ?? '', at: r.updated_at })),
  }
}
