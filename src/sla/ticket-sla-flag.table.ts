/** SLA flags raised on a ticket; (ticket_id, flag) is unique, so each fires once. */
export interface TicketSlaFlagTable {
  ticket_id: number
  /** first_response:near, first_response:breached, resolution:near, resolution:breached, escalated:<waiting since> */
  flag: string
  created_at: string
}
