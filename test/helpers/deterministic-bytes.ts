import { createHash } from 'node:crypto'

/**
 * `length` bytes that look random (incompressible, every byte value) but are the same on every run for one `seed`:
 * a test that fails must fail the same way next time. A SHA-256 chain: block n+1 is the digest of block n.
 */
export function deterministicBytes(length: number, seed: string): Buffer {
  const out = Buffer.alloc(length)
  let block = createHash('sha256').update(seed).digest()
  for (let offset = 0; offset < length; offset += block.length) {
    block.copy(out, offset)
    block = createHash('sha256').update(block).digest()
  }
  return out
}
