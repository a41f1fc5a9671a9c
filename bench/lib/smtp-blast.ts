// A separate client process for SMTP benchmarks: sends COUNT messages over CONNECTIONS parallel connections to
// 127.0.0.1:PORT and prints {"sent":N,"failed":N,"seconds":S} on stdout.
//   node --import tsx bench/lib/smtp-blast.ts PORT COUNT CONNECTIONS SIZE_BYTES
import nodemailer from 'nodemailer'

const [port = 0, count = 0, connections = 0, size = 0] = process.argv.slice(2).map(Number)
if (!port || !count || !connections || !size) throw new Error('usage: smtp-blast PORT COUNT CONNECTIONS SIZE_BYTES')

function message(i: number): Buffer {
  const head = `From: bench${i % 50}@customer.example\r\nTo: support@okpay.com\r\nSubject: bench ${i}\r\nMessage-ID: <blast-${process.pid}-${i}@customer.example>\r\n\r\n`
  const body = `Question ${i}: my payment did not arrive. `.repeat(Math.max(1, Math.ceil((size - head.length) / 42)))
  return Buffer.from(head + body.slice(0, Math.max(0, size - head.length)) + '\r\n')
}

let next = 0
let sent = 0
let failed = 0
const start = performance.now()
await Promise.all(
  Array.from({ length: connections }, async () => {
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port, ignoreTLS: true, pool: true, maxConnections: 1, maxMessages: Infinity })
    for (let i = next++; i < count; i = next++) {
      try {
        await transport.sendMail({ envelope: { from: 'bench@customer.example', to: ['support@okpay.com'] }, raw: message(i) })
        sent++
      } catch {
        failed++
      }
    }
    transport.close()
  }),
)
process.stdout.write(`${JSON.stringify({ sent, failed, seconds: (performance.now() - start) / 1000 })}\n`)
