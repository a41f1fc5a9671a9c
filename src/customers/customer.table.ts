import type { Generated, Insertable, Selectable, Updateable } from 'kysely'

export interface CustomerTable {
  id: Generated<number>
  /** Lowercased address; the customer's identity for threading and the portal. */
  email: string
  display_name: string | null
  language: string | null
  created_at: string
  updated_at: string
  /** 1 after a hard bounce: no more mail is sent to this address. */
  mail_blocked: Generated<number>
  /** When mail to this address last bounced (hard or soft). */
  bounced_at: Generated<string | null>
}
export type CustomerRow = Selectable<CustomerTable>
export type NewCustomerRow = Insertable<CustomerTable>
export type CustomerUpdate = Updateable<CustomerTable>
