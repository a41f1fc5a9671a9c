// `npm run bench`: runs every benchmark in bench/ in turn and prints their figures.
import { readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { rerunWithServeFlags } from './lib/measure.ts'

if (rerunWithServeFlags()) process.exit()

const dir = fileURLToPath(new URL('.', import.meta.url))
const only = process.argv.slice(2)
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort()
const summary: Record<string, unknown> = {}
for (const file of files) {
  console.log(`\n### ${file}`)
  const mod = (await import(new URL(file, import.meta.url).href)) as { run?: () => Promise<unknown> }
  if (typeof mod.run !== 'function') {
    console.log(`(skipped: ${file} exports no run())`)
    continue
  }
  summary[file] = await mod.run()
}
console.log('\n### summary (JSON)')
console.log(JSON.stringify(summary, null, 2))
