import { EventEmitter } from 'node:events'
import { sql } from 'kysely'
import type pg from 'pg'
import type { Logger } from '../logger.ts'
import type { Store } from '../store/database.ts'

/** What one process tells the others about a live chat: a new message, a new conversation, or its end. */
export interface ChatEvent {
  kind: 'message' | 'started' | 'ended'
  conversationId: number
  ticketNumber?: string | undefined
  from?: 'customer' | 'agent' | undefined
  /** Display name of the agent who wrote (agent messages only). */
  agentName?: string | undefined
  /** Already redacted; at most a few kilobytes (PostgreSQL NOTIFY payloads stop at 8000 bytes). */
  text?: string | undefined
  at: string
}

/** Delivers chat events to every subscriber in every process of the installation. */
export interface ChatBus {
  publish(event: ChatEvent): Promise<void>
  subscribe(handler: (event: ChatEvent) => void): () => void
  close(): Promise<void>
}

/** One process (SQLite installations): an EventEmitter. */
export class InProcessChatBus implements ChatBus {
  private readonly emitter = new EventEmitter().setMaxListeners(0)

  async publish(event: ChatEvent): Promise<void> {
    this.emitter.emit('event', event)
  }

  subscribe(handler: (event: ChatEvent) => void): () => void {
    this.emitter.on('event', handler)
    return () => this.emitter.off('event', handler)
  }

  async close(): Promise<void> {
    this.emitter.removeAllListeners()
  }
}

/**
 * Several processes on PostgreSQL: NOTIFY through the store's pool, LISTEN on one dedicated connection
 * that reconnects with back-off. Delivery is at-most-once (a process that is reconnecting misses events);
 * the transcript in the database stays complete, and clients reload it on resume.
 */
export class PostgresChatBus implements ChatBus {
  private readonly local = new InProcessChatBus()
  private client: pg.Client | undefined
  private closed = false
  private retryMs = 500

  private constructor(
    private readonly store: Store,
    private readonly url: string,
    private readonly channel: string,
    private readonly log: Logger,
  ) {}

  /** Opens the listening connection; the channel is per schema so installations sharing a server stay apart. */
  static async open(store: Store, url: string, log: Logger): Promise<PostgresChatBus> {
    const row = await sql<{ schema: string }>`select current_schema() as schema`.execute(store.db)
    const schema = (row.rows[0]?.schema ?? 'public').replace(/[^a-z0-9_]/gi, '_')
    const bus = new PostgresChatBus(store, url, `maildesk_chat_${schema}`.slice(0, 63), log)
    await bus.connect()
    return bus
  }

  private async connect(): Promise<void> {
    // Loaded only when chat runs over PostgreSQL (see store/database.ts).
    const { default: pgDriver } = await import('pg')
    const client = new pgDriver.Client({ connectionString: this.url })
    client.on('notification', (message) => {
      if (message.channel !== this.channel || !message.payload) return
      try {
        void this.local.publish(JSON.parse(message.payload) as ChatEvent)
      } catch {
        this.log.warn({ channel: this.channel }, 'chat notification was not JSON')
      }
    })
    client.on('error', (err) => {
      this.log.warn({ err }, 'chat bus connection lost; reconnecting')
      this.reconnectLater()
    })
    await client.connect()
    await client.query(`LISTEN "${this.channel}"`)
    this.client = client
    this.retryMs = 500
  }

  private reconnectLater(): void {
    const old = this.client
    this.client = undefined
    void old?.end().catch(() => {})
    if (this.closed) return
    const delay = this.retryMs
    this.retryMs = Math.min(this.retryMs * 2, 30_000)
    setTimeout(() => {
      if (!this.closed) this.connect().catch(() => this.reconnectLater())
    }, delay).unref()
  }

  async publish(event: ChatEvent): Promise<void> {
    await sql`select pg_notify(${this.channel}, ${JSON.stringify(event)})`.execute(this.store.db)
  }

  subscribe(handler: (event: ChatEvent) => void): () => void {
    return this.local.subscribe(handler)
  }

  async close(): Promise<void> {
    this.closed = true
    await this.local.close()
    await this.client?.end().catch(() => {})
  }
}

/** PostgreSQL LISTEN/NOTIFY when the store is PostgreSQL (and its URL is known), else in-process. */
export async function createChatBus(store: Store, databaseUrl: string | undefined, log: Logger): Promise<ChatBus> {
  if (store.dialect === 'postgres' && databaseUrl) return PostgresChatBus.open(store, databaseUrl, log)
  return new InProcessChatBus()
}
