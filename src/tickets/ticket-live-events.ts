import type { Db } from '../store/database.ts'

/** Something happened to a ticket: the UI refreshes an open ticket or view when it sees one. */
export interface LiveTicketEvent {
  ticketId: number
  /** The ticket_events type: created, message_added, note_added, assigned, … */
  type: string
  eventId: number
}

/**
 * Publish/subscribe for live updates. In-process today; a PostgreSQL LISTEN/NOTIFY implementation can
 * stand behind the same two methods when several HTTP processes share one database.
 */
export interface LiveEventBus {
  publish(event: LiveTicketEvent): void
  /** Returns the function that unsubscribes. */
  subscribe(listener: (event: LiveTicketEvent) => void): () => void
}

export function createInProcessEventBus(): LiveEventBus {
  const listeners = new Set<(event: LiveTicketEvent) => void>()
  return {
    publish(event) {
      for (const listener of listeners) {
        try {
          listener(event)
        } catch {
          // One broken subscriber (a closed socket) must not stop the others.
        }
      }
    },
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  }
}

/**
 * Feeds the bus from the ticket_events table, which every writer (HTTP, pipeline worker, other processes)
 * appends to: polls for rows newer than the last seen id. Returns a function that stops polling.
 */
export function watchTicketEvents(db: Db, bus: LiveEventBus, options: { intervalMs?: number } = {}): () => void {
  let lastId: number | undefined
  let stopped = false
  let timer: NodeJS.Timeout | undefined
  const tick = async () => {
    try {
      if (lastId === undefined) {
        const row = await db.selectFrom('ticket_events').select((eb) => eb.fn.max('id').as('id')).executeTakeFirst()
        lastId = Number(row?.id ?? 0)
      } else {
        const rows = await db.selectFrom('ticket_events').select(['id', 'ticket_id', 'type']).where('id', '>', lastId).orderBy('id', 'asc').limit(500).execute()
        for (const r of rows) {
          lastId = r.id
          bus.publish({ ticketId: r.ticket_id, type: r.type, eventId: r.id })
        }
      }
    } catch {
      // The database is briefly unavailable or closing; try again on the next tick.
    }
    if (!stopped) timer = setTimeout(() => void tick(), options.intervalMs ?? 1000)
  }
  void tick()
  return () => {
    stopped = true
    if (timer) clearTimeout(timer)
  }
}
