import { describe, expect, it } from 'vitest'
import { cachingResolver } from './dns-cache.ts'

function dnsError(code: string): Error {
  return Object.assign(new Error(`queryTxt ${code}`), { code })
}

describe('DNS cache', () => {
  function setUp(answers: Record<string, () => Promise<string[][]>>) {
    let clock = 0
    const asked: string[] = []
    const resolve = cachingResolver(
      (name, rrtype) => {
        asked.push(`${rrtype} ${name}`)
        const answer = answers[name]
        return answer ? answer() : Promise.reject(dnsError('ENOTFOUND'))
      },
      { positiveTtlMs: 1000, negativeTtlMs: 5000, maxEntries: 2, now: () => clock },
    )
    return { resolve, asked, advance: (ms: number) => (clock += ms) }
  }

  it('reuses an answer until its time is up, whatever the case of the name or a trailing dot', async () => {
    const { resolve, asked, advance } = setUp({ 'example.com': async () => [['v=spf1 -all']] })
    expect(await resolve('example.com', 'TXT')).toEqual([['v=spf1 -all']])
    expect(await resolve('EXAMPLE.com.', 'txt')).toEqual([['v=spf1 -all']])
    advance(1001)
    await resolve('example.com', 'TXT')
    expect(asked).toEqual(['TXT example.com', 'TXT example.com'])
  })

  it('keeps "no such name" for the negative time, and shares one lookup between concurrent askers', async () => {
    const { resolve, asked, advance } = setUp({})
    const both = await Promise.allSettled([resolve('_dmarc.nowhere.example', 'TXT'), resolve('_dmarc.nowhere.example', 'TXT')])
    expect(both.map((r) => r.status)).toEqual(['rejected', 'rejected'])
    advance(4000)
    await expect(resolve('_dmarc.nowhere.example', 'TXT')).rejects.toMatchObject({ code: 'ENOTFOUND' })
    expect(asked).toEqual(['TXT _dmarc.nowhere.example'])
    advance(2000)
    await expect(resolve('_dmarc.nowhere.example', 'TXT')).rejects.toMatchObject({ code: 'ENOTFOUND' })
    expect(asked).toHaveLength(2)
  })

  it('asks again after a temporary failure (timeout), and forgets the least recently used name when full', async () => {
    let fail = true
    const { resolve, asked } = setUp({
      'flaky.example': () => (fail ? Promise.reject(dnsError('ETIMEOUT')) : Promise.resolve([['ok']])),
      'a.example': async () => [['a']],
      'b.example': async () => [['b']],
    })
    await expect(resolve('flaky.example', 'TXT')).rejects.toMatchObject({ code: 'ETIMEOUT' })
    fail = false
    expect(await resolve('flaky.example', 'TXT')).toEqual([['ok']])
    await resolve('a.example', 'TXT')
    await resolve('b.example', 'TXT') // evicts flaky.example (2 entries at most)
    await resolve('flaky.example', 'TXT')
    expect(asked).toEqual(['TXT flaky.example', 'TXT flaky.example', 'TXT a.example', 'TXT b.example', 'TXT flaky.example'])
  })
})
