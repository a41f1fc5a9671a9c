import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { tempDir } from '../test/helpers/fixtures.ts'
import { loadConfig } from './config.ts'
import { ConfigError } from './errors.ts'

describe('loadConfig', () => {
  it('defaults to the OKPay brand, loopback ports 8080/2525, ./data and SQLite', () => {
    const config = loadConfig({})
    expect(config).toMatchObject({ host: '127.0.0.1', httpPort: 8080, smtpPort: 2525, databaseUrl: undefined, maxMessageBytes: 26_214_400 })
    expect(config.dataDir).toBe(path.resolve('./data'))
    expect(config.brand).toMatchObject({ name: 'OKPay', ticketPrefix: 'OKP', officialDomains: ['okpay.com'] })
    expect(config.brand.addresses).toEqual({ support: 'support@okpay.com', security: 'security@okpay.com', noreply: 'noreply@okpay.com' })
    expect(Object.isFrozen(config)).toBe(true)
  })

  it('lets flags override variables', () => {
    const config = loadConfig({ MAILDESK_HTTP_PORT: '9000', MAILDESK_DATA_DIR: '/tmp/a' }, { httpPort: '9100', dataDir: '/tmp/b' })
    expect(config).toMatchObject({ httpPort: 9100, dataDir: '/tmp/b' })
  })

  it('lists every bad setting at once, saying what is accepted', () => {
    let error: unknown
    try {
      loadConfig({ MAILDESK_HTTP_PORT: 'eighty', DATABASE_URL: 'mysql://x', MAILDESK_LOG_LEVEL: 'loud' })
    } catch (err) {
      error = err
    }
    expect(error).toBeInstanceOf(ConfigError)
    const problems = (error as ConfigError).problems
    expect(problems).toHaveLength(3)
    expect(problems.join('\n')).toContain('DATABASE_URL must be a postgres:// or postgresql:// URL (unset it to use SQLite)')
    expect(problems.join('\n')).toContain('MAILDESK_HTTP_PORT: must be a port number, 0-65535')
    expect(problems.join('\n')).toContain('MAILDESK_LOG_LEVEL')
  })

  it('takes trusted proxies as addresses and CIDR ranges, and names any other entry', () => {
    expect(loadConfig({}).trustProxy).toEqual([])
    expect(loadConfig({ MAILDESK_TRUST_PROXY: '10.0.0.5, 10.1.0.0/16,fd00::/8' }).trustProxy).toEqual(['10.0.0.5', '10.1.0.0/16', 'fd00::/8'])
    let error: unknown
    try {
      loadConfig({ MAILDESK_TRUST_PROXY: '10.0.0.5,lb.internal,10.0.0.0/33' })
    } catch (err) {
      error = err
    }
    expect((error as ConfigError).problems).toEqual([
      'MAILDESK_TRUST_PROXY: "lb.internal" is not an IP address or CIDR range (e.g. 10.0.0.5, 10.0.0.0/8, fd00::/8)',
      'MAILDESK_TRUST_PROXY: "10.0.0.0/33" is not an IP address or CIDR range (e.g. 10.0.0.5, 10.0.0.0/8, fd00::/8)',
    ])
  })

  it('takes ports as plain digits only, from flags and variables alike', () => {
    expect(loadConfig({ MAILDESK_SMTP_PORT: '25' }, { httpPort: '0' })).toMatchObject({ smtpPort: 25, httpPort: 0 })
    for (const bad of ['0x50', '1e3', ' 80', '80.0', '-1', '65536', '']) {
      expect(() => loadConfig({}, { httpPort: bad }), bad).toThrow('MAILDESK_HTTP_PORT: must be a port number, 0-65535')
    }
  })

  it('reports every invalid field of a brand file, with the file and field path', () => {
    const dir = tempDir()
    const file = path.join(dir, 'brand.json')
    writeFileSync(
      file,
      JSON.stringify({
        ...JSON.parse(JSON.stringify(loadConfig({}).brand)),
        officialDomains: ['Not A Domain'],
        addresses: { support: 'nope', security: 'security@acme.example', noreply: 'noreply@acme.example' },
        businessHours: { timeZone: 'Mars/Olympus', days: [1], start: '9am', end: '18:00' },
      }),
    )
    let error: unknown
    try {
      loadConfig({ MAILDESK_BRAND_FILE: file })
    } catch (err) {
      error = err
    }
    const problems = (error as ConfigError).problems
    expect(problems).toEqual(
      expect.arrayContaining([
        `brand config ${file}: officialDomains.0: must be a lowercase domain name`,
        `brand config ${file}: addresses.support: must be an email address`,
        `brand config ${file}: businessHours.start: must be a time HH:MM between 00:00 and 24:00`,
        `brand config ${file}: businessHours.timeZone: must be an IANA time zone such as Asia/Shanghai`,
      ]),
    )
  })

  it('lets another company run it with variables alone', () => {
    const config = loadConfig({
      MAILDESK_BRAND_NAME: 'Acme Pay',
      MAILDESK_OFFICIAL_DOMAINS: 'acmepay.example, acme.example',
      MAILDESK_SUPPORT_ADDRESS: 'help@acmepay.example',
      MAILDESK_SECURITY_ADDRESS: 'security@acme.example',
      MAILDESK_NOREPLY_ADDRESS: 'noreply@mail.acmepay.example',
    })
    expect(config.brand.name).toBe('Acme Pay')
    expect(config.brand.officialDomains).toEqual(['acmepay.example', 'acme.example'])
    expect(config.brand.addresses).toEqual({ support: 'help@acmepay.example', security: 'security@acme.example', noreply: 'noreply@mail.acmepay.example' })
  })

  it('refuses an official address outside the official domains: mail to it would be accepted and called ours', () => {
    expect(() => loadConfig({ MAILDESK_OFFICIAL_DOMAINS: 'acmepay.example', MAILDESK_SUPPORT_ADDRESS: 'help@acmepay.example' })).toThrow(
      ConfigError,
    )
    try {
      loadConfig({ MAILDESK_SECURITY_ADDRESS: 'security@evil.example' })
    } catch (err) {
      expect((err as ConfigError).problems).toEqual([expect.stringMatching(/: addresses\.security: security@evil\.example is not in an official domain \(okpay\.com\)$/)])
    }
  })

  it('checks what customers are shown: web links, phone numbers, dates, hours, holiday calendars, languages', () => {
    const file = path.join(tempDir(), 'brand.json')
    const okpay = JSON.parse(JSON.stringify(loadConfig({}).brand))
    writeFileSync(
      file,
      JSON.stringify({
        ...okpay,
        ticketPrefix: 'x',
        liveChatUrl: 'javascript:alert(1)',
        hotlines: [{ ...okpay.hotlines[0], number: 'call us', hours: { days: [1], start: '18:00', end: '09:00' } }],
        businessHours: { ...okpay.businessHours, start: '18:00', end: '09:00' },
        extraWorkdays: ['2024-13-45'],
        holidays: ['2025-02-30'],
        holidayCalendars: ['zz'],
        languages: ['en'],
      }),
    )
    let error: unknown
    try {
      loadConfig({ MAILDESK_BRAND_FILE: file })
    } catch (err) {
      error = err
    }
    expect((error as ConfigError).problems.map((p) => p.slice(`brand config ${file}: `.length)).sort()).toEqual([
      'businessHours.end: end must be later than start (hours within one day)',
      'defaultLanguage: zh-CN must be one of languages (en)',
      'extraWorkdays.0: must be a real date YYYY-MM-DD',
      'holidays.0: must be a real date YYYY-MM-DD',
      'hotlines.0.hours.end: end must be later than start (hours within one day)',
      'hotlines.0.number: must be a phone number such as +86 400-820-6688 or 95188',
      'liveChatUrl: must be an http:// or https:// URL',
      'ticketPrefix: must be 2 to 8 capital letters',
    ])
    // The calendar is looked up once the rest of the file is valid.
    writeFileSync(file, JSON.stringify({ ...okpay, holidayCalendars: ['zz'] }))
    expect(() => loadConfig({ MAILDESK_BRAND_FILE: file })).toThrow(`brand config ${file}: holidayCalendars: unknown calendar "zz" (expected a file config/holidays/zz.json)`)
  })

  it('lists a bad variable together with the brand file, proxy and port problems, and writes nothing', () => {
    const dataDir = path.join(tempDir(), 'data')
    const brandFile = path.join(tempDir(), 'brand.json')
    writeFileSync(brandFile, JSON.stringify({ ...JSON.parse(JSON.stringify(loadConfig({}).brand)), website: 'ftp://okpay.com' }))
    let error: unknown
    try {
      loadConfig({ MAILDESK_DATA_DIR: dataDir, MAILDESK_HTTP_PORT: 'x', MAILDESK_BRAND_FILE: brandFile, MAILDESK_TRUST_PROXY: '999.1.1.1', MAILDESK_CLAMD_ADDRESS: 'ftp://x' })
    } catch (err) {
      error = err
    }
    const problems = (error as ConfigError).problems
    expect(problems).toHaveLength(4)
    expect(problems[0]).toBe('MAILDESK_HTTP_PORT: must be a port number, 0-65535')
    expect(problems).toContain(`brand config ${brandFile}: website: must be an http:// or https:// URL`)
    expect(problems.some((p) => p.startsWith('MAILDESK_TRUST_PROXY: "999.1.1.1"'))).toBe(true)
    expect(problems.some((p) => p.startsWith('MAILDESK_CLAMD_ADDRESS: '))).toBe(true)
    expect(existsSync(dataDir)).toBe(false)
  })

  it('refuses the same port for HTTP and SMTP', () => {
    expect(() => loadConfig({ MAILDESK_DATA_DIR: tempDir() }, { httpPort: '18150', smtpPort: '18150' })).toThrow(
      'MAILDESK_SMTP_PORT: 18150 is also the HTTP port; give HTTP and SMTP different ports (--http-port, --smtp-port)',
    )
  })

  it('names a data directory that cannot be used, instead of blaming the secret key', () => {
    const file = path.join(tempDir(), 'not-a-dir')
    writeFileSync(file, 'x')
    const fix = 'choose another with --data-dir (MAILDESK_DATA_DIR) or give this user write access'
    expect(() => loadConfig({ MAILDESK_DATA_DIR: file })).toThrow(`MAILDESK_DATA_DIR: ${file} is a file, not a directory; ${fix}`)
    expect(() => loadConfig({ MAILDESK_DATA_DIR: path.join(file, 'data') })).toThrow(`MAILDESK_DATA_DIR: ${path.join(file, 'data')} cannot be created: ${file} is a file; ${fix}`)
  })

  it('with dataDir: false (redact, verify) creates nothing, and reads a key that exists', () => {
    const fresh = path.join(tempDir(), 'data')
    expect(loadConfig({ MAILDESK_DATA_DIR: fresh }, {}, { dataDir: false }).secretKey).toHaveLength(32)
    expect(existsSync(fresh)).toBe(false)
    const dir = tempDir()
    const key = loadConfig({ MAILDESK_DATA_DIR: dir }).secretKey
    expect(loadConfig({ MAILDESK_DATA_DIR: dir }, {}, { dataDir: false }).secretKey.equals(key)).toBe(true)
  })

  it('reads X from the file named by X_FILE', () => {
    const file = path.join(tempDir(), 'db-url')
    writeFileSync(file, 'postgres://u:secret@db.internal/maildesk\n')
    expect(loadConfig({ DATABASE_URL_FILE: file }).databaseUrl).toBe('postgres://u:secret@db.internal/maildesk')
  })
})

