import type { Db } from '../store/database.ts'

/** Failed logins allowed per account and per client address within the window. */
export const LOGIN_LIMITS = { perAccount: 5, perAddress: 20, windowMs: 15 * 60 * 1000 } // 15 minutes

/**
 * How long the caller must wait before trying again (ms), or 0 when a login attempt may proceed.
 * Counted in the database, so every HTTP process sees the same failures.
 */
export async function loginRetryAfterMs(db: Db, keys: { account: string; address: string }, now: Date): Promise<number> {
  const since = new Date(now.getTime() - LOGIN_LIMITS.windowMs).toISOString()
  let waitMs = 0
  for (const [key, limit] of [
    [`account:${keys.account}`, LOGIN_LIMITS.perAccount],
    [`address:${keys.address}`, LOGIN_LIMITS.perAddress],
  ] as const) {
    const failures = await db
      .selectFrom('login_attempts')
      .select('attempted_at')
      .where('key', '=', key)
      .where('succeeded', '=', 0)
      .where('attempted_at', '>', since)
      .orderBy('attempted_at', 'desc')
      .limit(limit)
      .execute()
    const oldest = failures[limit - 1]
    if (oldest) waitMs = Math.max(waitMs, new Date(oldest.attempted_at).getTime() + LOGIN_LIMITS.windowMs - now.getTime())
  }
  return waitMs
}

/**
 * Records one login attempt. Attempts of these two keys older than the window count for nothing and are deleted
 * (through the key index), so an address or account tried again and again keeps at most one window of rows.
 */
export async function recordLoginAttempt(db: Db, keys: { account: string; address: string }, succeeded: boolean, now: Date): Promise<void> {
  const at = now.toISOString()
  const since = new Date(now.getTime() - LOGIN_LIMITS.windowMs).toISOString()
  await db
    .deleteFrom('login_attempts')
    .where('key', 'in', [`account:${keys.account}`, `address:${keys.address}`])
    .where('attempted_at', '<=', since)
    .execute()
  await db
    .insertInto('login_attempts')
    .values([
      { key: `account:${keys.account}`, succeeded: succeeded ? 1 : 0, attempted_at: at },
      { key: `address:${keys.address}`, succeeded: succeeded ? 1 : 0, attempted_at: at },
    ])
    .execute()
  if (succeeded) {
    // A successful login forgives the account's earlier failures (not the address's).
    await db.deleteFrom('login_attempts').where('key', '=', `account:${keys.account}`).where('succeeded', '=', 0).execute()
  }
}

/**
 * Deletes every attempt older than the window: they count for nothing. recordLoginAttempt only trims the two keys it
 * writes, so keys tried once (an attacker spraying account names, each address of a botnet) would stay for ever;
 * the scheduler runs this hourly. Answers how many rows went.
 */
export async function purgeExpiredLoginAttempts(db: Db, now: Date): Promise<number> {
  const since = new Date(now.getTime() - LOGIN_LIMITS.windowMs).toISOString()
  const result = await db.deleteFrom('login_attempts').where('attempted_at', '<=', since).executeTakeFirst()
  return Number(result.numDeletedRows)
}
