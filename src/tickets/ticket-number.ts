/** Human ticket numbers: id 42 of brand prefix OKP is OKP-1042. The offset keeps numbers four digits from the start. */
const NUMBER_OFFSET = 1000

export function formatTicketNumber(prefix: string, ticketId: number): string {
  return `${prefix}-${ticketId + NUMBER_OFFSET}`
}

/** "OKP-1042" (any case, surrounding space allowed) → 42; undefined when it is not one of ours. */
export function parseTicketNumber(prefix: string, value: string): number | undefined {
  const match = new RegExp(`^\\s*${prefix}-(\\d{1,15})\\s*$`, 'i').exec(value)
  if (!match?.[1]) return undefined
  const id = Number(match[1]) - NUMBER_OFFSET
  return Number.isSafeInteger(id) && id > 0 ? id : undefined
}
