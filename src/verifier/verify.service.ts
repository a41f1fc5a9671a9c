import { hostname } from 'node:os'
import type { Brand, Language } from '../brand.ts'
import type { Logger } from '../logger.ts'
import { authenticateSender, type AuthenticationResult, type DnsResolver } from '../pipeline/authenticate-sender.ts'
import { verifyEmail } from './verify-email.ts'
import type { VerifyResult } from './verify-result.ts'

/**
 * Verifies an uploaded message the way the CLI does with DNS: authentication first (so genuine, signed mail can
 * be confirmed), then the verdict. DNS failure leaves the signature unchecked, which the verdict says.
 */
export async function verifyUploadedEmail(
  raw: Uint8Array,
  ctx: { brand: Brand; language: Language; resolver: DnsResolver | undefined; log: Logger },
): Promise<VerifyResult> {
  let auth: AuthenticationResult | undefined
  if (ctx.resolver) {
    try {
      auth = await authenticateSender(raw, { mta: hostname(), resolver: ctx.resolver, brand: ctx.brand })
    } catch (err) {
      ctx.log.warn({ err }, 'authentication failed; verifying without it')
    }
  }
  return verifyEmail(raw, { brand: ctx.brand, language: ctx.language, auth })
}
