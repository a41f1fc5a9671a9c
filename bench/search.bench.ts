// Search: 100,000 stored messages (mixed Chinese and English support mail, ~20,000 tickets) and a mix of queries
// agents type: Chinese words of 2 and 4+ characters, English words and phrases, transaction IDs, with and without
// filters. Prints p50/p95/max per kind and overall. Target: overall p95 < 50 ms on SQLite.
// PostgreSQL too when TEST_POSTGRES_URL is set (a throwaway schema).
//   node --import tsx bench/search.bench.ts [messages]
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { openDatabase, type Store } from '../src/store/database.ts'
import { searchTickets, type TicketSearchQuery } from '../src/tickets/ticket-search.repository.ts'
import { pick } from '../test/helpers/seeded-random.ts'
import { runIfMain } from './lib/measure.ts'

const ZH = ['退款', '没有到账', '提现', '银行卡', '账户被冻结', '无法登录', '验证码', '收不到短信', '付款失败', '重复扣款', '商家', '订单', '实名认证',
  '身份证', '审核', '请尽快处理', '谢谢', '您好', '转账', '余额', '手续费', '汇率', '信用卡', '支付密码', '钓鱼邮件', '诈骗', '客服', '投诉', '退货', '已经三天了']
const EN = ['refund', 'payment', 'failed', 'withdrawal', 'pending', 'bank', 'account', 'locked', 'login', 'password', 'verification', 'code',
  'merchant', 'order', 'charged', 'twice', 'transfer', 'balance', 'fee', 'card', 'declined', 'please', 'help', 'urgent', 'phishing', 'email',
  'suspicious', 'identity', 'document', 'review', 'still', 'waiting', 'days', 'since', 'yesterday', 'thank', 'you']

/**
 * A small seeded generator so every run builds the same data (mulberry32, not the tests' seededRandom: it draws
 * the data every earlier figure of this benchmark was measured on).
 */
