import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hasChromium, launchChromium, logInThroughUi, SCREENSHOT_DIR, sendToIntake, startMaildesk, waitFor, type RunningMaildesk } from '../helpers/e2e.ts'
import { REPO_ROOT } from '../helpers/fixtures.ts'

const CORPUS_DIR = path.join(REPO_ROOT, 'test/fixtures/xss/emails')

// Needs Debian's chromium (/usr/bin/chromium, installed by .ci/run); never downloads a browser.
describe.skipIf(!hasChromium)('XSS corpus rendered in Chromium', () => {
  let server: RunningMaildesk
  let browser: Browser
  let context: BrowserContext
  let page: Page
  const dialogs: string[] = []
  const consoleErrors: string[] = []
  const foreignRequests: string[] = []

  beforeAll(async () => {
    server = await startMaildesk()
    browser = await launchChromium()
    context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } })
    // Anything not to our own server is recorded and blocked: a request to attacker.example means a leak.
    await context.route('**/*', (route) => {
      const url = new URL(route.request().url())
      if (url.protocol === 'data:' || (url.hostname === '127.0.0.1' && url.origin === new URL(server.httpUrl).origin)) return route.continue()
      foreignRequests.push(route.request().url())
      return route.abort()
    })
    page = await context.newPage()
    page.on('dialog', (dialog) => {
      dialogs.push(`${dialog.type()}: ${dialog.message()}`)
      void dialog.dismiss()
    })
    page.on('console', (msg) => {
      if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) consoleErrors.push(msg.text())
    })
    page.on('pageerror', (err) => consoleErrors.push(`pageerror: ${err.message}`))
  }, 60_000)

  afterAll(async () => {
    await browser?.close()
    await server?.stop()
  })

  it('delivers every vector by SMTP, opens each ticket (HTML view included), and nothing runs or leaks', async () => {
    const files = readdirSync(CORPUS_DIR).filter((f) => f.endsWith('.eml')).sort()
    expect(files.length).toBeGreaterThanOrEqual(100)
    for (const file of files) {
      await sendToIntake(server.smtpPort, { raw: readFileSync(path.join(CORPUS_DIR, file)), envelope: { from: 'mallory@attacker.example', to: ['support@okpay.com'] } })
    }
    await logInThroughUi(page, server.httpUrl, server.adminEmail, server.adminPassword)
    const listAll = () =>
      page.evaluate(async () => {
        const body = await (await fetch('/api/v1/views/all/tickets?limit=200&sort=oldest')).json()
        return body.tickets.map((t: { number: string }) => t.number) as string[]
      })
    const ticketNumbers = await waitFor(async () => {
      const all = await listAll()
      return all.length >= files.length ? all : undefined
    }, 60_000, 'every corpus message to become a ticket')
    expect(ticketNumbers).toHaveLength(files.length)

    await page.goto(`${server.httpUrl}/agent/#/view/all`)
    await page.waitForSelector('tr.ticket-row')
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'xss-inbox.png') })
    // Counted from the API, not from the page, so a UI that stops offering the HTML view fails here instead of
    // silently skipping it.
    let htmlBodies = 0
    let framesLoaded = 0
    for (const number of ticketNumbers) {
      htmlBodies += await page.evaluate(async (n) => {
        const body = await (await fetch(`/api/v1/tickets/${n}`)).json()
        return (body.messages as Array<{ html?: unknown }>).filter((m) => m.html).length
      }, number)
      await page.goto(`${server.httpUrl}/agent/#/ticket/${number}`)
      await page.waitForSelector(`.ticket-head .number:text("${number}")`)
      for (const button of await page.$$('.show-html')) {
        await button.click()
        const frame = await (await page.waitForSelector('iframe.mail-frame')).contentFrame()
        await frame?.waitForLoadState('load')
        if (frame) framesLoaded++
      }
      for (const details of await page.$$('details')) await details.evaluate((d) => d.setAttribute('open', ''))
      // Hover and focus everything a handler might have hidden behind.
      await page.mouse.move(400, 300)
      await page.mouse.move(600, 500)
    }
    await page.goto(`${server.httpUrl}/agent/#/search?q=${encodeURIComponent('XSS')}`)
    await page.waitForSelector('#search-count')
    await page.waitForTimeout(500)
    expect(htmlBodies).toBeGreaterThanOrEqual(100)
    expect(framesLoaded).toBe(htmlBodies)
    expect({ dialogs, consoleErrors, foreignRequests }).toEqual({ dialogs: [], consoleErrors: [], foreignRequests: [] })
  }, 300_000)
})
