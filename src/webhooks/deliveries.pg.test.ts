/**
 * The delivery queue under competing OS processes on PostgreSQL (on PGlite, one connection, these cannot fail):
 * claimers in four processes never share a delivery and never exceed an endpoint's in-flight cap; a lease left by a
 * killed worker is reclaimed, after it runs out and not before, with the same webhook-id; and a worker that outlived
 * its lease records its attempt but cannot settle the delivery. Each claimer is test/claim-child.ts.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { onPostgres, openTestDb, type TestDb } from '../../test/db.ts'
import { openPostgres } from '../db/postgres.ts'
import { seedWorkspace } from '../../test/fixtures.ts'
import type { Workspace } from '../workspaces/workspaces.ts'
import type { ClaimChildParams } from '../../test/claim-child.ts'
import { claimDue } from './deliveries.ts'
import { createEndpoint, type Endpoint } from './endpoints.ts'

const KEY = Buffer.alloc(32, 5)
const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const CHILD = fileURLToPath(new URL('../../test/claim-child.ts', import.meta.url))

type Line = { pid: number; ev: string; [k: string]: unknown }
type Claim = Line & { id: string; publicId: string; token: string; endpoint: string; leaseUntil: string }

interface Claimer {
  child: ChildProcess
  lines: Line[]
  send(line: string): void
  /** Resolves when a line satisfies `match`. */
  until(match: (l: Line) => boolean, ms?: number): Promise<Line>
  exited: Promise<number | string>
}

const children: ChildProcess[] = []
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
})

function claimer(p: Omit<ClaimChildParams, 'url'>): Claimer {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
    cwd: ROOT,
    env: { ...process.env, CLAIM_CHILD: JSON.stringify({ url: t.url, ...p }) },
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  children.push(child)
  const lines: Line[] = []
  const waiters = new Set<() => void>()
  let rest = ''
  child.stdout!.on('data', (chunk: Buffer) => {
    rest += chunk.toString()
    const parts = rest.split('\n')
    rest = parts.pop()!
    for (const part of parts) lines.push(JSON.parse(part) as Line)
    for (const w of waiters) w()
  })
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, sig) => resolve(code ?? sig ?? -1)))
  return {
    child,
    lines,
    exited,
    send: (line) => child.stdin!.write(`${line}\n`),
    until: (match, ms = 60_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const l = lines.find(match)
          if (!l) return
          waiters.delete(check)
          clearTimeout(timer)
          resolve(l)
        }
        const timer = setTimeout(() => {
          waiters.delete(check)
          reject(new Error(`claimer ${child.pid}: no matching line in ${ms} ms`))
        }, ms)
        waiters.add(check)
        void exited.then(() => setTimeout(check, 10))
        check()
      }),
  }
}

let t: TestDb
beforeAll(async () => {
  t = await openTestDb()
})
afterAll(() => t.close())

async function endpoint(ws: Workspace, maxInFlight: number): Promise<Endpoint> {
  const e = await createEndpoint(t.db, ws, KEY, { url: 'http://127.0.0.1:9/hook', secret: 'rahasia' })
  await t.db.query('update webhook_endpoints set max_in_flight = $2 where id = $1', [e.id, maxInFlight])
  return e
}

/** `n` due deliveries for the endpoint, straight into the table (fan-out has its own tests). */
async function enqueue(ws: Workspace, e: Endpoint, n: number): Promise<void> {
  await t.db.query(
    `with bumped as (update webhook_endpoints set last_seq = last_seq + $3 where id = $2 returning last_seq - $3 as base)
     insert into webhook_deliveries (public_id, workspace_id, endpoint_id, seq, event_type, trigger, body)
     select 'pg' || $2 || '_' || g, $1, $2, bumped.base + g, 'mutation.created', 'event', '[{"n":' || g || '}]'
     from bumped, generate_series(1, $3) g`,
    [ws.id, e.id, n],
  )
}

const claims = (cs: Claimer[]) => cs.flatMap((c) => c.lines.filter((l): l is Claim => l.ev === 'claim'))