function rng(seed: number) {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

// Beyond the support phrases, a long tail: 3,000 generated Chinese words (pairs and triples of common characters)
// and 3,000 English-like words, drawn with a Zipf-like skew as real text is (a few words common, most rare).
const HAN = '的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严'
const GENERATED_ZH = Array.from({ length: 3000 }, (_, i) => {
  const r = rng(1000 + i)
  const n = r() < 0.6 ? 2 : 3
  return Array.from({ length: n }, () => pick(r, [...HAN])).join('')
})
const SYLLABLES = ['ka', 'lo', 'mi', 'ter', 'van', 'sol', 'pri', 'den', 'ber', 'tal', 'ron', 'gis', 'mup', 'fen', 'dor', 'lex', 'quo', 'zan', 'tri', 'nel']
const GENERATED_EN = Array.from({ length: 3000 }, (_, i) => {
  const r = rng(5000 + i)
  return Array.from({ length: 2 + Math.floor(r() * 2) }, () => pick(r, SYLLABLES)).join('')
})
const ZH_VOCAB = [...ZH, ...GENERATED_ZH]
const EN_VOCAB = [...EN, ...GENERATED_EN]

/** Zipf-like: index ~ N * u^3 puts most draws on the head of the list (the real support words). */
function zipf<T>(r: () => number, list: readonly T[]): T {
  return list[Math.floor(list.length * r() ** 3)] as T
}

function body(r: () => number, chinese: boolean, txId: string): string {
  const words: string[] = []
  const n = 30 + Math.floor(r() * 90)
  for (let i = 0; i < n; i++) words.push(chinese ? zipf(r, ZH_VOCAB) + (r() < 0.15 ? '，' : '') : zipf(r, EN_VOCAB))
  words.splice(Math.floor(r() * words.length), 0, txId)
  return chinese ? words.join('') : words.join(' ')
}

async function seed(store: Store, messages: number): Promise<void> {
  const r = rng(42)
  const db = store.db
  const start = Date.parse('2026-01-01T00:00:00Z')
  const perTicket = 5
  const tickets = Math.ceil(messages / perTicket)
  const statuses = ['new', 'open', 'pending', 'solved', 'closed']
  const categories = ['transaction', 'account', 'refund', 'withdrawal', 'kyc', 'phishing', 'other']
  const BATCH = 500
  for (let base = 0; base < tickets; base += BATCH) {
    await db.transaction().execute(async (trx) => {
      const customers = []
      for (let i = base; i < Math.min(tickets, base + BATCH); i++) customers.push({ email: `c${i}@customer.example`, display_name: null, language: null, created_at: new Date(start).toISOString(), updated_at: new Date(start).toISOString() })
      const cs = await trx.insertInto('customers').values(customers).returning('id').execute()
      const ticketRows = cs.map((c, j) => {
        const at = new Date(start + (base + j) * 600_000).toISOString()
        return { subject: '', channel: 'email', customer_id: c.id, status: pick(r, statuses), category: pick(r, categories), created_at: at, updated_at: at, last_message_at: at }
      })
      const ts = await trx.insertInto('tickets').values(ticketRows).returning(['id', 'created_at']).execute()
      const msgRows = []
      for (const t of ts) {
        const chinese = r() < 0.5
        const subject = chinese ? `${pick(r, ZH)}${pick(r, ZH)}` : `${pick(r, EN)} ${pick(r, EN)} ${pick(r, EN)}`
        await trx.updateTable('tickets').set({ subject }).where('id', '=', t.id).execute()
        for (let k = 0; k < perTicket && msgRows.length + (base * perTicket) < messages + perTicket; k++) {
          msgRows.push({
            ticket_id: t.id, raw_message_id: null, direction: k % 2 === 0 ? 'inbound' : 'outbound', message_id_header: null, in_reply_to: null,
            from_address: null, from_name: null, subject: k === 0 ? subject : `Re: ${subject}`, sent_at: null, received_at: t.created_at,
            text_body: body(r, chinese, `TX${String(t.id).padStart(8, '0')}${k}`), html_body: null, created_at: t.created_at,
          })
        }
      }
      for (let i = 0; i < msgRows.length; i += 100) await trx.insertInto('ticket_messages').values(msgRows.slice(i, i + 100)).execute()
    })
  }
}

function queries(): { kind: string; query: Omit<TicketSearchQuery, 'limit' | 'offset'> }[] {
  const r = rng(7)
  const out: { kind: string; query: Omit<TicketSearchQuery, 'limit' | 'offset'> }[] = []
  // Half the words are the support vocabulary agents really search for, half come from the long tail.
  const word = (list: readonly string[], tail: readonly string[], ok: (w: string) => boolean) => (r() < 0.5 ? pick(r, list.filter(ok)) : pick(r, tail.filter(ok)))
  for (let i = 0; i < 40; i++) out.push({ kind: 'zh 2 chars', query: { text: word(ZH, GENERATED_ZH, (w) => w.length === 2) } })
  for (let i = 0; i < 40; i++) out.push({ kind: 'zh 3+ chars', query: { text: word(ZH, GENERATED_ZH, (w) => w.length >= 3) } })
  for (let i = 0; i < 40; i++) out.push({ kind: 'en word', query: { text: word(EN, GENERATED_EN, (w) => w.length >= 3) } })
  for (let i = 0; i < 40; i++) out.push({ kind: 'en two words', query: { text: `${word(EN, GENERATED_EN, (w) => w.length >= 3)} ${word(EN, GENERATED_EN, (w) => w.length >= 3)}` } })
  for (let i = 0; i < 40; i++) out.push({ kind: 'transaction id', query: { text: `TX${String(1 + Math.floor(r() * 19000)).padStart(8, '0')}` } })
  for (let i = 0; i < 40; i++) out.push({ kind: 'word + filters', query: { text: pick(r, [...ZH.filter((w) => w.length >= 3), 'refund', 'withdrawal']), status: pick(r, ['open', 'pending']), category: pick(r, ['refund', 'transaction']) } })
  return out
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? 0
}

async function measure(store: Store, label: string) {
  const qs = queries()
  for (const q of qs.slice(0, 20)) await searchTickets(store, { ...q.query, limit: 50, offset: 0 }) // warm the cache
  const byKind = new Map<string, number[]>()
  const all: number[] = []
  let totalHits = 0
  for (const q of qs) {
    const t0 = performance.now()
    const res = await searchTickets(store, { ...q.query, limit: 50, offset: 0 })
    const ms = performance.now() - t0
    totalHits += res.total
    all.push(ms)
    byKind.set(q.kind, [...(byKind.get(q.kind) ?? []), ms])
  }
  const stats = (v: number[]) => {
    const s = [...v].sort((a, b) => a - b)
    return { p50: +percentile(s, 0.5).toFixed(2), p95: +percentile(s, 0.95).toFixed(2), max: +(s[s.length - 1] ?? 0).toFixed(2) }
  }
  const result = { overall: stats(all), byKind: Object.fromEntries([...byKind].map(([k, v]) => [k, stats(v)])), queries: all.length, meanHits: Math.round(totalHits / all.length) }
  console.log(`${label}: p95 ${result.overall.p95} ms (p50 ${result.overall.p50}, max ${result.overall.max}) over ${all.length} queries`)
  for (const [kind, s] of Object.entries(result.byKind)) console.log(`  ${kind.padEnd(16)} p50 ${s.p50} ms  p95 ${s.p95} ms  max ${s.max} ms`)
  return result
}

export async function run(messages = Number(process.env.SEARCH_BENCH_MESSAGES ?? 100_000)) {
  const out: Record<string, unknown> = { messages }
  const dir = mkdtempSync(path.join(tmpdir(), 'maildesk-search-bench-'))
  const sqlite = await openDatabase({ sqlitePath: path.join(dir, 'bench.sqlite') })
  try {
    const t0 = performance.now()
    await seed(sqlite, messages)
    console.log(`sqlite: seeded ${messages} messages in ${((performance.now() - t0) / 1000).toFixed(1)} s`)
    out.sqlite = { ...(await measure(sqlite, 'sqlite')), targetP95Ms: 50 }
  } finally {
    await sqlite.destroy()
    rmSync(dir, { recursive: true, force: true })
  }
  const url = process.env.TEST_POSTGRES_URL
  if (url) {
    const schema = `bench_${randomBytes(4).toString('hex')}`
    const admin = new pg.Client({ connectionString: url })
    await admin.connect()
    await admin.query(`create schema ${schema}`)
    const store = await openDatabase({ databaseUrl: url, pgSchema: schema, maxConnections: 2 })
    try {
      const t0 = performance.now()
      await seed(store, messages)
      await admin.query(`analyze ${schema}.ticket_messages; analyze ${schema}.tickets`)
      console.log(`postgres: seeded ${messages} messages in ${((performance.now() - t0) / 1000).toFixed(1)} s`)
      out.postgres = await measure(store, 'postgres')
    } finally {
      await store.destroy()
      await admin.query(`drop schema ${schema} cascade`)
      await admin.end()
    }
  }
  return out
}

await runIfMain(import.meta.url, () => run(process.argv[2] ? Number(process.argv[2]) : undefined))
