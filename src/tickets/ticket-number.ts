import { NotFoundError } from '../errors.ts'

/** Human ticket numbers: id 42 of brand prefix OKP is OKP-1042. The offset keeps numbers four digits from the start. */
const NUMBER_OFFSET = 1000

/** Row ids are PostgreSQL `integer` columns; a larger id in a URL is unknown, not a database error (HTTP 500). */
export const MAX_ROW_ID = 2_147_483_647
/** JSON schema of a row id in a route's params, body or query string. */
export const ROW_ID_SCHEMA = { type: 'integer', minimum: 1, maximum: MAX_ROW_ID } as const

export function formatTicketNumber(prefix: string, ticketId: number): string {
  return `${prefix}-${ticketId + NUMBER_OFFSET}`
}

/** "OKP-1042" (any case, surrounding space allowed) → 42; undefined when it is not one of ours. */
export function parseTicketNumber(prefix: string, value: string): number | undefined {
  const match = new RegExp(`^\\s*${prefix}-(\\d{1,15})\\s*$`, 'i').exec(value)
  if (!match?.[1]) return undefined
  const id = Number(match[1]) - NUMBER_OFFSET
  return Number.isSafeInteger(id) && id > 0 && id <= MAX_ROW_ID ? id : undefined
}

/**
 * The ticket id of a number given in a URL or a request body.
 * @throws NotFoundError, saying what a ticket number looks like, when the value is not one of ours.
 */
export function getTicketIdOfNumber(prefix: string, value: string): number {
  const id = parseTicketNumber(prefix, value)
  if (id === undefined) throw new NotFoundError(`no ticket ${value.slice(0, 32)}; ticket numbers look like ${prefix}-1042`)
  return id
}
