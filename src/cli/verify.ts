import { assertLooksLikeEmail } from '../pipeline/parse-message.ts'
import { open } from 'node:fs/promises'
import { hostname } from 'node:os'
import type { Language } from '../brand.ts'
import type { Config } from '../config.ts'
import { VERDICT_TITLES } from '../i18n/verifier.ts'
import type { Logger } from '../logger.ts'
import { authenticateSender, createSystemResolver, type AuthenticationResult } from '../pipeline/authenticate-sender.ts'
import { verifyEmail } from '../verifier/verify-email.ts'
import { verifyIdentifier } from '../verifier/verify-identifier.ts'
import type { VerifyResult } from '../verifier/verify-result.ts'
import type { CliIo } from './ingest.ts'

export interface VerifyOptions {
  json: boolean
  /** No DNS lookups at all: an email's signature is then not checked. */
  noDns: boolean
  emlFile: string | undefined
  language: string | undefined
}

const LANGUAGES: Language[] = ['en', 'zh-CN']

function isLanguage(value: string): value is Language {
  return LANGUAGES.some((l) => l === value)
}

/** Reads at most maxBytes of a regular file; says which limit was broken without reading the rest. */
async function readEmlFile(file: string, maxBytes: number): Promise<Buffer> {
  const handle = await open(file, 'r')
  try {
    const stat = await handle.stat()
    if (!stat.isFile()) throw new Error('not a regular file')
    if (stat.size > maxBytes) throw new Error(`the file is ${stat.size} bytes; the limit is ${maxBytes} (MAILDESK_MAX_MESSAGE_BYTES)`)
    return await handle.readFile()
  } finally {
    await handle.close()
  }
}

function describeFsError(err: unknown): string {
  const code = err instanceof Error && 'code' in err ? err.code : undefined
  if (code === 'ENOENT') return 'no such file'
  if (code === 'EACCES') return 'permission denied'
  if (code === 'EISDIR') return 'is a directory, not a file'
  return err instanceof Error ? err.message : String(err)
}

function printResult(io: CliIo, result: VerifyResult, brandName: string, language: Language, json: boolean): void {
  if (json) {
    io.out(JSON.stringify({ verdict: result.verdict, inputKind: result.inputKind, reasons: result.reasons }))
    return
  }
  io.out(`${result.verdict.toUpperCase()}: ${VERDICT_TITLES[result.verdict][language].replace(/\{brand\}/g, brandName)}`)
  for (const r of result.reasons) io.out(`  - ${r.message} [${r.code}]`)
}

/**
 * `maildesk verify [--json] [--no-dns] [--lang en|zh-CN] INPUT | --eml FILE`: prints the verdict and its reasons.
 * Exit 0 for any verdict, 2 for usage errors, 1 when the file cannot be read.
 */
export async function verify(config: Config, log: Logger, args: string[], opts: VerifyOptions, io: CliIo): Promise<number> {
  const language = opts.language ?? config.brand.defaultLanguage
  if (!isLanguage(language)) {
    io.err(`maildesk verify: --lang must be one of ${LANGUAGES.join(', ')} (got ${JSON.stringify(language.slice(0, 20))})`)
    return 2
  }
  const brand = config.brand
  if (opts.emlFile !== undefined) {
    if (args.length > 0) {
      io.err('maildesk verify: give either INPUT or --eml FILE, not both')
      return 2
    }
    const file = opts.emlFile
    let raw: Buffer
    try {
      raw = await readEmlFile(file, config.maxMessageBytes)
      // Empty, binary or headerless: NOT_AN_EMAIL, exit 1 (docs/errors.md), not a verdict about nothing.
      assertLooksLikeEmail(raw)
    } catch (err) {
      io.err(`maildesk verify: ${file}: ${describeFsError(err)}`)
      return 1
    }
    let auth: AuthenticationResult | undefined
    if (!opts.noDns) {
      try {
        auth = await authenticateSender(raw, { mta: hostname(), resolver: createSystemResolver(), brand })
      } catch (err) {
        // DNS or signature trouble leaves the signature unchecked; the verdict says so.
        log.warn({ err }, 'authentication failed; verifying without it')
      }
    }
    printResult(io, await verifyEmail(raw, { brand, language, auth }), brand.name, language, opts.json)
    return 0
  }
  if (args.length !== 1) {
    io.err('maildesk verify: give one INPUT (an email address, domain, URL or phone number) or --eml FILE\nusage: maildesk verify [--json] [--no-dns] [--lang en|zh-CN] INPUT | --eml FILE')
    return 2
  }
  printResult(io, verifyIdentifier(args[0] ?? '', { brand, language }), brand.name, language, opts.json)
  return 0
}
