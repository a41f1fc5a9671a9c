/**
 * Where a link really goes. Mail security gateways and search engines wrap links in their own redirectors; the
 * real target is a query parameter, so the verifier judges the target. Shorteners hide the target entirely.
 */
const REDIRECT_PARAMS: Array<{ host: RegExp; path: RegExp; param: string[] }> = [
  { host: /^(www\.)?google\.[a-z.]+$/, path: /^\/url$/, param: ['q', 'url'] },
  { host: /(^|\.)safelinks\.protection\.outlook\.com$/, path: /.*/, param: ['url'] },
  { host: /^l\.facebook\.com$|^lm\.facebook\.com$/, path: /^\/l\.php$/, param: ['u'] },
  { host: /^urldefense\.proofpoint\.com$/, path: /^\/v2\/url$/, param: ['u'] },
  { host: /^(www\.)?youtube\.com$/, path: /^\/redirect$/, param: ['q'] },
  { host: /^link\.zhihu\.com$/, path: /.*/, param: ['target'] },
  { host: /^(www\.)?baidu\.com$/, path: /^\/link$/, param: ['url'] },
]

/** Shorteners and click trackers whose target cannot be read from the link itself. */
const OPAQUE_HOSTS = new Set([
  't.co', 'bit.ly', 'tinyurl.com', 'goo.gl', 'ow.ly', 'is.gd', 'buff.ly', 'rebrand.ly', 't.cn', 'url.cn', 'dwz.cn',
  'suo.im', 'cutt.ly', 'rb.gy', 'shorturl.at', 'tiny.cc', 'lnkd.in', 'qrco.de', 's.id', 'v.gd',
])

export interface LinkTarget {
  /** The URL finally judged (after unwrapping), or undefined when it could not be parsed. */
  url: URL | undefined
  /** Redirector hosts passed through, outermost first. */
  via: string[]
  /** The shortener host when the target is hidden. */
  opaqueHost: string | undefined
}

function toUrl(value: string): URL | undefined {
  try {
    const candidate = /^[a-z][a-z0-9+.-]*:/i.test(value) && !/^[a-z0-9.-]+:\d+(\/|$)/i.test(value) ? value : `http://${value}`
    const url = new URL(candidate)
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined
  } catch {
    return undefined
  }
}

/** Parses a link (a scheme-less one as http) and unwraps up to three redirectors. */
export function resolveLinkTarget(href: string): LinkTarget {
  let url = toUrl(href.trim())
  const via: string[] = []
  for (let depth = 0; url && depth < 3; depth++) {
    const host = url.hostname.toLowerCase()
    if (OPAQUE_HOSTS.has(host)) return { url, via, opaqueHost: host }
    const rule = REDIRECT_PARAMS.find((r) => r.host.test(host) && r.path.test(url?.pathname ?? ''))
    if (!rule) break
    const inner = rule.param.map((p) => url?.searchParams.get(p)).find((v) => v)
    const next = inner ? toUrl(inner) : undefined
    if (!next) break
    via.push(host)
    url = next
  }
  return { url, via, opaqueHost: undefined }
}
