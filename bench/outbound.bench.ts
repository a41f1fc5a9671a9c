// Outbound mail: compose + DKIM-sign + durable outbox write per second, and acknowledgements end to end
// (checks, compose, insert, sign, outbox write, status update) on SQLite, one at a time and 100 at a time (as the
// worker sends a stored batch's).
//   node --import tsx bench/outbound.bench.ts
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { loadConfig } from '../src/config.ts'
import { upsertCustomerByEmail } from '../src/customers/customer.repository.ts'
import { silentLogger } from '../src/logger.ts'
import { composeOutboundMessage } from '../src/notify/compose-outbound-message.ts'
import { loadOrCreateDkimKey } from '../src/notify/dkim-key.ts'
import { createMailTransport } from '../src/notify/mail-transport.ts'
import { sendAcknowledgement, sendAcknowledgements } from '../src/notify/acknowledgement.service.ts'
import { createDkimSigner } from '../src/notify/dkim-signer.ts'
import { openDatabase } from '../src/store/database.ts'
import { insertTicket } from '../src/tickets/ticket.repository.ts'
import { fmt, medianOf, runIfMain } from './lib/measure.ts'

const MESSAGES = 300
const ACK = { subject: '[OKP-1042] Refund', text: 'Hello,\n\nWe have your message.\n'.repeat(20), html: `<p>${'We have your message. '.repeat(40)}</p>` }

export async function run(): Promise<{ composeSignPerSecond: number; composeSignWritePerSecond: number; acknowledgementsPerSecond: number; batchedAcknowledgementsPerSecond: number }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'maildesk-bench-outbound-'))
  try {
    const config = loadConfig({ MAILDESK_DATA_DIR: dir, MAILDESK_SECRET_KEY: 'ab'.repeat(32), MAILDESK_AUTO_REPLY_LIMIT: '1000000' })
    const transport = createMailTransport(config, silentLogger)
    const composeOne = (i: number) =>
      composeOutboundMessage({
        brand: config.brand, secretKey: config.secretKey, publicUrl: config.publicUrl, ticketId: i + 1, kind: 'acknowledgement',
        to: { address: `c${i}@example.com` }, subject: ACK.subject, text: ACK.text, html: ACK.html, language: 'en',
        verificationCode: 'ABCD-EFGH', now: new Date(),
      })
    // The same signer as the transports, into memory: what composing and signing cost without the disk.
    const signer = createDkimSigner(loadOrCreateDkimKey(dir, 'maildesk', 'okpay.com'))
    const inMemory = await medianOf(3, async () => {
      const start = performance.now()
      for (let i = 0; i < MESSAGES; i++) {
        const m = await composeOne(i)
        await signer.sign(m.raw)
      }
      return MESSAGES / ((performance.now() - start) / 1000)
    })
    const compose = await medianOf(3, async () => {
      const start = performance.now()
      for (let i = 0; i < MESSAGES; i++) {
        const m = await composeOne(i)
        await transport.send({ messageIdHeader: m.messageIdHeader, envelope: m.envelope, raw: m.raw })
      }
      return MESSAGES / ((performance.now() - start) / 1000)
    })

    const store = await openDatabase({ sqlitePath: path.join(dir, 'bench.sqlite') })
    const deps = { db: store.db, config, transport, log: silentLogger, now: () => new Date() }
    const now = new Date().toISOString()
    const ids: number[] = []
    for (let i = 0; i < MESSAGES * 6; i++) {
      const customer = await upsertCustomerByEmail(store.db, `c${i % 50}@example.com`, null, new Date())
      ids.push((await insertTicket(store.db, { subject: 'Refund', channel: 'email', customer_id: customer.id, created_at: now, updated_at: now, last_message_at: now })).id)
    }
    const acks = await medianOf(3, async (round) => {
      const batch = ids.slice(round * MESSAGES, (round + 1) * MESSAGES)
      const start = performance.now()
      for (const id of batch) await sendAcknowledgement(deps, { ticketId: id, content: ACK, language: 'en' })
      return batch.length / ((performance.now() - start) / 1000)
    })
    const batched = await medianOf(3, async (round) => {
      const batch = ids.slice((round + 3) * MESSAGES, (round + 4) * MESSAGES)
      const start = performance.now()
      for (let i = 0; i < batch.length; i += 100) {
        await sendAcknowledgements(
          deps,
          batch.slice(i, i + 100).map((id) => ({ ticketId: id, content: ACK, language: 'en' as const })),
        )
      }
      return batch.length / ((performance.now() - start) / 1000)
    })
    transport.close()
    await store.destroy()
    const result = {
      composeSignPerSecond: Math.round(inMemory.median),
      composeSignWritePerSecond: Math.round(compose.median),
      acknowledgementsPerSecond: Math.round(acks.median),
      batchedAcknowledgementsPerSecond: Math.round(batched.median),
    }
    console.log(`compose + DKIM sign (RSA 2048), in memory: ${fmt(result.composeSignPerSecond)} msg/s (median of 3 × ${MESSAGES})`)
    console.log(`compose + DKIM sign (RSA 2048) + fsync'd outbox write: ${fmt(result.composeSignWritePerSecond)} msg/s (median of 3 × ${MESSAGES})`)
    console.log(`sendAcknowledgement end to end on SQLite (outbox): ${fmt(result.acknowledgementsPerSecond)} msg/s (median of 3 × ${MESSAGES})`)
    console.log(`sendAcknowledgements, 100 per call: ${fmt(result.batchedAcknowledgementsPerSecond)} msg/s (median of 3 × ${MESSAGES})`)
    return result
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

await runIfMain(import.meta.url, run)
