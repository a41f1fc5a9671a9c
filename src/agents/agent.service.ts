import { createHash, randomBytes } from 'node:crypto'
import { InvalidInputError, MaildeskError } from '../errors.ts'
import { sameSecret } from '../public/signing-key.ts'
import type { Db } from '../store/database.ts'
import { isAgentRole, type AgentRole, type AuthenticatedAgent } from './agent.ts'
import {
  countAgents,
  findAgentByEmail,
  findAgentById,
  findAgentCredentialsByEmail,
  insertAgent,
  updateAgent,
  type AgentProfile,
} from './agent.repository.ts'
import { insertAuditEntry } from './audit-log.repository.ts'
import { loginRetryAfterMs, recordLoginAttempt } from './login-rate-limit.ts'
import { checkNewPassword, hashPassword, verifyAgainstDummy, verifyPassword } from './password.ts'

export const SESSION_TTL_MS = 12 * 60 * 60 * 1000 // 12 hours: one working day
const EMAIL_PATTERN = /^[^@\s]{1,64}@[^@\s]{1,255}$/

export class RateLimitedError extends MaildeskError {
  constructor(readonly retryAfterMs: number) {
    const minutes = Math.max(1, Math.ceil(retryAfterMs / 60_000))
    super('RATE_LIMITED', `too many failed logins; try again in ${minutes} minute${minutes === 1 ? '' : 's'}`)
  }
}

export class UnauthenticatedError extends MaildeskError {
  constructor(message = 'log in or send an API token') {
    super('UNAUTHENTICATED', message)
  }
}

export class ForbiddenError extends MaildeskError {
  constructor(message: string) {
    super('FORBIDDEN', message)
  }
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex')
}

function toAuthenticated(agent: AgentProfile, via: 'session' | 'token', csrfToken?: string): AuthenticatedAgent {
  const role: AgentRole = isAgentRole(agent.role) ? agent.role : 'agent'
  return {
    id: agent.id,
    email: agent.email,
    displayName: agent.display_name,
    role,
    language: agent.language,
    via,
    ...(csrfToken ? { csrfToken } : {}),
  }
}

/**
 * Creates an agent with a hashed password.
 * @throws InvalidInputError for a bad address, role or password, or an address already in use.
 */
export async function createAgent(
  db: Db,
  input: { email: string; password: string; role: string; displayName?: string | undefined; language?: string | null },
  now: Date,
): Promise<AgentProfile> {
  const email = input.email.trim().toLowerCase()
  if (!EMAIL_PATTERN.test(email)) throw new InvalidInputError('email must be an address like name@example.com', 'email')
  if (!isAgentRole(input.role)) throw new InvalidInputError(`role must be one of agent, admin (got "${input.role.slice(0, 20)}")`, 'role')
  const problem = checkNewPassword(input.password)
  if (problem) throw new InvalidInputError(problem, 'password')
  if (await findAgentByEmail(db, email)) throw new InvalidInputError(`an agent with this email already exists`, 'email')
  return insertAgent(db, {
    email,
    display_name: input.displayName?.trim() || email.split('@')[0] || email,
    role: input.role,
    password_hash: await hashPassword(input.password),
    language: input.language ?? null,
    created_at: now.toISOString(),
    updated_at: now.toISOString(),
  })
}

/** Sets a new password for an agent and ends its sessions. @throws InvalidInputError for a weak password. */
export async function changeAgentPassword(db: Db, agentId: number, password: string, now: Date): Promise<void> {
  const problem = checkNewPassword(password)
  if (problem) throw new InvalidInputError(problem, 'password')
  await updateAgent(db, agentId, { password_hash: await hashPassword(password), updated_at: now.toISOString() })
  await db.deleteFrom('agent_sessions').where('agent_id', '=', agentId).execute()
}

export interface LoginResult {
  agent: AuthenticatedAgent
  /** The cookie value; only its hash is stored. */
  sessionToken: string
  expiresAt: Date
}

/**
 * Checks an address and password and opens a session.
 * @throws RateLimitedError after too many failures; UnauthenticatedError for a wrong address or password.
 */
export async function logIn(db: Db, input: { email: string; password: string; ip: string }, now: Date): Promise<LoginResult> {
  const email = input.email.trim().toLowerCase().slice(0, 320)
  const keys = { account: email, address: input.ip }
  const waitMs = await loginRetryAfterMs(db, keys, now)
  if (waitMs > 0) throw new RateLimitedError(waitMs)
  const credentials = await findAgentCredentialsByEmail(db, email)
  let ok = false
  if (credentials) ok = (await verifyPassword(credentials.password_hash, input.password)) && credentials.is_active === 1
  else await verifyAgainstDummy(input.password)
  await recordLoginAttempt(db, keys, ok, now)
  const agent = ok && credentials ? await findAgentById(db, credentials.id) : undefined
  if (!agent) {
    await insertAuditEntry(db, { agentId: credentials?.id ?? null, action: 'login_failed', ip: input.ip, now })
    throw new UnauthenticatedError('wrong email or password')
  }
  const sessionToken = randomBytes(32).toString('base64url')
  const csrfToken = randomBytes(24).toString('base64url')
  const expiresAt = new Date(now.getTime() + SESSION_TTL_MS)
  await db
    .insertInto('agent_sessions')
    .values({
      token_hash: sha256Hex(sessionToken),
      agent_id: agent.id,
      csrf_token: csrfToken,
      created_at: now.toISOString(),
      expires_at: expiresAt.toISOString(),
      ip: input.ip,
    })
    .execute()
  await insertAuditEntry(db, { agentId: agent.id, action: 'login', ip: input.ip, now })
  return { agent: toAuthenticated(agent, 'session', csrfToken), sessionToken, expiresAt }
}

