import { mkdirSync } from 'node:fs'
import path from 'node:path'
import PostalMime from 'postal-mime'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hasChromium, launchChromium, SCREENSHOT_DIR, startMaildesk, startRelay, waitFor, type RunningMaildesk } from '../helpers/e2e.ts'

// The customer's side in a real browser (Debian's /usr/bin/chromium, never a downloaded one), against
// `maildesk serve` with a local SMTP relay that receives what we send.

const PNG_1x1 = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
)

const PAGES = ['/contact', '/help', '/help/spot-forged-mail', '/help?q=forged', '/feedback', '/status'] as const
const VIEWPORTS = { desktop: { width: 1280, height: 900 }, phone: { width: 375, height: 740 } } as const

describe.skipIf(!hasChromium)('public side in Chromium', () => {
  let server: RunningMaildesk
  let relay: Awaited<ReturnType<typeof startRelay>>
  let browser: Browser
  let context: BrowserContext
  let page: Page
  const problems: string[] = []

  beforeAll(async () => {
    mkdirSync(SCREENSHOT_DIR, { recursive: true })
    relay = await startRelay()
    server = await startMaildesk({ MAILDESK_SMTP_RELAY_URL: relay.url })
    browser = await launchChromium()
    context = await browser.newContext({ locale: 'en-US', viewport: VIEWPORTS.desktop })
    page = await context.newPage()
    page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`))
    page.on('console', (msg) => {
      if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) problems.push(`console: ${msg.text()}`)
    })
  }, 60_000)

  afterAll(async () => {
    await browser?.close()
    await server?.stop()
    await relay?.stop()
  })

  const url = (p: string) => `${server.httpUrl}${p}`

  /** The one-time link from the newest mail to `to` at the relay (the server's port is 0 in config, so the origin is ours). */
  async function statusLinkFor(to: string): Promise<string> {
    const mail = await waitFor(() => [...relay.received].reverse().find((m) => m.to.includes(to) && m.raw.includes('/status/open/')), 15_000, 'status link mail')
    const parsed = await PostalMime.parse(mail.raw)
    const link = /https?:\/\/[^\s/]+(\/status\/open\/[\w-]{43})/.exec(parsed.text ?? '')
    if (!link?.[1]) throw new Error('the mail has no status link')
    return url(link[1])
  }

  /** Opens the chat widget on the page it is on and starts a chat; resolves once the server has answered. */
  async function startChat(p: Page, who: { name: string; email: string; text: string }): Promise<void> {
    await p.click('.chat-toggle')
    await p.fill('#chat-name', who.name)
    await p.fill('#chat-email', who.email)
    await p.fill('#chat-first', who.text)
    await p.click('.chat-start button[type=submit]')
    await p.waitForSelector('.chat-log li.system')
  }

  it('shows the official address on the contact page, in English and Chinese', async () => {
    await page.goto(url('/contact?lang=en'))
    await expect(page.locator('a[data-purpose="support"]').textContent()).resolves.toBe('support@okpay.com')
    await expect(page.locator('a[href="/verify"]').first().isVisible()).resolves.toBe(true)
    await page.click('a.lang-switch')
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('zh-CN')
    await expect(page.locator('h1').textContent()).resolves.toBe('联系我们')
    // The choice is remembered without ?lang=.
    await page.goto(url('/help'))
    await expect(page.locator('h1').textContent()).resolves.toBe('帮助中心')
    await page.goto(url('/contact?lang=en'))
  })

  it('sends the feedback form with an attachment and shows the ticket number', async () => {
    await page.goto(url('/feedback?lang=en'))
    await page.fill('#fb-name', 'Li Lei')
    await page.fill('#fb-email', 'li.lei@customer.example')
    await page.fill('#fb-subject', 'Refund not received')
    await page.fill('#fb-message', 'Transaction T20261120-88 for 25.00 CNY; the refund was promised on 20 November.')
    await page.setInputFiles('#fb-files', { name: 'refund.png', mimeType: 'image/png', buffer: PNG_1x1 })
    // The signed timestamp refuses a submission faster than a person can type.
    await page.waitForTimeout(3200)
    await page.click('form button[type=submit]')
    await page.waitForSelector('.ticket-number', { timeout: 20_000 })
    const number = (await page.locator('.ticket-number').textContent()) ?? ''
    expect(number).toMatch(/^OKP-\d+$/)
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'public-feedback-sent-en-desktop.png'), fullPage: true })

    // The same pipeline as email: the acknowledgement reaches the customer through the local relay.
    const ack = await waitFor(() => relay.received.find((m) => m.to.includes('li.lei@customer.example') && !m.raw.includes('/status/open/')), 20_000, 'acknowledgement')
    expect((await PostalMime.parse(ack.raw)).subject).toContain(`[${number}]`)

    // The status portal: ask for a link, open it from the mail, reply, close.
    await page.goto(url('/status?lang=en'))
    await page.fill('#st-ticket', number)
    await page.fill('#st-email', 'li.lei@customer.example')
    await page.click('form button[type=submit]')
    await page.waitForSelector('.notice')
    await page.goto(await statusLinkFor('li.lei@customer.example'))
    await page.click('#open-ticket')
    await page.waitForSelector('ol.thread')
    await expect(page.locator('ol.thread').textContent()).resolves.toContain('T20261120-88')
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'public-status-ticket-en-desktop.png'), fullPage: true })
    await page.fill('#pt-reply', 'The refund has still not arrived; here is the bank statement.')
    await page.setInputFiles('#pt-files', { name: 'statement.txt', mimeType: 'text/plain', buffer: Buffer.from('2026-11-25 no refund\n') })
    await page.click('form[action="/status/ticket/reply"] button[type=submit]')
    await page.waitForSelector('.notice')
    await waitFor(async () => {
      await page.reload()
      const text = (await page.locator('ol.thread').textContent()) ?? ''
      return text.includes('still not arrived') ? true : undefined
    }, 15_000, 'the reply in the thread')
    await page.fill('#pt-code', 'blue kite 7')
    await page.click('form[action="/status/ticket/code"] button[type=submit]')
    await expect(page.locator('.notice').textContent()).resolves.toContain('anti-phishing code is saved')

    // A used link gets one clear answer.
    const again = await context.newPage()
    await again.goto(await statusLinkFor('li.lei@customer.example'))
    await expect(again.locator('.errors').textContent()).resolves.toContain('This link cannot be used')
    await again.close()
  }, 90_000)

  it('rates the answer from the survey link (the link asks, the button records)', async () => {
    // The survey links come from createSurveyLinks, which the "solved" mail calls; the test makes them the same way.
    const { createSurveyLinks } = await import('../../src/surveys/survey.service.ts')
    const { openDatabase, sqlitePathIn } = await import('../../src/store/database.ts')
    const store = await openDatabase({ sqlitePath: sqlitePathIn(server.dataDir) })
    const ticket = await store.db.selectFrom('tickets').select('id').orderBy('id', 'desc').executeTakeFirstOrThrow()
    const links = await createSurveyLinks(store.db, server.httpUrl, ticket.id, new Date())
    await store.destroy()
    await page.goto(`${links[4]?.url ?? ''}?lang=en`)
    await expect(page.locator('main form p').textContent()).resolves.toContain('Rate our help 5 out of 5?')
    await page.click('form button[type=submit]')
    await expect(page.locator('.notice').first().textContent()).resolves.toContain('You rated our help 5 out of 5.')
    await page.fill('#sv-comment', 'Quick and kind.')
    await page.click('form button[type=submit]')
    await expect(page.locator('.notice').last().textContent()).resolves.toContain('Thank you for your comment.')
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'public-survey-en-desktop.png'), fullPage: true })
  })

  it('opens the chat widget and is told when no agent is online', async () => {
    await page.goto(url('/contact?lang=en'))
    await startChat(page, { name: 'Li Lei', email: 'li.lei@customer.example', text: 'Is anyone there?' })
    await expect(page.locator('.chat-log').textContent()).resolves.toContain('Is anyone there?')
    await expect(page.locator('.chat-log li.system').first().textContent()).resolves.toContain('No agent is online right now')
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'public-chat-en-desktop.png'), fullPage: false })
    // Ending the chat keeps the transcript and brings the start form back: a new question needs no reload.
    await page.click('.chat-panel button:text("End chat")')
    await page.waitForSelector('.chat-log li.system:has-text("The chat has ended")')
    await expect(page.locator('.chat-start').isVisible()).resolves.toBe(true)
    // An empty first message is stopped by the browser, never echoed and then refused.
    const lines = await page.locator('.chat-log li').count()
    await page.click('.chat-start button[type=submit]')
    await expect(page.locator('.chat-log li').count()).resolves.toBe(lines)

    const phone = await browser.newContext({ viewport: VIEWPORTS.phone, locale: 'zh-CN' })
    const p = await phone.newPage()
    await p.goto(url('/contact'))
    await expect(p.locator('html').getAttribute('lang')).resolves.toBe('zh-CN')
    await startChat(p, { name: '李雷', email: 'li.lei@customer.example', text: '请问退款多久到账？' })
    await expect(p.locator('.chat-log li.system').first().textContent()).resolves.toContain('目前没有客服在线')
    await p.screenshot({ path: path.join(SCREENSHOT_DIR, 'public-chat-zh-CN-phone.png'), fullPage: false })
    await phone.close()
  })

  it('resumes a chat whose connection dropped, keeping a line typed meanwhile until it can be sent', async () => {
    const ctx = await browser.newContext({ locale: 'en-US', viewport: VIEWPORTS.desktop })
    // Keeps every socket the page opens, so the test can drop one as a network would.
    await ctx.addInitScript(() => {
      const Native = window.WebSocket
      const sockets: WebSocket[] = []
      Object.assign(window, { testSockets: sockets })
      window.WebSocket = class extends Native {
        constructor(url: string | URL, protocols?: string | string[]) {
          super(url, protocols)
          sockets.push(this)
        }
      }
    })
    const p = await ctx.newPage()
    p.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`))
    await p.goto(url('/contact?lang=en'))
    await startChat(p, { name: 'Wang Fang', email: 'wang.fang@customer.example', text: 'My card was charged twice' })

    await p.evaluate(() => (window as unknown as { testSockets: WebSocket[] }).testSockets[0]?.close())
    await p.fill('#chat-text', 'Order 20261126-7 if that helps')
    await p.click('.chat-send button[type=submit]')
    await expect(p.locator('.chat-log li.system').last().textContent()).resolves.toBe('Connection lost; reconnecting… Your message has not been sent yet.')
    await expect(p.inputValue('#chat-text')).resolves.toBe('Order 20261126-7 if that helps')

    // A second socket resumes the conversation (after 1 s) and the server sends the transcript again.
    await p.waitForFunction(() => {
      const sockets = (window as unknown as { testSockets: WebSocket[] }).testSockets
      return sockets.length >= 2 && sockets[sockets.length - 1]?.readyState === WebSocket.OPEN
    })
    await p.waitForFunction(() => document.querySelectorAll('.chat-log li.system').length === 1)
    await p.click('.chat-send button[type=submit]')
    await expect(p.inputValue('#chat-text')).resolves.toBe('')
    // The line reached the server: a reload resumes with a transcript that has it (the server answers the resume
    // once the line, spooled, is on the ticket).
    await p.reload()
    await p.waitForFunction(() => (document.querySelector('.chat-log')?.textContent ?? '').includes('Order 20261126-7 if that helps'))
    await expect(p.locator('.chat-log').textContent()).resolves.toContain('My card was charged twice')
    await ctx.close()
  })

  it('renders every public page in both languages at desktop and phone width', async () => {
    for (const [device, viewport] of Object.entries(VIEWPORTS)) {
      const ctx = await browser.newContext({ viewport, locale: 'en-US' })
      const p = await ctx.newPage()
      p.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`))
      for (const lang of ['en', 'zh-CN'] as const) {
        for (const pagePath of PAGES) {
          const sep = pagePath.includes('?') ? '&' : '?'
          const res = await p.goto(url(`${pagePath}${sep}lang=${lang}`))
          expect(res?.status()).toBe(200)
          // Nothing may stick out sideways on a phone.
          const overflow = await p.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
          expect(overflow, `${pagePath} ${lang} ${device} overflows by ${overflow}px`).toBeLessThanOrEqual(0)
          // Every field a person fills in has a label; the first Tab lands on the skip link.
          const unlabelled = await p.evaluate(() =>
            [...document.querySelectorAll('main input:not([type=hidden]), main textarea, main select')]
              .filter((el) => !(el as HTMLInputElement).labels?.length)
              .map((el) => el.getAttribute('name')),
          )
          expect(unlabelled, `${pagePath} ${lang}`).toEqual([])
          const name = pagePath.replace(/[/?=]+/g, '-').replace(/^-|-$/g, '') || 'home'
          await p.screenshot({ path: path.join(SCREENSHOT_DIR, `public-${name}-${lang}-${device}.png`), fullPage: true })
          await p.keyboard.press('Tab')
          await expect(p.evaluate(() => document.activeElement?.className)).resolves.toBe('skip')
        }
      }
      await ctx.close()
    }
    expect(problems).toEqual([])
  }, 120_000)
})
