import { readFileSync } from 'node:fs'
import type { FastifyInstance } from 'fastify'
import { helpRoutes } from '../help-centre/help.routes.ts'
import type { AppDeps } from '../web/app.ts'
import { contactRoutes } from './contact.routes.ts'

const ASSETS: Record<string, { type: string; body: string }> = {
  'site.css': { type: 'text/css; charset=utf-8', body: readFileSync(new URL('./assets/site.css', import.meta.url), 'utf8') },
  'site.js': { type: 'text/javascript; charset=utf-8', body: readFileSync(new URL('./assets/site.js', import.meta.url), 'utf8') },
}

/** Options for tests; production uses the defaults. */
export interface PublicRouteOptions {
  now?: () => Date
}

/** Every public page and public API route; registered once from buildApp. */
export function publicRoutes(deps: AppDeps, options: PublicRouteOptions = {}) {
  return async function register(app: FastifyInstance): Promise<void> {
    app.get<{ Params: { name: string } }>('/public/assets/:name', { config: { public: true }, schema: { hide: true } }, async (request, reply) => {
      const asset = ASSETS[request.params.name]
      if (!asset) return reply.code(404).send({ error: { code: 'NOT_FOUND', message: 'no such asset' } })
      return reply
        .header('content-type', asset.type)
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'public, max-age=300')
        .send(asset.body)
    })
    await app.register(contactRoutes(deps, options))
    await app.register(helpRoutes(deps))
  }
}
