import type { FastifyInstance } from 'fastify'
import { MaildeskError } from '../errors.ts'
import { RateLimiter } from '../public/rate-limiter.ts'
import type { AppDeps } from '../web/app.ts'
import { clearAntiPhishingCodeByEmail, setAntiPhishingCode } from './anti-phishing-code.ts'
import { unblockCustomerMail } from './bounce.service.ts'
import { findOutboundByVerificationCode } from './verification.service.ts'

const VERIFY_LOOKUPS_PER_MINUTE = 30

/** Verification of our own mail by its footer code (public), and customers' anti-phishing codes (agents). */
export function outboundRoutes(deps: AppDeps & { now?: () => Date }) {
  const db = deps.store.db
  const now = deps.now ?? (() => new Date())
  // Codes are 40 random bits; a per-address cap keeps guessing them (to read subjects of others' mail) hopeless.
  const lookups = new RateLimiter(VERIFY_LOOKUPS_PER_MINUTE, 60_000)
  return async function register(app: FastifyInstance): Promise<void> {
    app.get<{ Params: { code: string } }>(
      '/api/v1/verify/code/:code',
      {
        config: { public: true },
        schema: {
          summary: 'Is this verification code from one of our emails? Unknown and expired codes get the same answer',
          tags: ['verify'],
          params: { type: 'object', properties: { code: { type: 'string', maxLength: 32 } }, required: ['code'] },
          response: {
            200: {
              type: 'object',
              properties: {
                found: { type: 'boolean' },
                sentAt: { type: 'string', format: 'date-time' },
                subject: { type: 'string' },
                maskedRecipient: { type: 'string' },
              },
              required: ['found'],
            },
          },
        },
      },
      async (request) => {
        if (!lookups.take(request.ip, now())) {
          throw new MaildeskError('RATE_LIMITED', `at most ${VERIFY_LOOKUPS_PER_MINUTE} code checks a minute from one address; wait a minute`)
        }
        const found = await findOutboundByVerificationCode(db, request.params.code, now())
        if (!found) return { found: false }
        return { found: true, sentAt: found.sentAt.toISOString(), subject: found.subject, maskedRecipient: found.maskedRecipient }
      },
    )

    app.put<{ Params: { email: string }; Body: { code: string } }>(
      '/api/v1/customers/:email/anti-phishing-code',
      {
        schema: {
          summary: "Set the customer's anti-phishing code, printed at the top of every genuine email to them",
          tags: ['customers'],
          params: { type: 'object', properties: { email: { type: 'string', minLength: 3, maxLength: 320, pattern: '^[^@\\s]+@[^@\\s]+$' } }, required: ['email'] },
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['code'],
            properties: { code: { type: 'string', maxLength: 256 } },
          },
        },
      },
      async (request, reply) => {
        await setAntiPhishingCode(db, request.params.email, request.body.code, now())
        return reply.code(204).send()
      },
    )

    const emailParams = {
      type: 'object',
      properties: { email: { type: 'string', minLength: 3, maxLength: 320, pattern: '^[^@\\s]+@[^@\\s]+$' } },
      required: ['email'],
    } as const

    app.delete<{ Params: { email: string } }>(
      '/api/v1/customers/:email/anti-phishing-code',
      { schema: { summary: "Remove the customer's anti-phishing code", tags: ['customers'], params: emailParams } },
      async (request, reply) => {
        await clearAntiPhishingCodeByEmail(db, request.params.email)
        return reply.code(204).send()
      },
    )

    app.delete<{ Params: { email: string } }>(
      '/api/v1/customers/:email/mail-block',
      {
        schema: {
          summary: 'Send mail to this address again after a hard bounce (confirm the address with the customer first)',
          tags: ['customers'],
          params: emailParams,
        },
      },
      async (request, reply) => {
        await unblockCustomerMail(db, request.params.email, now())
        return reply.code(204).send()
      },
    )
  }
}
