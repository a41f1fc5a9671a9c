import type { FastifyInstance } from 'fastify'
import { InvalidInputError } from '../errors.ts'

const PLAIN_DECIMAL = /^-?\d{1,15}(\.\d{1,15})?$/

/**
 * Query parameters that a route's schema reads as numbers must be written as plain decimals. Ajv coerces with
 * JavaScript's Number(): '1e309' and 'Infinity' became Infinity and passed `maximum` (a 500 from the database
 * followed), and '0x10' became 16. After validation, every parameter that came out a number is checked against the
 * text it was coerced from.
 */
export function registerPlainQueryNumbers(app: FastifyInstance): void {
  app.addHook('preHandler', async (request) => {
    const query = request.query as Record<string, unknown> | undefined
    if (!query || typeof query !== 'object') return
    const mark = request.url.indexOf('?')
    if (mark === -1) return
    // The query is read again only for a request that has a number in it (most have none, or only defaults).
    let raw: URLSearchParams | undefined
    for (const [name, value] of Object.entries(query)) {
      if (typeof value !== 'number') continue
      raw ??= new URLSearchParams(request.url.slice(mark + 1))
      const written = raw.get(name)
      if (written !== null && !PLAIN_DECIMAL.test(written)) {
        throw new InvalidInputError(`querystring/${name} must be a plain decimal number (got ${JSON.stringify(written.slice(0, 20))})`, name)
      }
    }
  })
}
