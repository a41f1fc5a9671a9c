import { describe, expect, it } from 'vitest'
import { formatReply, parseCommandLine, parsePath, reply } from './smtp-command.ts'

describe('parsePath', () => {
  it.each([
    ['FROM:<a@b.example>', 'FROM', 'a@b.example', {}],
    ['from: <a@b.example>', 'FROM', 'a@b.example', {}],
    ['FROM:<>', 'FROM', '', {}],
    ['FROM:<a@b.example> SIZE=100 body=8BITMIME', 'FROM', 'a@b.example', { SIZE: '100', BODY: '8BITMIME' }],
    ['TO:<@relay.example,@other.example:a@b.example>', 'TO', 'a@b.example', {}],
    ['TO:<Postmaster>', 'TO', 'Postmaster', {}],
    ['TO:<用户@例子.中国>', 'TO', '用户@例子.中国', {}],
  ] as const)('accepts %s', (argument, keyword, address, params) => {
    const result = parsePath(argument, keyword)
    expect(result).toEqual({ ok: true, address, params: new Map(Object.entries(params)) })
  })

  it.each([
    ['FROM a@b.example', 'FROM', 'syntax: MAIL FROM:<address>'],
    ['FROM:a@b.example', 'FROM', 'syntax: MAIL FROM:<address> (the address goes in angle brackets)'],
    ['FROM:<a@b.example', 'FROM', 'syntax: MAIL FROM:<address> (missing ">")'],
    ['FROM:<a@b.example>SIZE=1', 'FROM', 'syntax: MAIL FROM:<address> (text after ">" must be parameters)'],
    ['TO:<>', 'TO', 'syntax: RCPT TO:<address> (the address is empty)'],
    ['TO:<no-domain>', 'TO', 'syntax: RCPT TO:<address> (not a mailbox address)'],
    ['TO:<a b@c.example>', 'TO', 'syntax: RCPT TO:<address> (not a mailbox address)'],
    ['FROM:<@relay.example a@b.example>', 'FROM', 'syntax: MAIL FROM:<address> (bad source route)'],
    ['FROM:<ev\u0000il@example.net>', 'FROM', 'syntax: MAIL FROM:<address> (not a mailbox address)'],
    ['TO:<support@okpay.com\u001b[31m>', 'TO', 'syntax: RCPT TO:<address> (not a mailbox address)'],
    ['FROM:<a\u007f@b.example>', 'FROM', 'syntax: MAIL FROM:<address> (not a mailbox address)'],
  ] as const)('refuses %s with 501', (argument, keyword, text) => {
    expect(parsePath(argument, keyword)).toEqual({ ok: false, reply: { code: 501, status: '5.5.4', text } })
  })
})

describe('parseCommandLine and formatReply', () => {
  it('upper-cases the verb and keeps the argument', () => {
    expect(parseCommandLine('mail FROM:<a@b>  ')).toEqual({ verb: 'MAIL', argument: 'FROM:<a@b>' })
    expect(parseCommandLine('QUIT')).toEqual({ verb: 'QUIT', argument: '' })
  })

  it('writes multi-line replies with continuation dashes, and no enhanced code when there is none', () => {
    expect(formatReply(reply(250, '', 'mx\nPIPELINING\nSIZE 10'))).toBe('250-mx\r\n250-PIPELINING\r\n250 SIZE 10\r\n')
    expect(formatReply(reply(550, '5.1.1', 'no'))).toBe('550 5.1.1 no\r\n')
  })
})
