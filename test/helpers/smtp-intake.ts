import { officialAddresses } from '../../src/brand.ts'
import { SmtpIntake } from '../../src/intake/smtp-intake.ts'
import { silentLogger } from '../../src/logger.ts'
import type { Runtime } from '../../src/runtime.ts'

/**
 * Maildesk's SMTP intake on a free port of 127.0.0.1, accepting the runtime's official addresses into its spool, as
 * serve wires it. With `rawFilesDir`, messages above 1 MiB are spooled to encrypted files there.
 */
export async function startTestSmtpIntake(rt: Runtime, options: { maxMessageBytes: number; rawFilesDir?: string }): Promise<{ smtp: SmtpIntake; port: number }> {
  const smtp = new SmtpIntake(
    {
      host: '127.0.0.1',
      port: 0,
      acceptedRecipients: officialAddresses(rt.config.brand),
      maxMessageBytes: options.maxMessageBytes,
      maxClients: 20,
      serverName: 'okpay.com',
      rawFiles: options.rawFilesDir === undefined ? undefined : { dir: options.rawFilesDir, rawMessageKey: rt.pipeline.rawMessageKey },
    },
    rt.spool,
    silentLogger,
  )
  const { port } = await smtp.listen()
  return { smtp, port }
}
