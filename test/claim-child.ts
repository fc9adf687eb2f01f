/**
 * A competing claimer for src/webhooks/deliveries.pg.test.ts, run as its own OS process (`node --import tsx`), with
 * its own connection pool. It prints `ready`, starts when told `go` on stdin (so every claimer starts at once), and
 * prints one JSON line per event on stdout:
 * - `compete`: `loops` concurrent loops claim due deliveries, hold each a few ms (a request in flight), and settle it
 *   as succeeded, until nothing is pending. Right after each claim it counts the endpoint's live leases in a fresh
 *   statement (one consistent snapshot), so an exceeded in-flight cap is seen the moment it happens.
 * - `hold`: claims up to `limit` deliveries once, prints them, and waits: killed (a dead worker), or told `settle` on
 *   stdin long after its lease ran out (a late worker), when it records each attempt as a 500 and prints whether its
 *   settlement still held.
 */
import { createInterface } from 'node:readline'
import { openPostgres } from '../src/db/postgres.ts'
import { type AttemptRecord, claimDue, type ClaimedDelivery, recordAttempt } from '../src/webhooks/deliveries.ts'

export interface ClaimChildParams {
  url: string
  mode: 'compete' | 'hold'
  leaseSeconds: number
  /** compete: concurrent claim loops in this process. */
  loops?: number
  /** The most one claim asks for (compete: a random 1…limit each time). */
  limit: number
}

const p = JSON.parse(process.env.CLAIM_CHILD ?? '{}') as ClaimChildParams
const db = openPostgres(p.url, (p.loops ?? 1) + 2)
const worker = `claimer:${process.pid}`
const print = (line: object) => process.stdout.write(`${JSON.stringify({ pid: process.pid, ...line })}\n`)

const attempt = (statusCode: number): AttemptRecord => ({
  startedAt: new Date(),
  latencyMs: 1,
  statusCode,
  error: null,
  requestHeaders: {},
  responseHeaders: {},
  responseBody: '',
  worker,
})

function printClaim(d: ClaimedDelivery): void {
  print({ ev: 'claim', id: d.id, publicId: d.publicId, token: d.claimToken, endpoint: d.endpointId,
    attempts: d.attempts, leaseUntil: d.leaseUntil.toISOString() })
}

async function compete(): Promise<void> {
  const loop = async () => {
    for (;;) {
      const claimed = await claimDue(db, 1 + Math.floor(Math.random() * p.limit), p.leaseSeconds)
      if (!claimed.length) {
        const [r] = await db.query<{ n: number }>("select count(*)::int as n from webhook_deliveries where status = 'pending'")
        if (!r?.n) return
        await new Promise((r) => setTimeout(r, 5))
        continue
      }
      for (const d of claimed) printClaim(d)
      for (const e of new Set(claimed.map((d) => d.endpointId))) {
        const [c] = await db.query<{ n: number; cap: number }>(
          `select count(*)::int as n, (select max_in_flight from webhook_endpoints where id = $1) as cap
           from webhook_deliveries where endpoint_id = $1 and status = 'pending' and lease_until >= now()`,
          [e],
        )
        print({ ev: 'leased', endpoint: e, n: c!.n, cap: c!.cap })
      }
      await Promise.all(
        claimed.map(async (d) => {
          await new Promise((r) => setTimeout(r, Math.random() * 15))
          const held = await recordAttempt(db, d, attempt(200), { kind: 'succeeded' })
          if (!held) print({ ev: 'fenced', id: d.id })
        }),
      )
    }
  }
  await Promise.all(Array.from({ length: p.loops ?? 1 }, loop))
}

async function hold(): Promise<void> {
  const claimed = await claimDue(db, p.limit, p.leaseSeconds)
  for (const d of claimed) printClaim(d)
  print({ ev: 'holding', n: claimed.length })
  await line('settle')
  for (const d of claimed) {
    const held = await recordAttempt(db, d, attempt(500), { kind: 'failed', reason: 'late worker' })
    print({ ev: 'settled', id: d.id, held })
  }
}

const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]()
async function line(wanted: string): Promise<void> {
  for (;;) {
    const next = await lines.next()
    if (next.done) throw new Error(`stdin closed before "${wanted}"`)
    if (next.value === wanted) return
  }
}

await db.query('select 1')
print({ ev: 'ready' })
await line('go')
await (p.mode === 'compete' ? compete() : hold())
await db.close()
print({ ev: 'done' })
process.exit(0)
