import path from 'node:path'
import type { Config } from './config.ts'
import { RawMessageSpool } from './intake/raw-message-spool.ts'
import { MessageWorker, type MessageWorkerOptions } from './jobs/message-worker.ts'
import type { Logger } from './logger.ts'
import { createMailTransport, type MailTransport } from './notify/mail-transport.ts'
import type { PipelineContext } from './pipeline/process-message.ts'
import { openDatabase, sqlitePathIn, type Store } from './store/database.ts'
import { AttachmentStore } from './tickets/attachment-store.ts'

/** What every command that touches stored mail shares: the database, the spool and the pipeline worker. */
export interface Runtime {
  config: Config
  log: Logger
  store: Store
  spool: RawMessageSpool
  worker: MessageWorker
  pipeline: PipelineContext
  /** Outbound mail: the SMTP relay or the local outbox, DKIM-signed (the key is created on first start). */
  transport: MailTransport
  close(): Promise<void>
}

/** Opens the database named by the config (migrating it) and wires everything to it. */
export async function openRuntime(config: Config, log: Logger, workerOptions: MessageWorkerOptions = {}): Promise<Runtime> {
  const store = await openDatabase({ databaseUrl: config.databaseUrl, sqlitePath: sqlitePathIn(config.dataDir) })
  return createRuntime(config, log, store, workerOptions)
}

/** Wires the spool, the pipeline and the worker to an open store; close() also closes the store. */
export function createRuntime(config: Config, log: Logger, store: Store, workerOptions: MessageWorkerOptions = {}): Runtime {
  const pipeline: PipelineContext = {
    limits: { maxAttachments: config.maxAttachments, maxAttachmentBytes: config.maxAttachmentBytes },
    attachments: new AttachmentStore(path.join(config.dataDir, 'attachments')),
    ticketPrefix: config.brand.ticketPrefix,
  }
  const spool = new RawMessageSpool(store.db)
  const worker = new MessageWorker(store, pipeline, log.child({ component: 'pipeline' }), {
    leaseMs: config.workerLeaseMs,
    ...workerOptions,
  })
  spool.onSpooled(() => worker.notify())
  const transport = createMailTransport(config, log)
  return {
    config,
    log,
    store,
    spool,
    worker,
    pipeline,
    transport,
    async close() {
      await worker.stop()
      await spool.drain()
      transport.close()
      await store.destroy()
    },
  }
}
