import { createRequire } from 'node:module'
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  hasChromium,
  launchChromium,
  logInThroughUi,
  SCREENSHOT_DIR,
  sendToIntake,
  startMaildesk,
  startRelay,
  waitFor,
  type RunningMaildesk,
} from '../helpers/e2e.ts'

// Needs Debian's chromium (/usr/bin/chromium, installed by .ci/run); never downloads a browser.
describe.skipIf(!hasChromium)('agent workspace in Chromium', () => {
  let server: RunningMaildesk
  let relay: Awaited<ReturnType<typeof startRelay>>
  let browser: Browser
  let page: Page
  const problems: string[] = []

  beforeAll(async () => {
    relay = await startRelay()
    server = await startMaildesk({ MAILDESK_SMTP_RELAY_URL: relay.url })
    browser = await launchChromium()
    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1360, height: 860 } })
    page = await context.newPage()
    page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`))
    page.on('console', (msg) => {
      // HTTP statuses the UI handles (401 before login, the wrong password) are logged by Chromium as
      // "Failed to load resource"; anything else at error level is a script problem.
      if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) problems.push(`console: ${msg.text()}`)
    })
    page.on('dialog', (dialog) => {
      // Only the merge prompt is expected; anything else is a failure.
      if (dialog.type() !== 'prompt') problems.push(`dialog: ${dialog.type()} ${dialog.message()}`)
    })
  }, 60_000)

  afterAll(async () => {
    await browser?.close()
    await server?.stop()
    await relay?.stop()
  })

  const shot = (name: string) => page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true })

  it('logs in, works a ticket that arrived by SMTP, replies, notes, merges, searches in Chinese', async () => {
    await sendToIntake(server.smtpPort, {
      from: '王芳 <wang.fang@customer.example>',
      to: 'support@okpay.com',
      subject: '退款申请：订单 TX20261125001',
      messageId: '<refund-1@customer.example>',
      text: '您好，\n\n我在11月20日支付了 299.00 元，订单号 TX20261125001，但商家已取消订单，退款一直没有到账。\n请帮忙查询。\n\n王芳\n\n在 2026年11月20日 10:00，OKPay <support@okpay.com> 写道：\n> 您的付款已成功。',
    })
    await sendToIntake(server.smtpPort, {
      from: 'Wang Fang <wang.fang@customer.example>',
      to: 'support@okpay.com',
      subject: 'Refund still missing',
      messageId: '<refund-2@customer.example>',
      text: 'Hello, I wrote before about my refund for TX20261125001. Still nothing.',
      html: '<p>Hello, I wrote before about my <b>refund</b> for TX20261125001.</p><p><img src="https://attacker.example/pixel.gif" alt="pixel"> <a href="https://okpay-refunds.example/claim">https://okpay.com/refund</a></p>',
      attachments: [{ filename: '收据.pdf', content: Buffer.from('%PDF-1.4 receipt') }],
    })
    await sendToIntake(server.smtpPort, {
      from: 'Tom Lee <tom.lee@customer.example>',
      to: 'support@okpay.com',
      subject: 'Cannot log in to my account',
      messageId: '<login-1@customer.example>',
      text: 'The SMS code never arrives and I cannot log in. My password is [password removed].',
    })

    // The login page, in the browser's language (English here).
    await page.goto(`${server.httpUrl}/agent/`)
    await page.waitForSelector('#login-email')
    await shot('01-login')
    await page.fill('#login-email', server.adminEmail)
    await page.fill('#login-password', 'not-the-password')
    await page.click('#login-submit')
    await page.waitForSelector('.login .error:text("Wrong email or password.")')
    await logInThroughUi(page, server.httpUrl, server.adminEmail, server.adminPassword)

    // The inbox: all three tickets in "New", with counts.
    await page.waitForFunction(() => document.querySelectorAll('tr.ticket-row').length === 3, undefined, { timeout: 15_000 })
    expect(await page.textContent('[data-view="new"] .count')).toBe('3')
    await shot('02-inbox')

    // Keyboard: j moves the focus, o opens.
    await page.keyboard.press('j')
    await page.keyboard.press('o')
    await page.waitForSelector('.ticket-page')
    await page.goto(`${server.httpUrl}/agent/#/view/new`)
    await page.waitForSelector('tr.ticket-row')

    // Open the Chinese ticket.
    await page.click('tr.ticket-row:has-text("退款申请")')
    await page.waitForSelector('.ticket-page')
    const number = (await page.textContent('.ticket-head .number'))?.trim() ?? ''
    expect(number).toMatch(/^OKP-\d+$/)
    expect(await page.textContent('.message-inbound .new-text')).toContain('退款一直没有到账')
    expect(await page.isVisible('.message-inbound details.quoted pre')).toBe(false)
    // What the extraction found, in words: no raw JSON.
    const extracted = (await page.textContent('.extracted')) ?? ''
    expect(extracted).toContain('TX20261125001')
    expect(extracted).toContain('299 CNY')
    expect(extracted).not.toContain('{')
    await shot('03-ticket')

    // Internal note.
    await page.click('#tab-note')
    await page.fill('#composer-text', 'Checked with the merchant: refund was issued on 11-21.')
    await page.click('#composer-submit')
    await page.waitForSelector('.message-note:has-text("refund was issued on 11-21")')

    // Reply: it arrives at the real SMTP relay with threading headers.
    await page.click('#tab-reply')
    await page.selectOption('#template', { index: 1 })
    expect(await page.inputValue('#composer-text')).toContain(number)
    await page.fill('#composer-text', '王女士您好，退款已于11月21日原路退回，请留意银行到账。')
    await page.click('#composer-submit')
    await page.waitForSelector('.message-outbound:has-text("退款已于11月21日原路退回")')
    const sent = await waitFor(() => relay.received.find((m) => m.raw.includes('In-Reply-To: <refund-1@customer.example>')), 15_000, 'the reply at the relay')
    expect(sent.to).toEqual(['wang.fang@customer.example'])
    expect(sent.raw).toMatch(/^DKIM-Signature:/m)

    // Assign to me and set priority; then a live update: a follow-up shows up without reloading.
    await page.click('#take-ticket')
    await page.waitForSelector('#take-ticket', { state: 'detached' })
    await page.selectOption('#ticket-priority', 'high')
    await page.waitForSelector('.head-badges .priority-high')
    await sendToIntake(server.smtpPort, {
      from: 'wang.fang@customer.example',
      to: 'support@okpay.com',
      subject: `Re: 退款申请 [${number}]`,
      messageId: '<refund-1-followup@customer.example>',
      inReplyTo: '<refund-1@customer.example>',
      references: ['<refund-1@customer.example>'],
      text: '收到，谢谢！我明天再看看。',
    })
    await page.waitForSelector('.message-inbound:has-text("我明天再看看")', { timeout: 15_000 })

    // The English ticket: sanitized HTML in a sandboxed frame, images blocked, real link target shown.
    await page.goto(`${server.httpUrl}/agent/#/search?q=${encodeURIComponent('Refund still')}`)
    await page.click('tr.ticket-row:has-text("Refund still missing")')
    await page.waitForSelector('.ticket-page')
    const otherNumber = (await page.textContent('.ticket-head .number'))?.trim() ?? ''
    await page.click('.show-html')
    const frame = await (await page.waitForSelector('iframe.mail-frame')).contentFrame()
    await frame?.waitForSelector('.md-link-target')
    expect(await frame?.textContent('.md-link-target')).toBe('⟨https://okpay-refunds.example/claim⟩')
    expect(await frame?.textContent('.md-image-blocked')).toBe('[pixel]')
    expect(await page.getAttribute('iframe.mail-frame', 'sandbox')).toBe('')
    expect(await page.locator('.show-images').count()).toBe(1) // one remote image held back
    expect(await page.textContent('.attachments')).toContain('收据.pdf')
    await shot('04-ticket-html')

    // Merge the English ticket into the Chinese one.
    page.once('dialog', (dialog) => void dialog.accept(number))
    await page.click('#merge-ticket')
    await page.waitForFunction((n) => location.hash === `#/ticket/${n}`, number)
    await page.waitForSelector('.message-inbound:has-text("Still nothing")')
    expect(otherNumber).not.toBe(number)

    // Search in Chinese (two characters: below the trigram length, still found).
    await page.goto(`${server.httpUrl}/agent/#/search`)
    await page.fill('#search-input', '到账')
    await page.click('#search-submit')
    await page.waitForSelector('#search-count')
    expect(await page.textContent('#search-count')).toBe('Found: 1')
    expect(await page.textContent('tr.ticket-row .number')).toBe(number)
    await page.fill('#search-input', '退款申请')
    await page.click('#search-submit')
    await page.waitForFunction(() => document.querySelector('#search-count')?.textContent === 'Found: 1')
    await shot('05-search')

    // Dashboard with charts, then the UI in Chinese.
    await page.goto(`${server.httpUrl}/agent/#/dashboard`)
    await page.waitForSelector('.dashboard svg.chart rect', { state: 'attached' })
    await shot('06-dashboard')
    await page.click('#language-switch')
    await page.waitForSelector('.topbar nav a:text("工单")')
    await page.goto(`${server.httpUrl}/agent/#/ticket/${number}`)
    await page.waitForSelector('.ticket-page')
    expect(await page.textContent('#tab-note')).toBe('内部备注')
    await shot('07-ticket-zh')
    await page.goto(`${server.httpUrl}/agent/#/view/all`)
    await page.waitForSelector('tr.ticket-row')
    await shot('08-inbox-zh')

    // Logout returns to the login page, and the API refuses the old session.
    await page.click('#logout')
    await page.waitForSelector('#login-email')
    expect(problems).toEqual([])
  }, 120_000)

  it('keeps an ordinary mail unflagged, a long subject on screen, the draft through a reload, and says why a change failed', async () => {
    const longWord = `Refund${'x'.repeat(294)}`
    await sendToIntake(server.smtpPort, {
      from: 'Ann Chen <ann.chen@customer.example>',
      to: 'support@okpay.com',
      subject: longWord,
      messageId: '<long-subject@customer.example>',
      text: 'My refund has not arrived.',
      html: '<p>My refund has <b>not</b> arrived.</p>',
    })
    await logInThroughUi(page, server.httpUrl, server.adminEmail, server.adminPassword)
    await page.goto(`${server.httpUrl}/agent/#/view/all`)
    await page.waitForSelector('tr.ticket-row:has-text("Refundxxx")', { timeout: 15_000 })
    const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
    expect(await overflow()).toBeLessThanOrEqual(0)
    // Esc closes the shortcut list and stays on the page.
    await page.keyboard.press('?')
    await page.waitForSelector('#shortcut-help')
    await page.keyboard.press('Escape')
    await page.waitForSelector('#shortcut-help', { state: 'detached' })
    expect(await page.evaluate(() => location.hash)).toBe('#/view/all')

    // An ordinary customer (no DMARC policy, not pretending to be us) gets no red badge. Rows open from the keyboard.
    await page.focus('tr.ticket-row:has-text("Refundxxx")')
    await page.keyboard.press('Enter')
    await page.waitForSelector('.ticket-page')
    // An HTML mail without remote images: its body can be shown, but there are no images to allow.
    expect(await page.locator('.show-html').count()).toBe(1)
    expect(await page.locator('.show-images').count()).toBe(0)
    expect(await overflow()).toBeLessThanOrEqual(0)
    expect(await page.locator('.message-inbound .verdict-danger, .message-inbound .verdict-fail').count()).toBe(0)

    // The draft survives a reload (and so a lost session and a new login in this tab).
    await page.fill('#composer-text', 'Dear Ms Chen, the refund left us on 11-21.')
    await page.waitForFunction(() => Object.keys(sessionStorage).some((k) => k.startsWith('maildesk.draft.')))
    await page.reload()
    await page.waitForSelector('.ticket-page')
    expect(await page.inputValue('#composer-text')).toBe('Dear Ms Chen, the refund left us on 11-21.')

    // A tag the server refuses says so.
    await page.fill('#add-tag', 'vip customer')
    await page.press('#add-tag', 'Enter')
    await page.waitForSelector('.toast-error:has-text("no spaces"), .toast-error:has-text("不能有空格")')

    // Reply and solve in one step; the draft is gone once sent.
    await page.selectOption('#reply-status', 'solved')
    await page.click('#composer-submit')
    await page.waitForSelector('.head-badges .status-solved')
    expect(await page.inputValue('#composer-text')).toBe('')

    // A phone: the top bar wraps, nothing needs sideways scrolling, log out is on screen.
    await page.setViewportSize({ width: 390, height: 844 })
    await page.goto(`${server.httpUrl}/agent/#/view/all`)
    await page.waitForSelector('tr.ticket-row')
    expect(await overflow()).toBeLessThanOrEqual(0)
    const logout = await page.locator('#logout').boundingBox()
    expect((logout?.x ?? 999) + (logout?.width ?? 0)).toBeLessThanOrEqual(390)
    await shot('09-inbox-phone')
    await page.setViewportSize({ width: 1360, height: 860 })
    expect(problems).toEqual([])
  }, 90_000)

  it('puts the agent online on the Live chat page: answers a customer, and ends the chat', async () => {
    await page.goto(`${server.httpUrl}/agent/#/chat`)
    await page.waitForSelector('#chat-status[data-state="online"]')
    const customer = await chatCustomer(`${server.httpUrl.replace(/^http/, 'ws')}/api/v1/public/chat`)
    try {
      customer.send({ type: 'start', name: 'Li Wei', email: 'li.wei@customer.example', text: 'Is my transfer on its way?', lang: 'en' })
      const started = await customer.next('started')
      expect(started.agentsOnline).toBe(true)
      await page.click(`.chat-item[data-conversation="${String(started.conversationId)}"]`)
      await page.waitForSelector('.chat-customer:has-text("Is my transfer on its way?")')
      await page.fill('#chat-input', 'Yes, it arrives within the hour.')
      await page.press('#chat-input', 'Enter')
      expect(await customer.next('message')).toMatchObject({ from: 'agent', text: 'Yes, it arrives within the hour.' })
      await page.waitForSelector('.chat-agent:has-text("arrives within the hour")')
      expect(await page.inputValue('#chat-input')).toBe('')
      expect(await page.getAttribute('#chat-status', 'data-state')).toBe('online')
      await shot('10-live-chat')
      await page.click('#chat-end')
      await customer.next('ended')
      await page.waitForSelector('.chat-ended')
      expect(await page.isDisabled('#chat-input')).toBe(true)
    } finally {
      customer.close()
    }
    // Leaving the page takes the agent offline.
    await page.goto(`${server.httpUrl}/agent/#/view/all`)
    const online = () => page.evaluate(async () => ((await (await fetch('/api/v1/chat/conversations')).json()) as { agentsOnline: number }).agentsOnline)
    await waitFor(async () => ((await online()) === 0 ? true : undefined), 10_000, 'the agent offline')
    expect(problems).toEqual([])
  }, 60_000)

  // Last: it changes the admin's password, which ends every session.
  it('lists phishing campaigns with their domains and a CSV export, and changes the password', async () => {
    await sendToIntake(server.smtpPort, {
      from: 'Li Wei <li.wei@customer.example>',
      to: 'security@okpay.com',
      subject: 'Fwd: Your OKPay account is locked',
      messageId: '<phish-fwd-1@customer.example>',
      text: 'I got this, is it you?\n\n---------- Forwarded message ----------\nFrom: OKPay Security <alert@okpay-verify.example>\nSubject: Your OKPay account is locked\n\nVerify now at https://okpay-login.example/unlock',
    })
    // Still logged in from the tests above; the first one left the workspace in Chinese.
    await page.goto(`${server.httpUrl}/agent/#/view/all`)
    await page.waitForSelector('#language-switch')
    if ((await page.getAttribute('html', 'lang')) !== 'en') {
      await page.click('#language-switch')
      await page.waitForFunction(() => document.documentElement.lang === 'en')
    }
    await waitFor(async () => {
      await page.goto(`${server.httpUrl}/agent/#/phishing`)
      await page.reload()
      return (await page.locator('tr.campaign-row').count()) > 0 ? true : undefined
    }, 20_000, 'the campaign row')
    expect(await page.textContent('tr.campaign-row')).toContain('okpay-login.example')
    expect(await page.getAttribute('#phishing-csv', 'href')).toBe('/api/v1/phishing/campaigns?format=csv')
    await shot('11-phishing')

    await page.click('#account-link')
    await page.fill('#current-password', 'not-my-password')
    await page.fill('#new-password', 'a-new-long-password')
    await page.fill('#new-password-again', 'a-new-long-password')
    await page.click('#password-submit')
    await page.waitForSelector('#account-message:has-text("The current password is wrong.")')
    await page.fill('#current-password', server.adminPassword)
    await page.fill('#new-password-again', 'something-else-entirely')
    await page.click('#password-submit')
    await page.waitForSelector('#account-message:has-text("The two new passwords differ.")')
    await page.fill('#new-password-again', 'a-new-long-password')
    await page.click('#password-submit')
    await page.waitForSelector('#account-message:has-text("Password changed.")')
    // Every session ended: the next page asks for a login, and the new password opens it.
    await page.goto(`${server.httpUrl}/agent/#/view/all`)
    await page.waitForSelector('#login-email')
    await logInThroughUi(page, server.httpUrl, server.adminEmail, 'a-new-long-password')
    expect(problems).toEqual([])
  }, 60_000)
})