/**
 * Changes the caller's own password after checking the current one. The check counts as a login attempt (same
 * limits, same audit): a stolen session or API token must not allow unlimited guessing of the account's password.
 * @throws RateLimitedError after too many failures; InvalidInputError for a wrong current password or a weak new one.
 */
export async function changeOwnPassword(
  db: Db,
  agent: { id: number; email: string },
  input: { currentPassword: string; password: string; ip: string },
  now: Date,
): Promise<void> {
  const keys = { account: agent.email, address: input.ip }
  const waitMs = await loginRetryAfterMs(db, keys, now)
  if (waitMs > 0) throw new RateLimitedError(waitMs)
  const credentials = await findAgentCredentialsByEmail(db, agent.email)
  const ok = credentials !== undefined && (await verifyPassword(credentials.password_hash, input.currentPassword))
  await recordLoginAttempt(db, keys, ok, now)
  if (!ok) {
    await insertAuditEntry(db, { agentId: agent.id, action: 'password_change_failed', targetType: 'agent', targetId: agent.id, ip: input.ip, now })
    throw new InvalidInputError('currentPassword is wrong', 'currentPassword')
  }
  await changeAgentPassword(db, agent.id, input.password, now)
  await insertAuditEntry(db, { agentId: agent.id, action: 'password_changed', targetType: 'agent', targetId: agent.id, ip: input.ip, now })
}

/** The agent behind a session cookie, or undefined when it is unknown, expired or the agent is disabled. */
export async function findAgentBySession(db: Db, sessionToken: string, now: Date): Promise<AuthenticatedAgent | undefined> {
  const session = await db
    .selectFrom('agent_sessions')
    .select(['agent_id', 'csrf_token', 'expires_at'])
    .where('token_hash', '=', sha256Hex(sessionToken))
    .executeTakeFirst()
  if (!session || session.expires_at <= now.toISOString()) return undefined
  const agent = await findAgentById(db, session.agent_id)
  if (!agent || agent.is_active !== 1) return undefined
  return toAuthenticated(agent, 'session', session.csrf_token)
}

export async function endSession(db: Db, sessionToken: string): Promise<void> {
  await db.deleteFrom('agent_sessions').where('token_hash', '=', sha256Hex(sessionToken)).execute()
}

/** Compares a CSRF header with the session's token in constant time. */
export function isCsrfTokenValid(expected: string | undefined, received: string | undefined): boolean {
  if (!expected || !received) return false
  return sameSecret(expected, received)
}

/** Issues an API token for an agent; the token is shown once and only its hash is stored. */
export async function createApiToken(db: Db, agentId: number, name: string, now: Date): Promise<{ id: number; token: string }> {
  const token = `mdk_${randomBytes(32).toString('base64url')}`
  const row = await db
    .insertInto('api_tokens')
    .values({ agent_id: agentId, name: name.slice(0, 100), token_hash: sha256Hex(token), created_at: now.toISOString() })
    .returning('id')
    .executeTakeFirstOrThrow()
  return { id: row.id, token }
}

/** The agent behind an API token, or undefined when it is unknown or revoked. */
export async function findAgentByApiToken(db: Db, token: string, now: Date): Promise<AuthenticatedAgent | undefined> {
  const row = await db
    .selectFrom('api_tokens')
    .select(['id', 'agent_id'])
    .where('token_hash', '=', sha256Hex(token))
    .where('revoked_at', 'is', null)
    .executeTakeFirst()
  if (!row) return undefined
  const agent = await findAgentById(db, row.agent_id)
  if (!agent || agent.is_active !== 1) return undefined
  await db.updateTable('api_tokens').set({ last_used_at: now.toISOString() }).where('id', '=', row.id).execute()
  return toAuthenticated(agent, 'token')
}

export async function revokeApiToken(db: Db, agentId: number, tokenId: number, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('api_tokens')
    .set({ revoked_at: now.toISOString() })
    .where('id', '=', tokenId)
    .where('agent_id', '=', agentId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) > 0
}

/**
 * At first start, when there is no agent at all, creates admin@<official domain> with a random password
 * and returns it so the caller can print it exactly once. Returns undefined when agents exist.
 */
export async function createFirstAdminIfNone(db: Db, email: string, now: Date): Promise<{ email: string; password: string } | undefined> {
  if ((await countAgents(db)) > 0) return undefined
  const password = randomBytes(15).toString('base64url')
  try {
    await createAgent(db, { email, password, role: 'admin', displayName: 'Administrator' }, now)
  } catch (err) {
    // Another process created it first (two servers starting at once): theirs printed the password.
    if ((await countAgents(db)) > 0) return undefined
    throw err
  }
  return { email, password }
}
