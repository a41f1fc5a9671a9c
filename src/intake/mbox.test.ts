import { describe, expect, it } from 'vitest'
import { bestOfFiveMs, oneMiBOf } from '../../test/helpers/linear-time.ts'
import { splitMbox } from './mbox.ts'

const mbox = (text: string) => Buffer.from(text, 'latin1')

describe('splitMbox', () => {
  it('is undefined for an ordinary message', () => {
    expect(splitMbox(mbox('From: a@example.com\r\nSubject: x\r\n\r\nbody\r\n'))).toBeUndefined()
  })

  it('splits at separator lines that follow an empty line, and leaves body lines that merely start with From', () => {
    const messages = splitMbox(
      mbox(
        'From alice@example.com Mon Nov 23 10:00:00 2026\nFrom: alice@example.com\nSubject: one\n\nFrom here on, thanks.\n>From the archive\n>>From twice\n\n' +
          'From bob@example.com Tue Nov 24 11:00:00 2026\nFrom: bob@example.com\nSubject: two\n\nsecond\n',
      ),
    )
    expect(messages?.map((m) => m.toString('latin1'))).toEqual([
      'From: alice@example.com\nSubject: one\n\nFrom here on, thanks.\nFrom the archive\n>From twice\n',
      'From: bob@example.com\nSubject: two\n\nsecond\n',
    ])
  })

  it('keeps CRLF messages byte for byte, and reads one message with a separator as one', () => {
    expect(splitMbox(mbox('From a@b.example Mon Nov 23 10:00:00 2026\r\nSubject: only\r\n\r\nbody\r\n'))?.map((m) => m.toString('latin1'))).toEqual([
      'Subject: only\r\n\r\nbody\r\n',
    ])
  })

  it('reads 1 MiB of candidate separator lines full of times without a year in linear time', () => {
    const unit = `x\n\nFrom a ${'12:34 '.repeat(165)}\n`
    const bestMs = bestOfFiveMs(`From a@b.example Mon Nov 23 10:00:00 2026\n${oneMiBOf(unit)}`, (text) => splitMbox(Buffer.from(text, 'latin1')))
    expect(bestMs, `best of five: ${bestMs.toFixed(1)} ms`).toBeLessThan(200)
  })
})
