import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestDb, type TestDb } from '../../test/db.ts'
import { seedWorkspace } from '../../test/fixtures.ts'
import { newPublicId } from '../shared/ids.ts'
import type { Workspace } from '../workspaces/workspaces.ts'
import { type AttemptRecord, claimDue, recordAttempt } from './deliveries.ts'
import { createEndpoint, type Endpoint } from './endpoints.ts'

const KEY = Buffer.alloc(32, 7)
let t: TestDb
beforeAll(async () => {
  t = await openTestDb()
})
afterAll(() => t.close())

async function endpoint(ws: Workspace, maxInFlight = 4): Promise<Endpoint> {
  const e = await createEndpoint(t.db, ws, KEY, { url: 'http://127.0.0.1:9/hook', secret: 'rahasia' })
  await t.db.query('update webhook_endpoints set max_in_flight = $2 where id = $1', [e.id, maxInFlight])
  return e
}

/** Deliveries written straight into the table: fan-out has its own tests; these are about the queue. */
async function enqueue(ws: Workspace, e: Endpoint, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const [{ seq }] = (await t.db.query<{ seq: string }>(
      'update webhook_endpoints set last_seq = last_seq + 1 where id = $1 returning last_seq as seq',
      [e.id],
    )) as [{ seq: string }]
    await t.db.query(
      `insert into webhook_deliveries (public_id, workspace_id, endpoint_id, seq, event_type, trigger, body)
       values ($1, $2, $3, $4, 'mutation.created', 'event', $5)`,
      [newPublicId(), ws.id, e.id, seq, `[{"n":${seq}}]`],
    )
  }
}

const attempt = (statusCode: number | null): AttemptRecord => ({
  startedAt: new Date(),
  latencyMs: 12,
  statusCode,
  error: statusCode === null ? 'connect ECONNREFUSED' : null,
  requestHeaders: { 'webhook-id': 'x' },
  responseHeaders: statusCode === null ? null : { 'content-type': 'text/plain' },
  responseBody: statusCode === null ? null : 'OK',
  worker: 'test',
})

async function clearQueue(): Promise<void> {
  await t.db.query("update webhook_deliveries set status = 'failed' where status = 'pending'")
}

describe('claimDue', () => {
  it('gives an endpoint no more than its in-flight cap, and the other endpoints their share', async () => {
    await clearQueue()
    const ws = await seedWorkspace(t.db)
    const slow = await endpoint(ws, 2)
    const healthy = await endpoint(ws, 4)
    await enqueue(ws, slow, 50)
    await enqueue(ws, healthy, 3)
    const first = await claimDue(t.db, 100, 60)
    expect(first.filter((d) => d.endpointId === slow.id)).toHaveLength(2)
    expect(first.filter((d) => d.endpointId === healthy.id)).toHaveLength(3)
    // The slow endpoint's two are still leased: it gets nothing more until one is settled.
    expect(await claimDue(t.db, 100, 60)).toEqual([])
    const one = first.find((d) => d.endpointId === slow.id)!
    expect(await recordAttempt(t.db, one, attempt(200), { kind: 'succeeded' })).toBe(true)
    const next = await claimDue(t.db, 100, 60)
    expect(next.map((d) => d.endpointId)).toEqual([slow.id])
    expect(Number(next[0]!.seq)).toBe(3)
  })

  it('reclaims a delivery whose lease ran out, and fences the worker that lost it', async () => {
    await clearQueue()
    const ws = await seedWorkspace(t.db)
    const e = await endpoint(ws)
    await enqueue(ws, e, 1)
    const [lost] = await claimDue(t.db, 10, 60)
    expect(lost).toBeDefined()
    // The worker died mid-send: let the lease run out.
    await t.db.query("update webhook_deliveries set lease_until = now() - interval '1 second' where id = $1", [lost!.id])
    const [again] = await claimDue(t.db, 10, 60)
    expect(again!.publicId).toBe(lost!.publicId)
    expect(again!.body).toBe(lost!.body)
    expect(again!.attempts).toBe(2)
    expect(again!.claimToken).not.toBe(lost!.claimToken)
    // The first worker comes back late: its attempt is recorded, but it settles nothing.
    expect(await recordAttempt(t.db, lost!, attempt(500), { kind: 'failed', reason: 'late' })).toBe(false)
    expect(await recordAttempt(t.db, again!, attempt(204), { kind: 'succeeded' })).toBe(true)
    const [row] = await t.db.query<{ status: string; n: string }>(
      `select d.status, (select count(*) from webhook_attempts a where a.delivery_id = d.id) as n
       from webhook_deliveries d where d.id = $1`,
      [lost!.id],
    )
    expect(row).toEqual({ status: 'succeeded', n: '2' })
  })

  it('waits for a retry time, and tracks how long the endpoint has been failing', async () => {
    await clearQueue()
    const ws = await seedWorkspace(t.db)
    const e = await endpoint(ws)
    await enqueue(ws, e, 1)
    const [d] = await claimDue(t.db, 10, 60)
    await recordAttempt(t.db, d!, attempt(null), { kind: 'retry', at: new Date(Date.now() + 3_600_000) })
    expect(await claimDue(t.db, 10, 60)).toEqual([])
    const [health] = await t.db.query<{ failing_since: Date | null }>(
      'select failing_since from webhook_endpoints where id = $1',
      [e.id],
    )
    expect(health!.failing_since).toBeInstanceOf(Date)
    await t.db.query('update webhook_deliveries set next_attempt_at = now() where id = $1', [d!.id])
    const [retry] = await claimDue(t.db, 10, 60)
    await recordAttempt(t.db, retry!, attempt(200), { kind: 'succeeded' })
    const [healed] = await t.db.query<{ failing_since: Date | null }>(
      'select failing_since from webhook_endpoints where id = $1',
      [e.id],
    )
    expect(healed!.failing_since).toBeNull()
  })

  it('does not let an endpoint at its cap take the only slot of a small claim', async () => {
    await clearQueue()
    const ws = await seedWorkspace(t.db)
    const hanging = await endpoint(ws, 2)
    await enqueue(ws, hanging, 5)
    expect(await claimDue(t.db, 2, 60)).toHaveLength(2)
    const healthy = await endpoint(ws, 4)
    await enqueue(ws, healthy, 1)
    // The hanging endpoint is the least recently claimed (its requests never finish) and still has due deliveries.
    await t.db.query('update webhook_endpoints set last_claimed_at = null where id = $1', [hanging.id])
    const [next] = await claimDue(t.db, 1, 60)
    expect(next?.endpointId).toBe(healthy.id)
  })

  it('skips inactive and deleted endpoints', async () => {
    await clearQueue()
    const ws = await seedWorkspace(t.db)
    const off = await endpoint(ws)
    await enqueue(ws, off, 2)
    await t.db.query('update webhook_endpoints set active = false where id = $1', [off.id])
    expect(await claimDue(t.db, 10, 60)).toEqual([])
  })
})
