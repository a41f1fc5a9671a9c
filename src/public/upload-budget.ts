import type { FastifyReply, FastifyRequest } from 'fastify'
import { MaildeskError } from '../errors.ts'

/** What a public request without a Content-Length (chunked) is assumed to bring: the largest public upload. */
const UNDECLARED_BYTES = 32 * 1024 * 1024 // 32 MiB

/**
 * Bytes that strangers' requests (routes with `config.public`) may have in flight at once, across the process. Each
 * such request reads its body into memory (a form's files, a message to verify, within per-request limits); without a
 * process-wide cap, a few hundred slow uploads at once would exhaust the memory. A request with a body reserves its
 * Content-Length (or UNDECLARED_BYTES) before a byte is read, and gives it back when its answer is sent or its
 * connection closes; while the budget is used up, new uploads get 503 with Retry-After at once.
 */
export class UploadBudget {
  private inFlight = 0

  constructor(readonly maxBytes: number) {}

  /** A Fastify onRequest hook. */
  readonly onRequest = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (request.routeOptions.config.public !== true) return
    const declared = request.headers['content-length']
    const hasBody = declared !== undefined ? declared !== '0' : request.headers['transfer-encoding'] !== undefined
    if (!hasBody) return
    const length = Number(declared)
    const bytes = declared !== undefined && Number.isSafeInteger(length) && length >= 0 ? Math.min(length, UNDECLARED_BYTES) : UNDECLARED_BYTES
    if (this.inFlight + bytes > this.maxBytes) {
      void reply.header('retry-after', '30')
      throw new MaildeskError('SERVER_BUSY', 'too many uploads at once; please try again in a minute')
    }
    this.inFlight += bytes
    reply.raw.once('close', () => {
      this.inFlight -= bytes
    })
  }
}
