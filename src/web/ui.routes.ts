import { readFile, readdir } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { FastifyInstance } from 'fastify'

const UI_DIR = fileURLToPath(new URL('../../ui/', import.meta.url))
const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json; charset=utf-8',
}

/** The workspace pages' policy: our own scripts and styles only; mail bodies come from same-origin sandboxed frames. */
export const WORKSPACE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ')

/**
 * Serves the agent UI (plain ES modules in ui/, no build step) at /agent/. Files are read once and kept in
 * memory; only names that exist in ui/ at start are served, so no path can escape the folder.
 */
export function uiRoutes() {
  return async function register(app: FastifyInstance): Promise<void> {
    const files = new Map<string, { body: Buffer; type: string }>()
    const walk = async (dir: string, prefix: string) => {
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name)
        if (entry.isDirectory()) await walk(full, `${prefix}${entry.name}/`)
        else {
          const type = CONTENT_TYPES[path.extname(entry.name)]
          if (type) files.set(`${prefix}${entry.name}`, { body: await readFile(full), type })
        }
      }
    }
    await walk(path.join(UI_DIR, 'src'), '')
    const index = await readFile(path.join(UI_DIR, 'index.html'))
    const security = {
      'content-security-policy': WORKSPACE_CSP,
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'same-origin',
    }

    app.get('/agent', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/agent/'))
    app.get('/agent/', { schema: { hide: true } }, async (_request, reply) =>
      reply.headers({ ...security, 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' }).send(index),
    )
    app.get<{ Params: { '*': string } }>('/agent/assets/*', { schema: { hide: true } }, async (request, reply) => {
      const file = files.get(request.params['*'])
      if (!file) return reply.code(404).send({ error: { code: 'NOT_FOUND', message: 'no such asset' } })
      return reply.headers({ ...security, 'content-type': file.type, 'cache-control': 'no-cache' }).send(file.body)
    })
  }
}
