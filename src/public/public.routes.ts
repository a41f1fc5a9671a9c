import { readFileSync } from 'node:fs'
import multipart from '@fastify/multipart'
import type { FastifyInstance } from 'fastify'
import { chatRoutes } from '../chat/chat.routes.ts'
import { helpRoutes } from '../help-centre/help.routes.ts'
import { portalRoutes } from '../portal/portal.routes.ts'
import { surveyRoutes } from '../surveys/survey.routes.ts'
import type { AppDeps } from '../web/app.ts'
import { contactRoutes } from './contact.routes.ts'
import { feedbackRoutes } from './feedback/feedback.routes.ts'
import type { PublicRouteOptions, ResolvedPublicOptions } from './public-options.ts'
import { parseUrlEncoded } from './read-form.ts'

// A Map, not an object literal: a name such as "constructor" or "toString" must not find Object.prototype.
const ASSETS = new Map<string, { type: string; body: string }>([
  ['site.css', { type: 'text/css; charset=utf-8', body: readFileSync(new URL('./assets/site.css', import.meta.url), 'utf8') }],
  ['site.js', { type: 'text/javascript; charset=utf-8', body: readFileSync(new URL('./assets/site.js', import.meta.url), 'utf8') }],
])

export type { PublicRouteOptions }

/** Every public page and public API route; registered once from buildApp. */
export function publicRoutes(deps: AppDeps, resolved: ResolvedPublicOptions) {
  return async function register(app: FastifyInstance): Promise<void> {
    // Encapsulated: these parsers apply to the public routes only. Limits are set per request in readMultipartForm.
    if (!app.hasContentTypeParser('multipart/form-data')) {
      // A file over the limit is read as truncated (not thrown), so the page can name the file that was too big.
      await app.register(multipart, { throwFileSizeLimit: false, limits: { fileSize: resolved.maxFileBytes, files: resolved.maxFiles } })
    }
    if (!app.hasContentTypeParser('application/x-www-form-urlencoded')) {
      app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_req, body, done) =>
        done(null, parseUrlEncoded(String(body))),
      )
    }
    app.get<{ Params: { name: string } }>('/public/assets/:name', { config: { public: true }, schema: { hide: true } }, async (request, reply) => {
      const asset = ASSETS.get(request.params.name)
      if (!asset) return reply.code(404).send({ error: { code: 'NOT_FOUND', message: 'no such asset' } })
      return reply
        .header('content-type', asset.type)
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'public, max-age=300')
        .send(asset.body)
    })
    await app.register(contactRoutes(deps, resolved))
    await app.register(feedbackRoutes(deps, resolved))
    await app.register(portalRoutes(deps, resolved))
    await app.register(surveyRoutes(deps, resolved))
    await app.register(chatRoutes(deps, resolved))
    await app.register(helpRoutes(deps))
  }
}
