import { describe, expect, it } from 'vitest'
import { decryptRawMessage, deriveRawMessageKey, encryptRawMessage } from './raw-message-crypto.ts'

const key = deriveRawMessageKey(Buffer.alloc(32, 7))
const message = Buffer.from('From: a@b.example\r\nSubject: card\r\n\r\nmy card is 4111 1111 1111 1111\r\n')

describe('raw message encryption at rest', () => {
  it('round-trips, and the stored bytes do not contain the plaintext', () => {
    const stored = encryptRawMessage(key, message)
    expect(stored.includes(Buffer.from('4111 1111'))).toBe(false)
    expect(stored.length).toBe(message.length + 28)
    expect(decryptRawMessage(key, stored).equals(message)).toBe(true)
  })

  it('uses a fresh IV each time', () => {
    expect(encryptRawMessage(key, message).equals(encryptRawMessage(key, message))).toBe(false)
  })

  it('refuses a wrong key and altered bytes', () => {
    const stored = encryptRawMessage(key, message)
    expect(() => decryptRawMessage(deriveRawMessageKey(Buffer.alloc(32, 8)), stored)).toThrow()
    const altered = Buffer.from(stored)
    altered[40] = (altered[40] ?? 0) ^ 1
    expect(() => decryptRawMessage(key, altered)).toThrow()
    expect(() => decryptRawMessage(key, Buffer.alloc(10))).toThrow('encrypted raw message is truncated')
  })
})
