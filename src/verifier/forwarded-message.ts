import { parseMessage } from '../pipeline/parse-message.ts'

/**
 * The message a customer forwarded to security@ as an attachment (message/rfc822, or a .eml file), so the
 * verifier and the phishing reports judge the phishing mail rather than the customer's covering note.
 * Returns undefined when there is no attached message; an inline forward keeps no original headers to judge.
 */
export async function findForwardedMessage(raw: Uint8Array): Promise<Uint8Array | undefined> {
  const outer = await parseMessage(raw, { maxAttachments: 20, maxAttachmentBytes: 10 * 1024 * 1024 })
  const attached = outer.attachments.find(
    (a) => a.contentType === 'message/rfc822' || a.contentType === 'message/global' || a.filename.toLowerCase().endsWith('.eml'),
  )
  return attached && attached.content.byteLength > 0 ? attached.content : undefined
}
