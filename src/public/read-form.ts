import type { FastifyRequest } from 'fastify'

export interface UploadLimits {
  maxFiles: number
  maxFileBytes: number
}

export interface ReceivedFile {
  fieldname: string
  filename: string
  content: Buffer
  /** The part was longer than maxFileBytes; content holds only the first bytes. */
  truncated: boolean
}

export interface ReceivedForm {
  fields: Record<string, string>
  files: ReceivedFile[]
  /**
   * 'too_many_files' or 'too_large' when the request broke a hard limit, 'malformed' when it could not be read as a
   * multipart form at all (no boundary, cut off); fields read so far are kept.
   */
  limitBroken?: 'too_many_files' | 'too_large' | 'malformed' | undefined
}

/** Longer than any text field of ours (the longest, a message, takes 10,000 characters). */
const FIELD_CHARS = 20_000
/**
 * busboy counts a field's limit in bytes: 20,000 bytes cut a Chinese message (3 bytes a character in UTF-8) at 6,667
 * characters without a word. Four bytes a character fit any script; a field longer still breaks the form's limit.
 */
const FIELD_BYTES = FIELD_CHARS * 4

/**
 * Reads a multipart form within hard limits (file count, bytes per file, fields, field size), so one
 * request can never make us hold more than maxFiles × maxFileBytes in memory.
 */
export async function readMultipartForm(request: FastifyRequest, limits: UploadLimits): Promise<ReceivedForm> {
  const form: ReceivedForm = { fields: {}, files: [] }
  if (!request.isMultipart()) return form
  try {
    const parts = request.parts({
      limits: {
        fieldNameSize: 100,
        fieldSize: FIELD_BYTES,
        fields: 20,
        files: limits.maxFiles,
        fileSize: limits.maxFileBytes,
        parts: limits.maxFiles + 20,
        headerPairs: 100,
      },
    })
    for await (const part of parts) {
      if (part.type === 'field') {
        // A cut value is never taken as what the customer wrote.
        if (part.valueTruncated) form.limitBroken = 'too_large'
        else if (typeof part.value === 'string' && !(part.fieldname in form.fields)) form.fields[part.fieldname] = part.value
        continue
      }
      const chunks: Buffer[] = []
      for await (const chunk of part.file) chunks.push(chunk as Buffer)
      // Browsers send an empty part for a file input left empty.
      if (!part.filename && chunks.length === 0) continue
      form.files.push({ fieldname: part.fieldname, filename: part.filename, content: Buffer.concat(chunks), truncated: part.file.truncated })
    }
  } catch (err) {
    const code = (err as { code?: string }).code
    const status = (err as { statusCode?: number }).statusCode
    form.limitBroken = code === 'FST_FILES_LIMIT' ? 'too_many_files' : status === 413 ? 'too_large' : 'malformed'
    if (!code?.startsWith('FST_')) request.log.warn({ err }, 'multipart form could not be read')
  }
  return form
}

/** application/x-www-form-urlencoded bodies for the small forms; string values only, first one wins. */
export function parseUrlEncoded(body: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [key, value] of new URLSearchParams(body)) if (!(key in out)) out[key] = value
  return out
}
