import { escapeHtml } from '../escape-html.ts'
/** HTML that is already safe to emit; everything else interpolated into `html` is escaped. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value
  }
}

type Interpolation = SafeHtml | string | number | boolean | null | undefined | Interpolation[]

function render(value: Interpolation): string {
  if (value === null || value === undefined || value === false) return ''
  if (Array.isArray(value)) return value.map(render).join('')
  if (value instanceof SafeHtml) return value.value
  return escapeHtml(String(value))
}

/** Tagged template for server-rendered pages: interpolations are escaped unless they are SafeHtml. */
export function html(strings: TemplateStringsArray, ...values: Interpolation[]): SafeHtml {
  let out = strings[0] ?? ''
  values.forEach((v, i) => {
    out += render(v) + (strings[i + 1] ?? '')
  })
  return new SafeHtml(out)
}

/** Marks trusted markup (our own renderer's output) as safe. */
export function trustedHtml(markup: string): SafeHtml {
  return new SafeHtml(markup)
}
