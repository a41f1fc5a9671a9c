import { createHash, createPrivateKey, sign, type KeyObject } from 'node:crypto'
import { foldLines } from 'nodemailer/lib/mime-funcs'
import { normalizeDomain } from 'nodemailer/lib/shared'
import type { DkimKey } from './dkim-key.ts'

// DKIM signing (RFC 6376, rsa-sha256, relaxed/relaxed) that writes exactly the DKIM-Signature field nodemailer's
// DKIM signer writes for the same message and key (dkim/index.js, sign.js, message-parser.js, relaxed-body.js,
// ported; dkim-signer.test.ts compares the two byte for byte). nodemailer signs inside its transports with
// crypto's synchronous sign() and parses the PEM key again for every message: about 1.1 ms of the event loop per
// mail, 0.55 ms of it the PEM parse. Here the key is parsed once and the RSA operation runs on libuv's thread pool
// (crypto.sign with a callback), so only the header parsing and the body canonicalization (tens of µs) stay on
// the calling thread. RSA PKCS#1 v1.5 signatures are deterministic, which is what makes the bytes comparable.

/** The header fields nodemailer signs (RFC 4871 §5.5 plus List-Unsubscribe-Post), in the order it lists them. */
const SIGNED_FIELDS =
  'From:Sender:Reply-To:Subject:Date:Message-ID:To:' +
  'Cc:MIME-Version:Content-Type:Content-Transfer-Encoding:Content-ID:' +
  'Content-Description:Resent-Date:Resent-From:Resent-Sender:' +
  'Resent-To:Resent-Cc:Resent-Message-ID:In-Reply-To:References:' +
  'List-Id:List-Help:List-Unsubscribe:List-Unsubscribe-Post:List-Subscribe:List-Post:' +
  'List-Owner:List-Archive:OTP-Token'
const SIGNED_FIELD_KEYS = new Set(SIGNED_FIELDS.toLowerCase().split(':'))

const CR = 0x0d
const LF = 0x0a
const SPACE = 0x20
const TAB = 0x09

export interface DkimSigner {
  /**
   * The message with a DKIM-Signature field in front of it and a line break at its end: the bytes nodemailer's
   * transports wrote for it. A key that cannot sign leaves the message unsigned, as nodemailer does (the failure is
   * reported through `onKeyError`).
   */
  sign(raw: Buffer): Promise<Buffer>
}

/** A signer for one key; the PEM is parsed once, here. */
export function createDkimSigner(key: DkimKey, onKeyError: (err: Error) => void = () => {}): DkimSigner {
  let privateKey: KeyObject | undefined
  let keyError: Error | undefined
  try {
    privateKey = createPrivateKey(key.privateKey)
  } catch (err) {
    keyError = err instanceof Error ? err : new Error(String(err))
  }
  const domain = normalizeDomain(cleanTagValue(key.domainName), false)
  const selector = cleanTagValue(key.keySelector)
  return {
    async sign(message) {
      const raw = withLastNewline(message)
      if (!privateKey) {
        onKeyError(keyError ?? new Error('no DKIM key'))
        return raw
      }
      const { headerLines, bodyStart } = splitHeader(raw)
      const bodyHash = relaxedBodyHash(raw.subarray(bodyStart))
      const canonical = relaxedHeaders(headerLines)
      const tags = ['v=1', 'a=rsa-sha256', 'c=relaxed/relaxed', `d=${domain}`, 'q=dns/txt', `s=${selector}`, `bh=${bodyHash}`, `h=${cleanTagValue(canonical.fieldNames)}`]
      const dkimHeader = `${foldLines(`DKIM-Signature: ${tags.join('; ')}`, 76)};\r\n b=`
      const signed = `${canonical.headers}dkim-signature:${relaxedHeaderLine(dkimHeader)}`
      let signature: Buffer
      try {
        signature = await new Promise<Buffer>((resolve, reject) => sign('sha256', Buffer.from(signed, 'latin1'), privateKey, (err, out) => (err ? reject(err) : resolve(out))))
      } catch (err) {
        onKeyError(err instanceof Error ? err : new Error(String(err)))
        return raw
      }
      const field = dkimHeader + foldSignature(signature.toString('base64'))
      return Buffer.concat([Buffer.from(`${field}\r\n`, 'latin1'), raw])
    },
  }
}

/**
 * The message ending with a line break, as nodemailer's message stream hands it to its DKIM signer and transports
 * (mime-node/last-newline.js): a final CR gets its LF, anything else but LF gets CRLF.
 */
function withLastNewline(raw: Buffer): Buffer {
  const last = raw.length > 0 ? raw[raw.length - 1] : undefined
  if (last === LF) return raw
  return Buffer.concat([raw, Buffer.from(last === CR ? '\n' : '\r\n', 'latin1')])
}

/**
 * The b= value folded as nodemailer folds it (`replace(/(^.{73}|.{75}(?!\r?\n|\r))/g, '$&\r\n ').trim()` on base64,
 * which has no line breaks): 73 characters on the first line, 75 on each further one.
 */
