import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config.ts'
import { NotAnEmailError } from '../../src/errors.ts'
import { extractFields } from '../../src/pipeline/extract-fields.ts'
import { parseMessage, type ParsedMessage } from '../../src/pipeline/parse-message.ts'
import { brandProfile } from '../../src/verifier/brand-profile.ts'
import { findContentSignals } from '../../src/verifier/content-signals.ts'
import { htmlToText } from '../../src/pipeline/html-text.ts'
import { mentionsBrandAsWord } from '../../src/verifier/verify-identifier.ts'
import { findContentSignalsBySentence, mentionsBrandAsWordByWord } from '../helpers/verifier-reference.ts'
import { listFiles, REPO_ROOT, SPAM_ASSASSIN_DIR, sharedCorpusDir } from '../helpers/fixtures.ts'

// Shortcuts of the analysis stages, checked against their definitions on real mail: mentionsBrandAsWord reads ASCII
// text in one pass and other text word by word; findContentSignals reads sentence by sentence only with the patterns
// that match the whole text; extractFields skips the rules that need an @ or a digit when the text has none.

const brand = loadConfig({}).brand

function bodyOf(m: ParsedMessage): string {
  return m.text ?? (m.html ? htmlToText(m.html) : '')
}

/** The texts judgeParsedMessage looks for the brand in: display names, local parts, subject, start of the body. */
function textsOf(m: ParsedMessage): string[] {
  const body = bodyOf(m)
  const addresses = [...(m.from ? [m.from] : []), ...m.replyTo, ...m.to]
  return [m.subject, body.slice(0, 20_000), ...addresses.flatMap((a) => [a.name, a.address.slice(0, Math.max(0, a.address.lastIndexOf('@')))])]
}

async function parseCorpus(): Promise<Array<{ file: string; parsed: ParsedMessage }>> {
  const files = [...listFiles(SPAM_ASSASSIN_DIR).filter((f) => f.endsWith('.txt')), ...listFiles(sharedCorpusDir()).filter((f) => f.endsWith('.eml'))]
  expect(files.length).toBe(6046 + 210)
  const out: Array<{ file: string; parsed: ParsedMessage }> = []
  for (const file of files) {
    try {
      out.push({ file: path.relative(REPO_ROOT, file), parsed: await parseMessage(readFileSync(file), { maxAttachments: 100, maxAttachmentBytes: 25 * 1024 * 1024 }) })
    } catch (err) {
      if (!(err instanceof NotAnEmailError)) throw err
    }
  }
  return out
}

describe.skipIf(!existsSync(SPAM_ASSASSIN_DIR) || !existsSync(sharedCorpusDir()))('analysis shortcuts on the SpamAssassin and shared corpora', () => {
  let corpus: Array<{ file: string; parsed: ParsedMessage }> = []
  beforeAll(async () => {
    corpus = await parseCorpus()
  }, 300_000)

  it('mentionsBrandAsWord agrees with the word-by-word definition on every subject, body, display name and local part', () => {    // OKPay, and a brand whose name other mail uses ("mail", "list", "linux" are words of this corpus).
    const profiles = [brandProfile(brand), brandProfile({ ...brand, name: 'Linux Mail', officialDomains: ['mail.com', 'linux.ie', 'list.org'] })]
    const mismatches: string[] = []
    const found = [0, 0]
    let texts = 0
    for (const { file, parsed } of corpus) {
      for (const text of textsOf(parsed)) {
        texts++
        profiles.forEach((profile, i) => {
          const expected = mentionsBrandAsWordByWord(profile, text)
          if (expected) found[i] = (found[i] ?? 0) + 1
          if (mentionsBrandAsWord(profile, text) !== expected) mismatches.push(`${file} (${profile.name}): ${JSON.stringify(text.slice(0, 80))}`)
        })
      }
    }
    expect(mismatches).toEqual([])
    // No OKPay in mail from 2002; the second brand is named in 3,910 of the 45,630 texts (HTML-only mail is read through its visible text, without its <head>).
    expect({ texts, found }).toEqual({ texts: 45_630, found: [0, 3910] })
  })

  it('findContentSignals agrees with reading every sentence with every pattern, on every subject and body', () => {
    const mismatches: string[] = []
    const seen = { requested: 0, givesCodeOnly: 0, urgency: 0, none: 0 }
    for (const { file, parsed } of corpus) {
      const text = `${parsed.subject}\n${bodyOf(parsed)}`
      const expected = findContentSignalsBySentence(text)
      if (expected.requested.length > 0) seen.requested++
      if (expected.givesCodeOnly) seen.givesCodeOnly++
      if (expected.urgency) seen.urgency++
      if (expected.requested.length === 0 && !expected.givesCodeOnly && !expected.urgency) seen.none++
      if (JSON.stringify(findContentSignals(text)) !== JSON.stringify(expected)) mismatches.push(file)
    }
    expect(mismatches).toEqual([])
    // Each outcome occurs, and most mail has none (where the shortcut skips the sentences).
    expect(seen).toEqual({ requested: 32, givesCodeOnly: 280, urgency: 399, none: 5597 })
  })

  it('extractFields finds the same in a text without an @ or a digit as when every rule runs', () => {
    // "0", "@" and NULs: a digit and an @ so that no rule is skipped, which no rule can match (a digit followed by NUL,
    // an @ with a NUL on either side), and in front of the text a NUL reads like the start of the text.
    const everyRule = '0\u0000@\u0000'
    const mismatches: string[] = []
    const skipped = { at: 0, digit: 0 }
    for (const { file, parsed } of corpus) {
      for (const text of [parsed.subject, parsed.text ?? '']) {
        if (!text.includes('@')) skipped.at++
        if (!/\d/.test(text)) skipped.digit++
        const options = { ignoreDomains: ['okpay.com'] }
        if (JSON.stringify(extractFields(text, options)) !== JSON.stringify(extractFields(everyRule + text, options))) mismatches.push(file)
      }
    }
    expect(mismatches).toEqual([])
    // Texts where rules were skipped, of 12,512.
    expect(skipped).toEqual({ at: 8895, digit: 5591 })
  })
})
