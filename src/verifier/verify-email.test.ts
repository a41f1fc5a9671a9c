import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { loadOkpayZone } from '../../test/fixtures/dns/okpay-zone.ts'
import { loadConfig } from '../config.ts'
import { authenticateSender, createZoneResolver, type DnsResolver } from '../pipeline/authenticate-sender.ts'
import { verifyEmail } from './verify-email.ts'

const brand = loadConfig({}).brand
const fixture = (name: string) => readFileSync(new URL(`../../test/fixtures/verifier/emails/${name}`, import.meta.url))
const codes = (r: { reasons: Array<{ code: string }> }) => r.reasons.map((x) => x.code)

function message(headers: string[], body: string): Buffer {
  return Buffer.from([...headers, 'Content-Type: text/plain; charset=utf-8', '', body, ''].join('\r\n'))
}

describe('verifyEmail', () => {
  it('confirms genuine signed mail only with an authentication result', async () => {
    const raw = fixture('genuine-otp-zh.eml')
    const auth = await authenticateSender(raw, { mta: 'mx.test', resolver: createZoneResolver(loadOkpayZone()), brand })
    expect(await verifyEmail(raw, { brand, language: 'zh-CN', auth })).toMatchObject({ verdict: 'official', inputKind: 'email_message' })
    expect(await verifyEmail(raw, { brand, language: 'zh-CN' })).toMatchObject({ verdict: 'unknown', reasons: [{ code: 'authentication_not_checked' }, { code: 'code_notice_only' }] })
  })

  it('treats a DNS timeout as "not checked", not as a forged signature', async () => {
    const timeout: DnsResolver = async (name) => {
      throw Object.assign(new Error(`queryTxt ETIMEOUT ${name}`), { code: 'ETIMEOUT' })
    }
    const raw = fixture('genuine-ack-en.eml')
    const auth = await authenticateSender(raw, { mta: 'mx.test', resolver: timeout, brand })
    expect(auth.dkim[0]?.result).toBe('temperror')
    expect(auth.dnsTemporaryFailure).toBe(true)
    const result = await verifyEmail(raw, { brand, language: 'en', auth })
    expect(result.verdict).toBe('unknown')
    expect(codes(result)[0]).toBe('authentication_not_checked')
  })

  it('tells "send us your code" from "here is your code, do not share it"', async () => {
    const from = ['From: Shop <news@shop.example.com>', 'To: li@example.net', 'Subject: Hello']
    const asks = await verifyEmail(message(from, 'Please send us the verification code we texted you.'), { brand, language: 'en' })
    expect(codes(asks)).toContain('requests_credentials')
    const gives = await verifyEmail(message(from, 'Your verification code is 482913. Do not share it with anyone.'), { brand, language: 'en' })
    expect(codes(gives)).not.toContain('requests_credentials')
    const asksZh = await verifyEmail(message(from, '请把您收到的短信验证码回复给我们。'), { brand, language: 'zh-CN' })
    expect(asksZh.reasons.find((r) => r.code === 'requests_credentials')?.message).toBe('邮件索要您的验证码。OKPay 绝不会索要密码、支付密码、验证码、卡号或 CVV。')
  })

  it('flags a display name that claims the brand or shows an official address', async () => {
    const r1 = await verifyEmail(message(['From: "OKPay 客服" <kf@example-mail.cn>', 'To: a@b.cn', 'Subject: 你好'], '你好'), { brand, language: 'zh-CN' })
    expect(r1).toMatchObject({ verdict: 'impersonation', reasons: [{ code: 'display_name_brand', message: '发件人自称“OKPay 客服”，实际却来自 example-mail.cn，不是 OKPay。' }] })
    const r2 = await verifyEmail(fixture('display-name-official-address-en.eml'), { brand, language: 'en' })
    expect(codes(r2)[0]).toBe('display_name_official_address')
  })

  it('unwraps redirectors and names the real target of a link', async () => {
    const r = await verifyEmail(fixture('link-safelinks-en.eml'), { brand, language: 'en' })
    expect(r.verdict).toBe('impersonation')
    expect(r.reasons.find((x) => x.code === 'link_lookalike')?.message).toBe('A link goes to okpay.com.verify-account.io, which imitates OKPay.')
  })

  it('calls a non-email "unknown" instead of throwing', async () => {
    expect(await verifyEmail(Buffer.from('\u0000binary'), { brand, language: 'en' })).toMatchObject({ verdict: 'unknown', reasons: [{ code: 'not_an_email' }] })
  })
})