describe.skipIf(!onPostgres)('the delivery queue with competing worker processes (PostgreSQL)', { timeout: 240_000 }, () => {
  it('never gives one delivery to two workers, and keeps every endpoint under its in-flight cap', async ({ annotate }) => {
    await t.db.query("update webhook_deliveries set status = 'failed' where status = 'pending'")
    const ws = await seedWorkspace(t.db)
    const caps = [2, 3, 5]
    const PER_ENDPOINT = 120
    const endpoints = await Promise.all(caps.map((cap) => endpoint(ws, cap)))
    for (const e of endpoints) await enqueue(ws, e, PER_ENDPOINT)
    const cap = new Map(endpoints.map((e, i) => [e.id, caps[i]!]))

    // Four processes, three claim loops each: twelve connections claiming from one queue.
    const cs = [1, 2, 3, 4].map(() => claimer({ mode: 'compete', leaseSeconds: 30, loops: 3, limit: 4 }))
    await Promise.all(cs.map((c) => c.until((l) => l.ev === 'ready')))
    // Meanwhile, an observer counts the live leases per endpoint, each sample one consistent snapshot.
    let watching = true
    const observed: Record<string, number>[] = []
    const watch = (async () => {
      while (watching) {
        const rows = await t.db.query<{ endpoint_id: string; n: number }>(
          `select endpoint_id, count(*)::int as n from webhook_deliveries
           where status = 'pending' and lease_until >= now() group by endpoint_id`,
        )
        observed.push(Object.fromEntries(rows.map((r) => [r.endpoint_id, r.n])))
        await new Promise((r) => setTimeout(r, 2))
      }
    })()
    for (const c of cs) c.send('go')
    expect(await Promise.all(cs.map((c) => c.exited))).toEqual([0, 0, 0, 0])
    watching = false
    await watch

    const all = claims(cs)
    const ids = endpoints.length * PER_ENDPOINT
    // Each delivery was claimed exactly once, under a token of its own, and no settlement was fenced out.
    expect(new Set(all.map((c) => c.id)).size).toBe(ids)
    expect(all).toHaveLength(ids)
    expect(new Set(all.map((c) => c.token)).size).toBe(ids)
    expect(cs.flatMap((c) => c.lines.filter((l) => l.ev === 'fenced'))).toEqual([])
    // The queue really was shared: every process claimed.
    expect(new Set(all.map((c) => c.pid)).size).toBe(4)
    // The cap: counted by each claimer right after its claim, and by the observer.
    const leased = cs.flatMap((c) => c.lines.filter((l) => l.ev === 'leased')) as (Line & { endpoint: string; n: number; cap: number })[]
    const over = leased.filter((l) => l.n > l.cap)
    expect(over, 'a claimer saw more live leases than the cap').toEqual([])
    for (const sample of observed)
      for (const [e, n] of Object.entries(sample)) expect(n, `endpoint ${e}`).toBeLessThanOrEqual(cap.get(e)!)
    // And contention reached the caps (a cap never reached would prove nothing).
    const peak = (e: string) => Math.max(0, ...leased.filter((l) => l.endpoint === e).map((l) => l.n))
    expect(peak(endpoints[0]!.id)).toBe(2)
    expect(peak(endpoints[1]!.id)).toBe(3)
    const rows = await t.db.query<{ status: string; attempts: number; n: number }>(
      `select d.status, d.attempts, (select count(*)::int from webhook_attempts a where a.delivery_id = d.id) as n
       from webhook_deliveries d where d.workspace_id = $1`,
      [ws.id],
    )
    expect(rows).toHaveLength(ids)
    expect(rows.every((r) => r.status === 'succeeded' && r.attempts === 1 && r.n === 1)).toBe(true)
    // The counts this run saw, for the report (vitest --reporter=verbose shows them).
    await annotate(
      `competing claimers: ${ids} deliveries, ${all.length} claims from ${cs.length} processes; peaks ` +
        endpoints.map((e, i) => `${peak(e.id)}/${caps[i]}`).join(' ') + `; ${observed.length} observer samples`,
    )
  })

  it('reclaims a killed worker’s leases only after they run out, with the same webhook-id, and fences the late worker', async () => {
    await t.db.query("update webhook_deliveries set status = 'failed' where status = 'pending'")
    const ws = await seedWorkspace(t.db)
    const e = await endpoint(ws, 64)
    await enqueue(ws, e, 20)
    const LEASE = 3
    // A worker that will be killed and one that will stall past its lease each claim ten; two more processes are
    // already competing for work when those leases start.
    const victim = claimer({ mode: 'hold', leaseSeconds: LEASE, limit: 10 })
    const late = claimer({ mode: 'hold', leaseSeconds: LEASE, limit: 10 })
    const reclaimers = [1, 2].map(() => claimer({ mode: 'compete', leaseSeconds: 30, loops: 2, limit: 4 }))
    const everyone = [victim, late, ...reclaimers]
    await Promise.all(everyone.map((c) => c.until((l) => l.ev === 'ready')))
    victim.send('go')
    await victim.until((l) => l.ev === 'holding')
    late.send('go')
    await late.until((l) => l.ev === 'holding')
    for (const r of reclaimers) r.send('go')
    victim.child.kill('SIGKILL')
    expect(await victim.exited).toBe('SIGKILL')

    const first = claims([victim, late])
    expect(first).toHaveLength(20)
    const lateIds = new Set(claims([late]).map((c) => c.id))
    expect(lateIds.size).toBe(10)
    // Wait until every held delivery has been reclaimed, then let the late worker try to settle.
    const reclaimedAll = () => new Set(claims(reclaimers).map((c) => c.id)).size === 20
    const deadline = Date.now() + 60_000
    while (!reclaimedAll()) {
      if (Date.now() > deadline) throw new Error('not every lease was reclaimed')
      await new Promise((r) => setTimeout(r, 50))
    }
    late.send('settle')
    expect(await Promise.all([late, ...reclaimers].map((c) => c.exited))).toEqual([0, 0, 0])

    const again = claims(reclaimers)
    expect(again).toHaveLength(20)
    for (const before of first) {
      const after = again.find((c) => c.id === before.id)!
      // Same delivery, same webhook-id, a new claim token…
      expect(after.publicId).toBe(before.publicId)
      expect(after.token).not.toBe(before.token)
      // …claimed only once the first lease had run out (the claim's own now() is its lease end minus 30 s).
      expect(Date.parse(after.leaseUntil) - 30_000).toBeGreaterThanOrEqual(Date.parse(before.leaseUntil))
    }
    // The late worker's settlements were all fenced out; its attempts are on record all the same.
    const settled = late.lines.filter((l) => l.ev === 'settled')
    expect(settled.map((l) => l.held)).toEqual(Array(10).fill(false))
    const rows = await t.db.query<{ id: string; status: string; last_status: number; attempts: number; workers: string[] }>(
      `select d.id, d.status, d.last_status, d.attempts,
         array(select a.worker from webhook_attempts a where a.delivery_id = d.id order by a.id) as workers
       from webhook_deliveries d where d.workspace_id = $1 order by d.id`,
      [ws.id],
    )
    expect(rows).toHaveLength(20)
    for (const r of rows) {
      expect(r).toMatchObject({ status: 'succeeded', last_status: 200, attempts: 2 })
      const reclaimer = again.find((c) => c.id === r.id)!.pid
      // The killed worker left no attempt; the late one left its 500, which settled nothing.
      expect(r.workers).toEqual(
        lateIds.has(r.id) ? expect.arrayContaining([`claimer:${late.child.pid}`, `claimer:${reclaimer}`]) : [`claimer:${reclaimer}`],
      )
      if (lateIds.has(r.id)) expect(r.workers).toHaveLength(2)
    }
  })

  it('counts an endpoint’s leases after locking it, so a claim that committed meanwhile is never overlooked', async () => {
    // The interleaving that once let an endpoint with a cap of 2 hold 3 leases: claimer B takes its snapshot, then
    // waits on a delivery row of another endpoint; a fan-out commits a delivery due earlier than B's picks; claimer A
    // fills the capped endpoint's slots and commits; B goes on and counted the capped endpoint's leases in its old
    // snapshot, where A's claims and the new delivery are invisible, so it claimed one more.
    await t.db.query("update webhook_deliveries set status = 'failed' where status = 'pending'")
    const ws = await seedWorkspace(t.db)
    const first = await endpoint(ws, 64)
    const capped = await endpoint(ws, 2)
    await t.db.query("update webhook_endpoints set last_claimed_at = now() - interval '1 hour' where id = $1", [capped.id])
    const insert = (e: Endpoint, seq: number, secondsAgo: number) =>
      t.db.query<{ id: string }>(
        `insert into webhook_deliveries (public_id, workspace_id, endpoint_id, seq, event_type, trigger, body, next_attempt_at)
         values ($1, $2, $3, $4, 'mutation.created', 'event', '[]', now() - make_interval(secs => $5)) returning id`,
        [`race_${e.id}_${seq}`, ws.id, e.id, seq, secondsAgo],
      )
    const [blocker] = await insert(first, 1, 1)
    for (const [seq, ago] of [[1, 10], [3, 5], [4, 1]] as const) await insert(capped, seq, ago)
    const holder = new pg.Client({ connectionString: t.url })
    const dbA = openPostgres(t.url!, 1)
    const dbB = openPostgres(t.url!, 1)
    await holder.connect()
    try {
      await holder.query('begin')
      await holder.query('select id from webhook_deliveries where id = $1 for update', [blocker!.id])
      const b = claimDue(dbB, 10, 60)
      // B is waiting on the held row.
      for (let i = 0; ; i++) {
        const [w] = await t.db.query<{ n: number }>(
          "select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'",
        )
        if (w!.n > 0) break
        if (i > 500) throw new Error('claimer B never waited on the held row')
        await new Promise((r) => setTimeout(r, 10))
      }
      await insert(capped, 2, 7)
      const a = await claimDue(dbA, 10, 60)
      await holder.query('rollback')
      const claimed = [...a, ...(await b)]
      expect(new Set(claimed.map((d) => d.id)).size).toBe(claimed.length)
      const [n] = await t.db.query<{ n: number }>(
        "select count(*)::int as n from webhook_deliveries where endpoint_id = $1 and status = 'pending' and lease_until >= now()",
        [capped.id],
      )
      expect(n!.n).toBe(2)
    } finally {
      await holder.end()
      await dbA.close()
      await dbB.close()
    }
  })
})
