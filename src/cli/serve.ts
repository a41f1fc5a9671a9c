import { ImapIntake } from '../intake/imap-intake.ts'
import { SmtpIntake } from '../intake/smtp-intake.ts'
import { officialAddresses } from '../brand.ts'
import type { Config } from '../config.ts'
import type { Logger } from '../logger.ts'
import { announceFirstAdmin } from '../agents/first-admin.ts'
import { openRuntime } from '../runtime.ts'
import { buildApp } from '../web/app.ts'

/** `maildesk serve`: HTTP, SMTP and the pipeline worker in one process, until SIGTERM or SIGINT. */
export async function serve(config: Config, log: Logger): Promise<void> {
  const runtime = await openRuntime(config, log)
  await announceFirstAdmin(runtime.store.db, config, log)
  const app = await buildApp({ config, store: runtime.store, spool: runtime.spool, log, onSpooled: () => runtime.worker.notify(), transport: runtime.transport })
  const smtp = new SmtpIntake(
    {
      host: config.host,
      port: config.smtpPort,
      acceptedRecipients: officialAddresses(config.brand),
      maxMessageBytes: config.maxMessageBytes,
      maxClients: config.smtpMaxClients,
      serverName: config.brand.officialDomains[0] ?? 'localhost',
      tls: config.smtpTls,
    },
    runtime.spool,
    log.child({ component: 'smtp' }),
  )
  const imap = new ImapIntake(config.imap.mailboxes, { db: runtime.store.db, spool: runtime.spool, log }, {
    maxMessageBytes: config.maxMessageBytes,
    alertAfterMs: config.imap.alertAfterMs,
    pollIntervalMs: config.imap.pollIntervalMs,
    leaseMs: config.imap.leaseMs,
  })
  runtime.worker.start()
  imap.start()
  const httpAddress = await app.listen({ host: config.host, port: config.httpPort })
  const smtpAddress = await smtp.listen()
  log.info(
    { http: httpAddress, smtp: `${smtpAddress.address}:${smtpAddress.port}`, database: runtime.store.dialect, dataDir: config.dataDir },
    'maildesk started',
  )
  // Machine-readable for scripts and tests that start us on port 0.
  process.stdout.write(`maildesk listening http=${httpAddress} smtp=${smtpAddress.address}:${smtpAddress.port}\n`)

  await new Promise<void>((resolve) => {
    let stopping = false
    const stop = (signal: string) => {
      if (stopping) return
      stopping = true
      log.info({ signal }, 'shutting down: no new connections, finishing in-flight work')
      resolve()
    }
    process.once('SIGTERM', () => stop('SIGTERM'))
    process.once('SIGINT', () => stop('SIGINT'))
  })
  await Promise.all([smtp.close(), app.close(), imap.stop()])
  await runtime.close()
  log.info('maildesk stopped')
}