describe('loadConfig: outbound mail settings', () => {
  it('generates the secret key once into <data-dir>/secrets/maildesk.key (mode 0600) when MAILDESK_SECRET_KEY is unset', () => {
    const dir = tempDir()
    const first = loadConfig({ MAILDESK_DATA_DIR: dir })
    const file = path.join(dir, 'secrets', 'maildesk.key')
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(first.secretKey).toHaveLength(32)
    expect(readFileSync(file, 'utf8')).toBe(`${first.secretKey.toString('hex')}\n`)
    expect(loadConfig({ MAILDESK_DATA_DIR: dir }).secretKey.equals(first.secretKey)).toBe(true)
  })

  it('uses MAILDESK_SECRET_KEY (or its _FILE) and writes no key file', () => {
    const dir = tempDir()
    const keyFile = path.join(tempDir(), 'key')
    writeFileSync(keyFile, `${'ab'.repeat(32)}\n`)
    expect(loadConfig({ MAILDESK_DATA_DIR: dir, MAILDESK_SECRET_KEY_FILE: keyFile }).secretKey.toString('hex')).toBe('ab'.repeat(32))
    expect(existsSync(path.join(dir, 'secrets'))).toBe(false)
  })

  it('explains a malformed secret key and relay URL without echoing them', () => {
    try {
      loadConfig({ MAILDESK_SECRET_KEY: 'hunter2', MAILDESK_SMTP_RELAY_URL: 'http://user:pw@relay.example' })
      expect.unreachable()
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError)
      const message = (err as ConfigError).message
      expect(message).toContain('MAILDESK_SECRET_KEY must be exactly 64 hexadecimal characters (generate one with `openssl rand -hex 32`)')
      expect(message).toContain('MAILDESK_SMTP_RELAY_URL must be an smtp:// or smtps:// URL')
      expect(message).not.toContain('hunter2')
      expect(message).not.toContain('pw@')
    }
  })

  it('defaults: no relay (outbox), 5 automatic mails per recipient per 24 h, DKIM selector "maildesk"', () => {
    const config = loadConfig({ MAILDESK_DATA_DIR: tempDir() })
    expect(config).toMatchObject({ smtpRelayUrl: undefined, autoReplyLimit: 5, dkimSelector: 'maildesk', publicUrl: 'http://127.0.0.1:8080' })
    expect(loadConfig({ MAILDESK_DATA_DIR: tempDir(), MAILDESK_SMTP_RELAY_URL: 'smtps://u:p@relay.example:465', MAILDESK_AUTO_REPLY_LIMIT: '2' })).toMatchObject({
      smtpRelayUrl: 'smtps://u:p@relay.example:465',
      autoReplyLimit: 2,
    })
  })
})
