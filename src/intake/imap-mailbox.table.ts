import type { Generated, Insertable, Selectable, Updateable } from 'kysely'

/** Where fetching from one configured IMAP mailbox stands, and how healthy it is. */
export interface ImapMailboxTable {
  /** The mailbox's name in MAILDESK_IMAP_MAILBOXES_FILE. */
  name: string
  /** UIDVALIDITY of the folder when last_uid was recorded; a change means every UID was reassigned. */
  uid_validity: string | null
  /** Every message with a UID up to this one has been spooled and handled on the server. */
  last_uid: Generated<number | string>
  /** Messages waiting on the server at the last look. */
  backlog: Generated<number>
  last_success_at: string | null
  last_error_at: string | null
  last_error_code: string | null
  last_error_message: string | null
  /** Set at the first failure after a success; cleared by the next success. */
  failing_since: string | null
  /** The process reading this mailbox now, and until when its lease holds unless renewed. */
  lease_owner: Generated<string | null>
  lease_until: Generated<string | null>
  updated_at: string
}
export type ImapMailboxRow = Selectable<ImapMailboxTable>
export type NewImapMailboxRow = Insertable<ImapMailboxTable>
export type ImapMailboxUpdate = Updateable<ImapMailboxTable>

/** One message fetched from a mailbox, by content digest: the guard against spooling it twice. */
export interface ImapFetchedMessageTable {
  id: Generated<number>
  mailbox: string
  sha256: string
  uid_validity: string
  uid: number | string
  /** Null while the spool write is in flight (or was cut off by a crash). */
  raw_message_id: number | null
  /** The highest raw_messages id before the spool write: after a crash the message can only be above it. */
  spool_floor_id: number
  created_at: string
}
export type ImapFetchedMessageRow = Selectable<ImapFetchedMessageTable>
export type NewImapFetchedMessageRow = Insertable<ImapFetchedMessageTable>