/** A customer's chat socket (the ws package, as the widget's browser would speak it). */
async function chatCustomer(url: string) {
  const WebSocketClient = createRequire(import.meta.url)('ws') as new (url: string) => {
    on(event: string, listener: (...args: unknown[]) => void): void
    send(data: string): void
    close(): void
  }
  const socket = new WebSocketClient(url)
  const inbox: Array<Record<string, unknown>> = []
  let wake: (() => void) | undefined
  socket.on('message', (data) => {
    inbox.push(JSON.parse(String(data)) as Record<string, unknown>)
    wake?.()
  })
  await new Promise((resolve, reject) => {
    socket.on('open', resolve)
    socket.on('error', reject)
  })
  return {
    send: (frame: object) => socket.send(JSON.stringify(frame)),
    close: () => socket.close(),
    async next(type: string): Promise<Record<string, unknown>> {
      const deadline = Date.now() + 15_000
      for (;;) {
        const i = inbox.findIndex((m) => m.type === type)
        if (i !== -1) return inbox.splice(i, 1)[0] as Record<string, unknown>
        if (Date.now() > deadline) throw new Error(`no ${type} frame; got ${JSON.stringify(inbox)}`)
        await new Promise<void>((resolve) => {
          wake = resolve
          setTimeout(resolve, 200)
        })
      }
    },
  }
}
