import { describe, expect, it } from 'vitest'
import { safeDownloadHeaders } from './safe-download-headers.ts'

describe('safeDownloadHeaders', () => {
  it('shows a PNG inline, with a Chinese file name in RFC 5987 form', () => {
    expect(safeDownloadHeaders('image/png', '截图 1.png')).toEqual({
      'Content-Type': 'image/png',
      'Content-Disposition': `inline; filename="__ 1.png"; filename*=UTF-8''%E6%88%AA%E5%9B%BE%201.png`,
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': "default-src 'none'; sandbox",
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Cache-Control': 'private, no-store',
    })
  })

  it.each([
    ['image/svg+xml', 'logo.svg', 'application/octet-stream'],
    ['text/html', 'page.html', 'application/octet-stream'],
    ['application/pdf', 'statement.pdf', 'application/pdf'],
    ['text/plain', 'note.txt', 'text/plain; charset=utf-8'],
    ['application/vnd.microsoft.portable-executable', 'a.exe', 'application/octet-stream'],
  ])('downloads %s as an attachment of type %s', (detected, filename, contentType) => {
    const headers = safeDownloadHeaders(detected, filename)
    expect(headers['Content-Type']).toBe(contentType)
    expect(headers['Content-Disposition']).toMatch(/^attachment; /)
  })

  it('keeps header injection and paths out of the file name', () => {
    const disposition = safeDownloadHeaders('application/pdf', '..\\..\\a"b\r\nSet-Cookie: x=1;.pdf')['Content-Disposition']
    expect(disposition).toBe(`attachment; filename="a_bSet-Cookie: x=1_.pdf"; filename*=UTF-8''a%22bSet-Cookie%3A%20x%3D1%3B.pdf`)
  })

  it('shortens a long name without cutting a character in half', () => {
    const disposition = safeDownloadHeaders('application/pdf', `${'a'.repeat(199)}😀😀.pdf`)['Content-Disposition']
    expect(disposition).toBe(`attachment; filename="${'a'.repeat(199)}__"; filename*=UTF-8''${'a'.repeat(199)}%F0%9F%98%80`)
  })

  it("encodes RFC 5987's reserved characters", () => {
    expect(safeDownloadHeaders('application/pdf', "it's (1)*.pdf")['Content-Disposition']).toContain(`filename*=UTF-8''it%27s%20%281%29%2A.pdf`)
  })
})
