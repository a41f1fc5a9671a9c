import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { FastifyInstance } from 'fastify'
import { loadConfig, type Config } from '../../src/config.ts'
import { RawMessageSpool } from '../../src/intake/raw-message-spool.ts'
import { MessageWorker } from '../../src/jobs/message-worker.ts'
import { silentLogger } from '../../src/logger.ts'
import type { PipelineContext } from '../../src/pipeline/process-message.ts'
import type { PublicRouteOptions } from '../../src/public/public.routes.ts'
import type { SqlDialect, Store } from '../../src/store/database.ts'
import { AttachmentStore } from '../../src/tickets/attachment-store.ts'
import { buildApp } from '../../src/web/app.ts'
import { createTestDatabase } from '../helpers/test-database.ts'

export interface PublicTestApp {
  app: FastifyInstance
  store: Store
  config: Config
  worker: MessageWorker
  spool: RawMessageSpool
  dataDir: string
  close(): Promise<void>
}

/** buildApp over a fresh database and data directory, with the real spool and pipeline worker (not started). */
export async function createPublicTestApp(dialect: SqlDialect, options: PublicRouteOptions = {}, env: Record<string, string> = {}): Promise<PublicTestApp> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'maildesk-public-'))
  const config = loadConfig({ MAILDESK_DATA_DIR: dataDir, MAILDESK_PUBLIC_URL: 'http://127.0.0.1:8080', ...env })
  const store = await createTestDatabase(dialect)
  const pipeline: PipelineContext = {
    limits: { maxAttachments: config.maxAttachments, maxAttachmentBytes: config.maxAttachmentBytes },
    attachments: new AttachmentStore(path.join(dataDir, 'attachments')),
    ticketPrefix: config.brand.ticketPrefix,
  }
  const spool = new RawMessageSpool(store.db)
  const worker = new MessageWorker(store, pipeline, silentLogger)
  const app = await buildApp({ config, store, spool, log: silentLogger, publicOptions: options })
  return {
    app,
    store,
    config,
    worker,
    spool,
    dataDir,
    async close() {
      await app.close()
      await spool.drain()
      await store.destroy()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

export interface UploadPart {
  name: string
  filename: string
  contentType: string
  content: Buffer
}

/** A multipart/form-data body as a browser sends it: fields first, then files. */
export function multipartBody(fields: Record<string, string>, files: UploadPart[] = []): { payload: Buffer; headers: Record<string, string> } {
  const boundary = '----maildesktest' + Math.random().toString(16).slice(2)
  const chunks: Buffer[] = []
  for (const [name, value] of Object.entries(fields)) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`))
  }
  for (const f of files) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${f.name}"; filename="${f.filename}"\r\nContent-Type: ${f.contentType}\r\n\r\n`))
    chunks.push(f.content, Buffer.from('\r\n'))
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`))
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } }
}

/** The value of a hidden input in a served page. */
export function hiddenInput(page: string, name: string): string {
  const match = new RegExp(`name="${name}" value="([^"]*)"`).exec(page)
  if (!match?.[1]) throw new Error(`no hidden input ${name} in the page`)
  return match[1]
}
