import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createAgent, createApiToken } from '../../src/agents/agent.service.ts'
import { createSurveyLinks, createSurveyToken } from '../../src/surveys/survey.service.ts'
import { testDialects } from '../helpers/test-database.ts'
import { createPublicTestApp, type PublicTestApp } from './public-test-app.ts'

let clock = new Date('2026-11-25T10:00:00Z')

const mail = (n: number) =>
  Buffer.from(`From: c${n}@example.com\r\nTo: support@okpay.com\r\nSubject: Question ${n}\r\nMessage-ID: <q${n}@example.com>\r\n\r\nHello ${n}\r\n`)

for (const dialect of testDialects()) {
  describe(`${dialect}: satisfaction survey`, () => {
    let t: PublicTestApp
    let ticketIds: number[]
    beforeEach(async () => {
      clock = new Date('2026-11-25T10:00:00Z')
      t = await createPublicTestApp(dialect, { now: () => clock })
      for (let i = 1; i <= 3; i++) await t.spool.spool({ raw: mail(i), source: 'file' })
      ticketIds = (await t.worker.runUntilIdle()).map((r) => (r.ok ? r.outcome.ticketId : 0))
    })
    afterEach(async () => {
      await t?.close()
    })

    const path = (url: string) => new URL(url).pathname
    const form = (payload: string) => ({ payload, headers: { 'content-type': 'application/x-www-form-urlencoded' } })

    it('records a rating only when its button is pressed, lets the customer change it and add a comment, and summarizes', async () => {
      const links = await createSurveyLinks(t.store.db, t.config.publicUrl, ticketIds[0] ?? 0, clock)
      expect(links.map((l) => l.rating)).toEqual([1, 2, 3, 4, 5])
      // Opening the link (what a mail scanner or prefetcher does) only asks; the button's POST records.
      const shown = await t.app.inject({ url: `${path(links[1]?.url ?? '')}?lang=en` })
      expect(shown.statusCode).toBe(200)
      expect(shown.body).toContain('Rate our help 2 out of 5?')
      expect(shown.body).toContain(`<form class="stack" method="post" action="${path(links[1]?.url ?? '')}">`)
      for (const link of links) await t.app.inject({ url: path(link.url) })
      expect(await t.store.db.selectFrom('survey_responses').selectAll().execute()).toEqual([])
      const two = await t.app.inject({ method: 'POST', url: `${path(links[1]?.url ?? '')}?lang=en`, ...form('') })
      expect(two.statusCode).toBe(200)
      expect(two.body).toContain('You rated our help 2 out of 5.')
      const five = await t.app.inject({ method: 'POST', url: `${path(links[4]?.url ?? '')}?lang=en`, ...form('') })
      expect(five.body).toContain('You rated our help 5 out of 5.')
      const token = path(links[4]?.url ?? '').split('/')[2]
      const comment = await t.app.inject({ method: 'POST', url: `/survey/${token}/comment?lang=en`, ...form('rating=5&comment=Quick+and+kind') })
      expect(comment.body).toContain('Thank you for your comment.')
      const other = await createSurveyLinks(t.store.db, t.config.publicUrl, ticketIds[1] ?? 0, clock)
      await t.app.inject({ method: 'POST', url: path(other[2]?.url ?? ''), ...form('') })

      expect((await t.app.inject({ url: '/api/v1/surveys/summary' })).statusCode).toBe(401)
      const agent = await createAgent(t.store.db, { email: 'lead@okpay.com', password: 'correct horse battery staple', role: 'admin' }, clock)
      const { token: apiToken } = await createApiToken(t.store.db, agent.id, 'dashboard', clock)
      const summary = await t.app.inject({ url: '/api/v1/surveys/summary', headers: { authorization: `Bearer ${apiToken}` } })
      expect(summary.json()).toEqual({
        responses: 2,
        averageRating: 4,
        distribution: { '1': 0, '2': 0, '3': 1, '4': 0, '5': 1 },
        satisfiedShare: 0.5,
        comments: [{ ticketId: ticketIds[0], rating: 5, comment: 'Quick and kind', at: clock.toISOString() }],
      })
    })

    it('refuses forged, expired and out-of-range links and stores nothing', async () => {
      const token = await createSurveyToken(t.store.db, ticketIds[0] ?? 0, clock, 60_000)
      const forged = token.replace(/^\d+/, String(ticketIds[1]))
      const bad = [`/survey/${forged}/5?lang=en`, `/survey/${token}/6?lang=en`, `/survey/${token}/0?lang=en`, `/survey/nonsense/5?lang=en`]
      const answers = []
      for (const url of bad) answers.push(await t.app.inject({ url }), await t.app.inject({ method: 'POST', url, ...form('') }))
      clock = new Date(clock.getTime() + 120_000)
      answers.push(await t.app.inject({ url: `/survey/${token}/5?lang=en` }), await t.app.inject({ method: 'POST', url: `/survey/${token}/5?lang=en`, ...form('') }))
      expect(answers).toHaveLength(10)
      for (const a of answers) {
        expect(a.statusCode).toBe(404)
        expect(a.body).toContain('This survey link is not valid or has expired.')
      }
      expect(await t.store.db.selectFrom('survey_responses').selectAll().execute()).toEqual([])
    })
  })
}
