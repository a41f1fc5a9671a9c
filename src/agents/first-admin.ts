import type { Config } from '../config.ts'
import type { Logger } from '../logger.ts'
import type { Db } from '../store/database.ts'
import { createFirstAdminIfNone } from './agent.service.ts'

/** The address of the admin created at first start. */
export function firstAdminEmail(config: Config): string {
  return `admin@${config.brand.officialDomains[0] ?? 'localhost'}`
}

/**
 * At first start (no agent at all) creates an admin with a random password and writes it to the log exactly
 * once; later starts find an agent and print nothing. Returns the password it printed, for tests.
 */
export async function announceFirstAdmin(db: Db, config: Config, log: Logger, now = new Date()): Promise<string | undefined> {
  const created = await createFirstAdminIfNone(db, firstAdminEmail(config), now)
  if (!created) return undefined
  // Deliberately in the message text: this one line is how the operator learns the first password.
  log.warn(
    { email: created.email },
    `first start: created admin ${created.email} with password ${created.password} ; log in at /agent/ and change it ` +
      '(PATCH /api/v1/auth/me, or `maildesk admin set-password --email …`); this password is not shown again',
  )
  return created.password
}
