import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { FastifyInstance } from 'fastify'
import { loadConfig, type Config } from '../../src/config.ts'
import type { RawMessageSpool } from '../../src/intake/raw-message-spool.ts'
import type { MessageWorker } from '../../src/jobs/message-worker.ts'
import { silentLogger } from '../../src/logger.ts'
import type { PublicRouteOptions } from '../../src/public/public.routes.ts'
import { createRuntime } from '../../src/runtime.ts'
import type { SqlDialect, Store } from '../../src/store/database.ts'
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

/**
 * buildApp over a fresh database and data directory with the real runtime (spool, pipeline worker, outbox
 * transport). With `startWorker`, the pipeline runs in the background as in `maildesk serve` (the live chat
 * needs it); otherwise tests call worker.runUntilIdle().
 */
export async function createPublicTestApp(
  dialect: SqlDialect,
  options: PublicRouteOptions = {},
  env: Record<string, string> = {},
  startWorker = false,
  /** An already open store (several apps sharing one PostgreSQL schema, like several processes). */
  sharedStore?: Store,
): Promise<PublicTestApp> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'maildesk-public-'))
  const config = loadConfig({ MAILDESK_DATA_DIR: dataDir, MAILDESK_PUBLIC_URL: 'http://127.0.0.1:8080', ...env })
  const runtime = createRuntime(config, silentLogger, sharedStore ?? (await createTestDatabase(dialect)))
  if (startWorker) runtime.worker.start()
  const app = await buildApp({
    config,
    store: runtime.store,
    spool: runtime.spool,
    log: silentLogger,
    publicOptions: options,
    onSpooled: () => runtime.worker.notify(),
    transport: runtime.transport,
  })
  return {
    app,
    store: runtime.store,
    config,
    worker: runtime.worker,
    spool: runtime.spool,
    dataDir,
    async close() {
      await app.close()
      if (sharedStore) {
        await runtime.worker.stop()
        await runtime.spool.drain()
        runtime.transport.close()
      } else {
        await runtime.close()
      }
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
