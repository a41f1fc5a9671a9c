import { fstatSync } from 'node:fs'
import type { Readable, Writable } from 'node:stream'
import { redactSensitiveData } from '../pipeline/redact/redact-sensitive-data.ts'
import type { CliIo } from './ingest.ts'

/** Largest input `maildesk redact` accepts on stdin. */
export const MAX_REDACT_INPUT_BYTES = 10 * 1024 * 1024 // 10 MiB

/** Reads all of `input`, or stops as soon as it passes `maxBytes` (returns undefined then). */
async function readBounded(input: Readable, maxBytes: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = []
  let total = 0
  for await (const chunk of input) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk as Uint8Array)
    total += buffer.length
    if (total > maxBytes) {
      input.destroy()
      return undefined
    }
    chunks.push(buffer)
  }
  return Buffer.concat(chunks)
}

function write(output: Writable, text: string): Promise<void> {
  return new Promise((resolve, reject) => output.write(text, (err) => (err ? reject(err) : resolve())))
}

/**
 * `maildesk redact [--json]`: UTF-8 text on stdin, redacted text on stdout; with `--json`,
 * `{ "text", "findings": [{ "type", "start", "end" }] }` with offsets into the input. Returns the exit code:
 * 2 for input over 10 MiB or not valid UTF-8.
 */
export async function redact(
  options: { json: boolean },
  io: CliIo,
  input: Readable = process.stdin,
  output: Writable = process.stdout,
): Promise<number> {
  // `maildesk redact < some-dir` reads nothing and would print nothing: say what is wrong instead.
  if (input === process.stdin && fstatSync(0).isDirectory()) {
    io.err('maildesk redact: standard input is a directory; give text, e.g. maildesk redact < message.txt')
    return 2
  }
  const bytes = await readBounded(input, MAX_REDACT_INPUT_BYTES)
  if (!bytes) {
    io.err(`maildesk redact: the input is larger than 10 MiB (${MAX_REDACT_INPUT_BYTES} bytes); split it and redact each part`)
    return 2
  }
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    io.err(`maildesk redact: the input is not valid UTF-8 (${bytes.length} bytes); convert it first, e.g. iconv -f GB18030 -t UTF-8`)
    return 2
  }
  const result = redactSensitiveData(text)
  if (options.json) {
    const findings = result.findings.map(({ type, start, end }) => ({ type, start, end }))
    await write(output, `${JSON.stringify({ text: result.text, findings })}\n`)
  } else {
    await write(output, result.text)
  }
  return 0
}
