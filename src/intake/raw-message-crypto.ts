import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto'

/**
 * Raw messages hold everything a customer sent, before redaction: card numbers, passwords, ID numbers. They are
 * kept only to re-process and as evidence, so they are encrypted at rest with AES-256-GCM under a key derived from
 * the operator's secret. Layout: 12-byte IV, 16-byte tag, ciphertext. GCM also detects tampering.
 */
export const RAW_ENCRYPTION = 'aes-256-gcm'

const IV_BYTES = 12
const TAG_BYTES = 16

/** The raw-message key: HKDF-SHA-256 of the secret, so the same secret's other uses (HMACs) get other keys. */
export function deriveRawMessageKey(secret: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'maildesk raw-message encryption v1', 32))
}

export function encryptRawMessage(key: Buffer, plain: Uint8Array): Buffer {
  const iv = randomBytes(IV_BYTES)
  const cipher = createCipheriv('aes-256-gcm', key, iv)
  const body = cipher.update(plain)
  const tail = cipher.final()
  // One output allocation: a 25 MB message is not copied three times on its way to the database.
  const out = Buffer.allocUnsafe(IV_BYTES + TAG_BYTES + body.length + tail.length)
  iv.copy(out, 0)
  cipher.getAuthTag().copy(out, IV_BYTES)
  body.copy(out, IV_BYTES + TAG_BYTES)
  tail.copy(out, IV_BYTES + TAG_BYTES + body.length)
  return out
}

/** @throws Error when the key is wrong or the bytes were altered. */
export function decryptRawMessage(key: Buffer, stored: Uint8Array): Buffer {
  const data = Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength)
  if (data.length < IV_BYTES + TAG_BYTES) throw new Error('encrypted raw message is truncated')
  const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES))
  decipher.setAuthTag(data.subarray(IV_BYTES, IV_BYTES + TAG_BYTES))
  const plain = decipher.update(data.subarray(IV_BYTES + TAG_BYTES))
  const rest = decipher.final() // GCM is a stream cipher: final() only checks the tag, and returns nothing to join
  return rest.length === 0 ? plain : Buffer.concat([plain, rest])
}
