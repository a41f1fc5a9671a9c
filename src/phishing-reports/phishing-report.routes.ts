import { sendUnsupportedMediaType } from '../web/error-handler.ts'
import type { FastifyInstance } from 'fastify'
import { assertLooksLikeEmail } from '../pipeline/parse-message.ts'
import type { AppDeps } from '../web/app.ts'
import { listPhishingCampaigns, phishingCampaignsToCsv, recordPhishingReport } from './phishing-report.service.ts'

const MAX_REPORT_BYTES = 10 * 1024 * 1024 // 10 MiB

const campaignSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    reportCount: { type: 'integer' },
    firstSeenAt: { type: 'string', format: 'date-time' },
    lastSeenAt: { type: 'string', format: 'date-time' },
    sampleSubject: { type: ['string', 'null'] },
    senderDomains: { type: 'array', items: { type: 'string' } },
    linkDomains: { type: 'array', items: { type: 'string' } },
    fingerprints: { type: 'array', items: { type: 'string' } },
  },
} as const

/** Phishing reports in (agents, security tooling) and campaigns out (JSON, CSV) for takedown and block lists. */
export function phishingReportRoutes(deps: AppDeps) {
  const log = deps.log.child({ component: 'phishing-reports' })
  return async function register(app: FastifyInstance): Promise<void> {
    app.addContentTypeParser('message/rfc822', { parseAs: 'buffer', bodyLimit: MAX_REPORT_BYTES }, (_req, body, done) => done(null, body))

    app.post<{ Body: Buffer }>(
      '/api/v1/phishing/reports',
      {
        schema: {
          summary: 'Report a phishing message (the raw message as message/rfc822); it is grouped into a campaign',
          tags: ['phishing'],
          body: { content: { 'message/rfc822': { schema: { description: 'the reported message (.eml), at most 10 MiB' } } } },
          response: {
            201: {
              type: 'object',
              properties: { reportId: { type: 'integer' }, campaignId: { type: 'integer' }, isNewCampaign: { type: 'boolean' }, verdict: { type: 'string' } },
            },
          },
        },
      },
      async (request, reply) => {
        if (!Buffer.isBuffer(request.body)) {
          return sendUnsupportedMediaType(reply, 'send the reported message with Content-Type: message/rfc822')
        }
        assertLooksLikeEmail(request.body)
        const recorded = await recordPhishingReport(deps.store.db, deps.config.brand, { raw: request.body, source: 'agent', now: new Date() })
        log.info({ reportId: recorded.reportId, campaignId: recorded.campaignId, isNewCampaign: recorded.isNewCampaign }, 'phishing report recorded')
        return reply.code(201).send(recorded)
      },
    )

    app.get<{ Querystring: { limit: number; offset: number; format: 'json' | 'csv' } }>(
      '/api/v1/phishing/campaigns',
      {
        schema: {
          summary: 'Phishing campaigns, most recently seen first, with sending and link domains (format=csv to export)',
          tags: ['phishing'],
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              limit: { type: 'integer', minimum: 1, maximum: 10_000, default: 100 },
              offset: { type: 'integer', minimum: 0, default: 0 },
              format: { type: 'string', enum: ['json', 'csv'], default: 'json' },
            },
          },
          response: { 200: { type: 'object', properties: { campaigns: { type: 'array', items: campaignSchema } } } },
        },
      },
      async (request, reply) => {
        const campaigns = await listPhishingCampaigns(deps.store.db, request.query)
        if (request.query.format === 'csv') {
          return reply
            .header('content-type', 'text/csv; charset=utf-8')
            .header('content-disposition', 'attachment; filename="phishing-campaigns.csv"')
            .serializer((payload: unknown) => String(payload))
            .send(phishingCampaignsToCsv(campaigns))
        }
        return { campaigns }
      },
    )
  }
}
