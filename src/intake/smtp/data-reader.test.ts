import { describe, expect, it } from 'vitest'
import { DataReader } from './data-reader.ts'

/** The DATA section as RFC 5321 defines it, the slow way: CRLF-separated lines, ".\r\n" ends, a leading dot goes. */
function referenceRead(wire: string): { message: string; rest: string } | undefined {
  let message = ''
  let at = 0
  for (;;) {
    const eol = wire.indexOf('\r\n', at)
    if (eol === -1) return undefined
    const line = wire.slice(at, eol)
    at = eol + 2
    if (line === '.') return { message, rest: wire.slice(at) }
    message += (line.startsWith('.') ? line.slice(1) : line) + '\r\n'
  }
}

function readInChunks(wire: Buffer, cuts: number[], maxBytes = 1 << 20): { message: string | undefined; rest: string } | undefined {
  const reader = new DataReader(maxBytes)
  let from = 0
  for (const to of [...cuts, wire.length]) {
    const chunk = wire.subarray(from, to)
    from = to
    const end = reader.push(chunk)
    if (end !== -1) {
      const rest = Buffer.concat([chunk.subarray(end), wire.subarray(to)]).toString('latin1')
      return { message: reader.take()?.toString('latin1'), rest }
    }
  }
  return undefined
}

describe('DataReader', () => {
  it.each([
    ['an empty message', '.\r\nNEXT', '', 'NEXT'],
    ['a stuffed dot', '..a\r\n.\r\n', '.a\r\n', ''],
    ['a dot line with text', '.a\r\n.\r\n', 'a\r\n', ''],
    ['a bare LF dot line is content', 'a\n.\nb\r\n.\r\n', 'a\n.\nb\r\n', ''],
    ['".\\r" followed by text keeps the CR', '.\rb\r\n.\r\n', '\rb\r\n', ''],
    ['CR CR LF is one line end after a CR', 'a\r\r\n.\r\n', 'a\r\r\n', ''],
    ['a dot line after a bare CR is content', 'a\r.\r\n.\r\n', 'a\r.\r\n', ''],
  ])('reads %s', (_name, wire, message, rest) => {
    expect(readInChunks(Buffer.from(wire, 'latin1'), [])).toEqual({ message, rest })
  })

  it('agrees with the line-by-line reading for random messages cut at random places', () => {
    let seed = 42
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff
      return seed % n
    }
    const alphabet = ['.', '\r', '\n', '\r\n', 'a', '..', '\r\n.', '\r\n..']
    for (let round = 0; round < 2000; round++) {
      let wire = ''
      for (let i = random(30); i > 0; i--) wire += alphabet[random(alphabet.length)]
      wire += '\r\n.\r\nRSET\r\n'
      const expected = referenceRead(wire)
      const cuts = [...new Set(Array.from({ length: random(5) }, () => random(wire.length)))].sort((a, b) => a - b)
      const got = readInChunks(Buffer.from(wire, 'latin1'), cuts)
      expect(got, JSON.stringify({ wire, cuts })).toEqual(expected)
    }
  })

  it('counts but stops keeping bytes past maxBytes, and still finds the end', () => {
    const reader = new DataReader(10)
    expect(reader.push(Buffer.from('0123456789'))).toBe(-1)
    expect(reader.isTooLarge).toBe(false)
    expect(reader.push(Buffer.from('abc\r\n.\r\nQUIT'))).toBe(8)
    expect(reader.isTooLarge).toBe(true)
    expect(reader.size).toBe(15)
    expect(reader.take()).toBeUndefined()
  })
})

describe('DataReader with a sink', () => {
  it('hands the unstuffed message to the sink as it comes and keeps nothing itself', () => {
    const written: Buffer[] = []
    const reader = new DataReader(1 << 20, { write: (chunk) => written.push(Buffer.from(chunk)) })
    const wire = Buffer.from('Subject: a\r\n\r\n..dot\r\nline\r\n.\r\nQUIT\r\n', 'latin1')
    const end = reader.push(wire.subarray(0, 17))
    expect(end).toBe(-1)
    const rest = reader.push(wire.subarray(17))
    expect(wire.subarray(17 + rest).toString('latin1')).toBe('QUIT\r\n')
    expect(Buffer.concat(written).toString('latin1')).toBe('Subject: a\r\n\r\n.dot\r\nline\r\n')
    expect(reader.take()).toBeUndefined()
  })

  it('stops writing to the sink once the message passes the limit', () => {
    let written = 0
    const reader = new DataReader(10, { write: (chunk) => (written += chunk.length) })
    reader.push(Buffer.from('0123456789abcdef\r\n.\r\n'))
    expect(reader.isTooLarge).toBe(true)
    expect(written).toBe(0)
  })
})
