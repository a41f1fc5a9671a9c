import { createServer, type AddressInfo } from 'node:net'

/** A loopback TCP port that was free a moment ago, for daemons that cannot listen on port 0. */
export async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo
      server.close(() => resolve(port))
    })
  })
}
