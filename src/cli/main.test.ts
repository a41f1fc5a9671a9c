import { describe, expect, it } from 'vitest'
import { main } from './main.ts'

function capture() {
  const out: string[] = []
  const err: string[] = []
  return { io: { out: (line: string) => out.push(line), err: (line: string) => err.push(line) }, out, err }
}

describe('main', () => {
  it('refuses a stray argument to a command that takes none, with its usage and exit code 2', async () => {
    for (const [argv, usage] of [
      [['dkim', 'extra'], 'usage: maildesk dkim [--data-dir DIR] [--json]'],
      [['redact', '--json', 'notes.txt'], 'usage: maildesk redact [--json] < TEXT'],
      [['serve', '8080'], 'usage: maildesk serve [--role all|http|smtp|worker]'],
      [['doctor', 'dns'], 'usage: maildesk doctor [--data-dir DIR]'],
    ] as const) {
      const { io, out, err } = capture()
      expect(await main([...argv], {}, io)).toBe(2)
      expect(out).toEqual([])
      expect(err).toHaveLength(1)
      expect(err[0]).toMatch(new RegExp(`^maildesk ${argv[0]}: unexpected argument "${argv.at(-1)}"\nusage: `))
      expect(err[0]).toContain(usage)
    }
  })
})
