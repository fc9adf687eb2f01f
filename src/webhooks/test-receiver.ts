/**
 * For the webhook route tests only: a real HTTP receiver on 127.0.0.1 that answers from a script, and a one-shot
 * "deliver what is due" that runs the real worker step (claim → signed POST → attempt recorded) without a loop, so
 * tests decide exactly when attempts happen.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Db } from '../db/db.ts'
import { createLogger } from '../shared/log.ts'
import { claimDue } from './deliveries.ts'
import { createWebhookAgent } from './send.ts'
import { attemptDelivery } from './worker.ts'

export interface Receiver {
  /** `http://127.0.0.1:<port>/hook` */
  url: string
  got: { headers: IncomingHttpHeaders; body: string }[]
  /** Answers for the next requests, in order; then 200 `{"Status":"success"}`. */
  script: [status: number, body: string][]
  close(): Promise<void>
}

export async function startReceiver(): Promise<Receiver> {
  const got: Receiver['got'] = []
  const script: Receiver['script'] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      got.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') })
      const [status, body] = script.shift() ?? [200, '{"Status":"success"}']
      res.writeHead(status, { 'content-type': 'application/json' }).end(body)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    got,
    script,
    close: async () => {
      server.closeAllConnections()
      await new Promise((r) => server.close(r))
    },
  }
}

const agent = createWebhookAgent({ allow: ['127.0.0.0/8'] })

/** Attempts every delivery due now, once each (a failure is re-scheduled 60 s out); returns how many were tried. */
export async function deliverDue(db: Db, key: Buffer): Promise<number> {
  const claimed = await claimDue(db, 100, 60)
  for (const d of claimed)
    await attemptDelivery(
      {
        db,
        key,
        log: createLogger('silent'),
        agent,
        concurrency: 1,
        leaseSeconds: 60,
        timeoutMs: 5000,
        schedule: [60_000, 60_000, 60_000],
        disableAfterMs: 5 * 86_400_000,
        pollMs: 1000,
        version: '0.0.0-test',
        workerId: 'test',
      },
      d,
    )
  return claimed.length
}
