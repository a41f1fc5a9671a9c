import { sql } from 'kysely'
import type { Store } from '../store/database.ts'

export interface DashboardData {
  from: string
  to: string
  /** Tickets opened per day (UTC dates). */
  volume: { date: string; count: number }[]
  /** Minutes from opening to the first agent reply / to solved: median and 90th percentile. */
  firstResponseMinutes: { median: number | null; p90: number | null; count: number }
  resolutionMinutes: { median: number | null; p90: number | null; count: number }
  /** Tickets with a deadline that met it (answered or solved in time, or not yet due), as a share. */
  slaCompliance: { met: number; breached: number; ratio: number | null }
  categories: { category: string; count: number }[]
  /** Phishing reports per day: from the phishing reports table when it exists, else tickets in category phishing. */
  phishingReports: { date: string; count: number }[]
  phishingSource: 'phishing_reports' | 'tickets'
}

function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))
  return Math.round(sorted[index] ?? 0)
}

function durationStats(pairs: { start: string; end: string | null }[]) {
  const minutes = pairs
    .filter((p): p is { start: string; end: string } => p.end !== null)
    .map((p) => (Date.parse(p.end) - Date.parse(p.start)) / 60_000)
    .filter((m) => Number.isFinite(m) && m >= 0)
    .sort((a, b) => a - b)
  return { median: percentile(minutes, 0.5), p90: percentile(minutes, 0.9), count: minutes.length }
}

function daysBetween(from: Date, to: Date): string[] {
  const days: string[] = []
  for (let t = Date.parse(from.toISOString().slice(0, 10)); t <= to.getTime(); t += 86_400_000) days.push(new Date(t).toISOString().slice(0, 10))
  return days
}

async function tableExists(store: Store, name: string): Promise<boolean> {
  const result =
    store.dialect === 'sqlite'
      ? await sql<{ n: number }>`select count(*) as n from sqlite_master where type = 'table' and name = ${name}`.execute(store.db)
      : await sql<{ n: number }>`select count(*)::int as n from information_schema.tables where table_schema = current_schema() and table_name = ${name}`.execute(store.db)
  return Number(result.rows[0]?.n ?? 0) > 0
}

/** The dashboard's figures for tickets opened in [from, to]. */
export async function loadDashboard(store: Store, range: { from: Date; to: Date; now: Date }): Promise<DashboardData> {
  const db = store.db
  const fromIso = range.from.toISOString()
  const toIso = range.to.toISOString()
  const day = sql<string>`substr(created_at, 1, 10)`
  const perDay = await db
    .selectFrom('tickets')
    .select([day.as('date'), (eb) => eb.fn.countAll<number | string>().as('n')])
    .where('created_at', '>=', fromIso)
    .where('created_at', '<=', toIso)
    .where('merged_into_ticket_id', 'is', null)
    .groupBy(day)
    .execute()
  const counts = new Map(perDay.map((r) => [r.date, Number(r.n)]))
  const days = daysBetween(range.from, range.to)
  const tickets = await db
    .selectFrom('tickets')
    .select(['created_at', 'first_replied_at', 'solved_at', 'due_at', 'status'])
    .where('created_at', '>=', fromIso)
    .where('created_at', '<=', toIso)
    .where('merged_into_ticket_id', 'is', null)
    .limit(200_000)
    .execute()
  let met = 0
  let breached = 0
  for (const t of tickets) {
    if (!t.due_at) continue
    const doneAt = t.first_replied_at ?? t.solved_at
    if (doneAt ? doneAt <= t.due_at : range.now.toISOString() <= t.due_at) met++
    else breached++
  }
  const categories = await db
    .selectFrom('tickets')
    .select(['category', (eb) => eb.fn.countAll<number | string>().as('n')])
    .where('created_at', '>=', fromIso)
    .where('created_at', '<=', toIso)
    .where('merged_into_ticket_id', 'is', null)
    .groupBy('category')
    .orderBy('category')
    .execute()

  let phishingSource: DashboardData['phishingSource'] = 'tickets'
  let phishingRows: { date: string; n: number | string }[]
  if (await tableExists(store, 'phishing_reports')) {
    phishingSource = 'phishing_reports'
    const result = await sql<{ date: string; n: number | string }>`select substr(reported_at, 1, 10) as date, count(*) as n from phishing_reports
      where reported_at >= ${fromIso} and reported_at <= ${toIso} group by substr(reported_at, 1, 10)`.execute(db)
    phishingRows = result.rows
  } else {
    phishingRows = await db
      .selectFrom('tickets')
      .select([day.as('date'), (eb) => eb.fn.countAll<number | string>().as('n')])
      .where('category', '=', 'phishing')
      .where('created_at', '>=', fromIso)
      .where('created_at', '<=', toIso)
      .groupBy(day)
      .execute()
  }
  const phishing = new Map(phishingRows.map((r) => [r.date, Number(r.n)]))
  return {
    from: fromIso,
    to: toIso,
    volume: days.map((date) => ({ date, count: counts.get(date) ?? 0 })),
    firstResponseMinutes: durationStats(tickets.map((t) => ({ start: t.created_at, end: t.first_replied_at }))),
    resolutionMinutes: durationStats(tickets.map((t) => ({ start: t.created_at, end: t.solved_at }))),
    slaCompliance: { met, breached, ratio: met + breached === 0 ? null : met / (met + breached) },
    categories: categories.map((c) => ({ category: c.category, count: Number(c.n) })),
    phishingReports: days.map((date) => ({ date, count: phishing.get(date) ?? 0 })),
    phishingSource,
  }
}
