import type { Generated, Insertable, Selectable, Updateable } from 'kysely'

export interface CustomerTable {
  id: Generated<number>
  /** Lowercased address; the customer's identity for threading and the portal. */
  email: string
  display_name: string | null
  language: string | null
  created_at: string
  updated_at: string
}
export type CustomerRow = Selectable<CustomerTable>
export type NewCustomerRow = Insertable<CustomerTable>
export type CustomerUpdate = Updateable<CustomerTable>