function foldSignature(base64: string): string {
  const lines = [base64.slice(0, 73)]
  for (let at = 73; at < base64.length; at += 75) lines.push(base64.slice(at, at + 75))
  return lines.join('\r\n ')
}

/** Tag values go into the tag list as they are: no control characters, DEL or delimiters that would open a tag. */
function cleanTagValue(value: string): string {
  return value.replace(/[\x00-\x1f\x7f;=]/g, '')
}

/**
 * The header block, unfolded into {key, line} (one byte per character), and where the body starts: after the first
 * empty line, LF LF or LF CR LF (message-parser.js). Lines without anything but SP, HTAB and CR are dropped.
 */
function splitHeader(raw: Buffer): { headerLines: Array<{ key: string; line: string }>; bodyStart: number } {
  let bodyStart = raw.length
  for (let i = 1; i < raw.length; i++) {
    if (raw[i] !== LF) continue
    if (raw[i - 1] === LF || (raw[i - 1] === CR && i > 1 && raw[i - 2] === LF)) {
      bodyStart = i + 1
      break
    }
  }
  const lines: string[] = []
  for (const rawLine of raw.toString('latin1', 0, bodyStart).split(/\r?\n/)) {
    if (lines.length > 0 && (rawLine.startsWith(' ') || rawLine.startsWith('\t'))) lines[lines.length - 1] += `\n${rawLine}`
    else lines.push(rawLine)
  }
  const headerLines = lines
    .filter((line) => /[^ \t\r]/.test(line))
    .map((line) => ({ key: trimSpaceAndTab(line.slice(0, Math.max(0, line.indexOf(':')))).toLowerCase(), line }))
  return { headerLines, bodyStart }
}

/** Only SP and HTAB come off a field name (an NBSP stays, as in nodemailer). */
function trimSpaceAndTab(value: string): string {
  let start = 0
  let end = value.length
  while (start < end && (value.charCodeAt(start) === SPACE || value.charCodeAt(start) === TAB)) start++
  while (end > start && (value.charCodeAt(end - 1) === SPACE || value.charCodeAt(end - 1) === TAB)) end--
  return value.slice(start, end)
}

/** Relaxed header canonicalization of the signed fields: for each name, its last occurrence, in SIGNED_FIELDS order. */
function relaxedHeaders(headerLines: Array<{ key: string; line: string }>): { headers: string; fieldNames: string } {
  const found = new Map<string, string>()
  for (const { key, line } of [...headerLines].reverse()) {
    if (SIGNED_FIELD_KEYS.has(key) && !found.has(key)) found.set(key, relaxedHeaderLine(line))
  }
  const headers: string[] = []
  const fields: string[] = []
  for (const field of SIGNED_FIELD_KEYS) {
    const value = found.get(field)
    if (value === undefined) continue
    fields.push(field)
    headers.push(`${field}:${value}`)
  }
  return { headers: `${headers.join('\r\n')}\r\n`, fieldNames: fields.join(':') }
}

/** RFC 6376 §3.4.2: unfold, runs of SP/HTAB become one SP, none around the colon or at the end. */
function relaxedHeaderLine(line: string): string {
  return line
    .slice(line.indexOf(':') + 1)
    .replace(/\r?\n/g, '')
    .replace(/[ \t]+/g, ' ')
    .replace(/^ | $/g, '')
}

/**
 * RFC 6376 §3.4.4 body hash (relaxed-body.js on the whole body at once): whitespace at a line's end is dropped, runs
 * of SP/HTAB inside a line become one SP, every line ends CRLF (a CR before LF is part of the line break, any other CR
 * is content), empty lines at the end are ignored and a body that does not end with a line break gets one.
 */
function relaxedBodyHash(body: Buffer): string {
  const hash = createHash('sha256')
  const out = Buffer.allocUnsafe(body.length * 2 + 2)
  let outPos = 0
  let lineHasContent = false
  let pendingWsp = false
  let pendingCr = false
  let pendingEmptyLines = 0
  const content = (c: number): void => {
    if (!lineHasContent) {
      if (pendingEmptyLines > 0) {
        // Empty lines count only once content follows them.
        for (; pendingEmptyLines > 0; pendingEmptyLines--) {
          out[outPos++] = CR
          out[outPos++] = LF
        }
      }
      lineHasContent = true
    }
    if (pendingWsp) {
      out[outPos++] = SPACE
      pendingWsp = false
    }
    out[outPos++] = c
  }
  // An index loop: iterating the Buffer with for…of takes three times as long here.
  for (let i = 0; i < body.length; i++) {
    const c = body[i] ?? 0
    if (c === LF) {
      if (lineHasContent) {
        out[outPos++] = CR
        out[outPos++] = LF
        lineHasContent = false
      } else {
        pendingEmptyLines++
      }
      pendingWsp = false
      pendingCr = false
      continue
    }
    if (pendingCr) {
      content(CR)
      pendingCr = false
    }
    if (c === CR) pendingCr = true
    else if (c === SPACE || c === TAB) pendingWsp = true
    else content(c)
  }
  if (pendingCr) content(CR)
  if (lineHasContent) {
    out[outPos++] = CR
    out[outPos++] = LF
  }
  return hash.update(out.subarray(0, outPos)).digest('base64')
}
