import { hash, verify } from '@node-rs/argon2'

// argon2id (the library's default algorithm, Algorithm.Argon2id = 2) with OWASP's baseline:
// 19 MiB of memory, 2 passes, 1 lane. Memory-hard, so a stolen table is slow to crack on GPUs.
const ARGON2_OPTIONS = { algorithm: 2, memoryCost: 19 * 1024, timeCost: 2, parallelism: 1 } as const

export const MIN_PASSWORD_LENGTH = 10
export const MAX_PASSWORD_LENGTH = 256

/** Hashes a password to an argon2id PHC string. */
export async function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS)
}

/** True when the password matches the PHC string; false for a malformed hash too. */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password)
  } catch {
    return false
  }
}

// Verified against when the login address is unknown, so the answer takes as long as for a known one.
let dummyHash: Promise<string> | undefined
export async function verifyAgainstDummy(password: string): Promise<void> {
  dummyHash ??= hashPassword('maildesk-dummy-password')
  await verifyPassword(await dummyHash, password)
}

/** Explains what is wrong with a new password, or returns undefined when it is acceptable. */
export function checkNewPassword(password: string): string | undefined {
  if (password.length < MIN_PASSWORD_LENGTH) return `password must be at least ${MIN_PASSWORD_LENGTH} characters (got ${password.length})`
  if (password.length > MAX_PASSWORD_LENGTH) return `password must be at most ${MAX_PASSWORD_LENGTH} characters (got ${password.length})`
  return undefined
}
