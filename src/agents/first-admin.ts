import { rmSync } from 'node:fs'
import path from 'node:path'
import { createFileOnce, type Config } from '../config.ts'
import type { Logger } from '../logger.ts'
import type { Db } from '../store/database.ts'
import { createFirstAdminIfNone } from './agent.service.ts'

/** The address of the admin created at first start. */
export function firstAdminEmail(config: Config): string {
  return `admin@${config.brand.officialDomains[0] ?? 'localhost'}`
}

/** Where the first admin's password is left for the operator: beside the data directory's secret key, mode 0600. */
export function firstAdminPasswordFile(dataDir: string): string {
  return path.join(dataDir, 'secrets', 'first-admin-password')
}

/**
 * At first start (no agent at all) creates an admin with a random password and leaves the password in a file only
 * this user can read; the log names the file, never the password (logs are shipped and kept where secrets must not
 * be). Later starts find an agent and do nothing. Returns the password, for tests.
 */
export async function announceFirstAdmin(db: Db, config: Config, log: Logger, now = new Date()): Promise<string | undefined> {
  const created = await createFirstAdminIfNone(db, firstAdminEmail(config), now)
  if (!created) return undefined
  const file = firstAdminPasswordFile(config.dataDir)
  try {
    // A file left from an earlier database in this data directory holds a password that no longer works.
    rmSync(file, { force: true })
    createFileOnce(file, () => `${created.password}\n`)
  } catch (err) {
    log.error(
      { email: created.email, code: (err as NodeJS.ErrnoException).code },
      `first start: created admin ${created.email}, but its password could not be written to ${file}; ` +
        `set one with \`maildesk admin set-password --email ${created.email}\``,
    )
    return created.password
  }
  log.warn(
    { email: created.email, passwordFile: file },
    `first start: created admin ${created.email}; the password is in ${file} (readable by this user only); ` +
      'log in at /agent/ and change it (PATCH /api/v1/auth/me, or `maildesk admin set-password --email …`), which deletes the file',
  )
  return created.password
}

/**
 * Once the first admin has a password of their own, the generated one is of no use to anyone: its file goes.
 * Only the file on this node's data directory; a no-op for any other agent.
 */
export function forgetFirstAdminPassword(config: Config, email: string): void {
  if (email.toLowerCase() !== firstAdminEmail(config).toLowerCase()) return
  rmSync(firstAdminPasswordFile(config.dataDir), { force: true })
}
