import { readFileSync } from 'node:fs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createTestDatabase, testDialects } from '../../test/helpers/test-database.ts'
import { loadConfig } from '../config.ts'
import type { Store } from '../store/database.ts'
import { listPhishingCampaigns, phishingCampaignsToCsv, recordPhishingReport } from './phishing-report.service.ts'

const brand = loadConfig({}).brand
const fixture = (name: string) => readFileSync(new URL(`../../test/fixtures/verifier/emails/${name}`, import.meta.url))

function phish(opts: { from: string; to: string; link: string; amount: string; subject?: string }): Buffer {
  return Buffer.from(
    [
      `From: OKPay <${opts.from}>`,
      `To: ${opts.to}`,
      `Subject: ${opts.subject ?? 'Your account is limited'}`,
      'Content-Type: text/plain; charset=utf-8',
      '',
      `Dear ${opts.to}, a payment of ${opts.amount} was blocked. Verify your account within 24 hours: ${opts.link}`,
      '',
    ].join('\r\n'),
  )
}

for (const dialect of testDialects()) {
  describe(`${dialect}: phishing reports`, () => {
    let store: Store
    beforeEach(async () => {
      store = await createTestDatabase(dialect)
    })
    afterEach(async () => {
      await store.destroy()
    })

    it('groups reports of one campaign by text fingerprint even when sender and link change', async () => {
      const a = await recordPhishingReport(store.db, brand, { raw: phish({ from: 'a@okpay-support.com', to: 'li@example.net', link: 'https://okpay-support.com/x', amount: '$499' }), source: 'verifier', now: new Date('2026-11-20T08:00:00Z') })
      const b = await recordPhishingReport(store.db, brand, { raw: phish({ from: 'b@okpay-help.net', to: 'wang@example.cn', link: 'https://okpay-help.net/y', amount: '$1,250' }), source: 'security_mailbox', now: new Date('2026-11-21T09:30:00Z') })
      expect(a).toMatchObject({ isNewCampaign: true, verdict: 'impersonation' })
      expect(b).toMatchObject({ isNewCampaign: false, campaignId: a.campaignId })
      const [campaign] = await listPhishingCampaigns(store.db, { limit: 10, offset: 0 })
      expect(campaign).toMatchObject({
        id: a.campaignId,
        reportCount: 2,
        firstSeenAt: '2026-11-20T08:00:00.000Z',
        lastSeenAt: '2026-11-21T09:30:00.000Z',
        sampleSubject: 'Your account is limited',
        senderDomains: ['okpay-help.net', 'okpay-support.com'],
        linkDomains: ['okpay-help.net', 'okpay-support.com'],
      })
    })

    it('groups by link domain when the text differs, and keeps unrelated reports apart', async () => {
      const a = await recordPhishingReport(store.db, brand, { raw: fixture('link-google-redirect-zh.eml'), source: 'agent', now: new Date('2026-11-20T08:00:00Z') })
      const b = await recordPhishingReport(store.db, brand, { raw: phish({ from: 'x@mailer.example', to: 'li@example.net', link: 'https://okpay-login.net/en', amount: '$5', subject: 'Different words' }), source: 'agent', now: new Date('2026-11-22T08:00:00Z') })
      const c = await recordPhishingReport(store.db, brand, { raw: fixture('card-cvv-request-en.eml'), source: 'agent', now: new Date('2026-11-23T08:00:00Z') })
      expect(b.campaignId).toBe(a.campaignId)
      expect(c.campaignId).not.toBe(a.campaignId)
      const campaigns = await listPhishingCampaigns(store.db, { limit: 10, offset: 0 })
      expect(campaigns.map((x) => [x.id, x.reportCount])).toEqual([[c.campaignId, 1], [a.campaignId, 2]])
    })

    it('never keys a campaign on the official domain a spoof pretends to send from, nor on a free-mail domain', async () => {
      const spoof = await recordPhishingReport(store.db, brand, { raw: fixture('spoof-official-password-en.eml'), source: 'verifier', now: new Date('2026-11-20T08:00:00Z') })
      const other = await recordPhishingReport(store.db, brand, { raw: fixture('spoof-official-otp-zh.eml'), source: 'verifier', now: new Date('2026-11-20T09:00:00Z') })
      expect(other.campaignId).not.toBe(spoof.campaignId)
      const freemail = await recordPhishingReport(store.db, brand, { raw: fixture('freemail-brand-local-zh.eml'), source: 'verifier', now: new Date('2026-11-20T10:00:00Z') })
      const campaigns = await listPhishingCampaigns(store.db, { limit: 10, offset: 0 })
      expect(campaigns.find((c) => c.id === freemail.campaignId)?.senderDomains).toEqual(['okpay.service@gmail.com'])
      expect(campaigns.flatMap((c) => c.senderDomains)).not.toContain('okpay.com')
    })

    it('exports CSV with formula-like cells neutralised', async () => {
      await recordPhishingReport(store.db, brand, { raw: phish({ from: 'a@okpay-support.com', to: 'li@example.net', link: 'https://okpay-support.com/x', amount: '$1', subject: '=HYPERLINK("http://x")' }), source: 'agent', now: new Date('2026-11-20T08:00:00Z') })
      const csv = phishingCampaignsToCsv(await listPhishingCampaigns(store.db, { limit: 10, offset: 0 }))
      expect(csv).toBe(
        'id,report_count,first_seen_at,last_seen_at,sender_domains,link_domains,sample_subject\r\n' +
          '"1","1","2026-11-20T08:00:00.000Z","2026-11-20T08:00:00.000Z","okpay-support.com","okpay-support.com","\'=HYPERLINK(""http://x"")"\r\n',
      )
    })
  })
}
