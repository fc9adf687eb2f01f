import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestDb, type TestDb } from '../../test/db.ts'
import { seedAccount, seedWorkspace } from '../../test/fixtures.ts'
import { ingest } from '../ledger/ingest.ts'
import type { SourceRow } from '../ledger/types.ts'
import type { Workspace } from '../workspaces/workspaces.ts'
import { createEndpoint, type EndpointInput } from './endpoints.ts'

const KEY = Buffer.alloc(32, 5)
let t: TestDb
beforeAll(async () => {
  t = await openTestDb()
})
afterAll(() => t.close())

const row = (amount: string, type: 'CR' | 'DB' = 'CR', description = `TRF ${amount}`): SourceRow => ({
  date: '2026-11-20 10:00:00',
  type,
  amount,
  description,
})

async function deliveries(endpointPublicId: string) {
  const rows = await t.db.query<{ seq: string; body: string; mutation_ids: string[] }>(
    `select d.seq, d.body, d.mutation_ids from webhook_deliveries d join webhook_endpoints e on e.id = d.endpoint_id
     where e.public_id = $1 order by d.seq`,
    [endpointPublicId],
  )
  return rows.map((r) => ({
    seq: Number(r.seq),
    amounts: (JSON.parse(r.body) as { amount: number }[]).map((m) => m.amount),
    body: r.body,
    n: r.mutation_ids.length,
  }))
}

const hook = (ws: Workspace, input: Partial<EndpointInput> = {}) =>
  createEndpoint(t.db, ws, KEY, { url: 'https://toko.id/hook', secret: 'rahasia', ...input })

describe('fan-out at ingest', () => {
  it('sends each endpoint the new mutations its filters select, once, numbered without gaps', async () => {
    const ws = await seedWorkspace(t.db)
    const acc = await seedAccount(t.db, ws)
    const other = await seedAccount(t.db, ws)
    const all = await hook(ws)
    const credits = await hook(ws, { kinds: 'credit' })
    const codes = await hook(ws, { startUniqueCode: 1, endUniqueCode: 999 })
    const otherOnly = await hook(ws, { account: other.publicId })
    const off = await hook(ws, { active: false })
    const rows = [row('150123'), row('25000'), row('70999', 'DB'), row('1000.50')]
    await ingest(t.db, ws, { accountId: acc.publicId, source: 'csv', rows })
    // A re-read adds nothing, so it sends nothing.
    await ingest(t.db, ws, { accountId: acc.publicId, source: 'csv', rows })
    expect((await deliveries(all.publicId)).map((d) => d.amounts)).toEqual([[150123, 25000, 70999, 1000.5]])
    expect((await deliveries(credits.publicId)).map((d) => d.amounts)).toEqual([[150123, 25000, 1000.5]])
    // 25000 ends in 000 (unique code 0) and 1000.50 in 000 too: outside 1–999.
    expect((await deliveries(codes.publicId)).map((d) => d.amounts)).toEqual([[150123, 70999]])
    expect(await deliveries(otherOnly.publicId)).toEqual([])
    expect(await deliveries(off.publicId)).toEqual([])
    await ingest(t.db, ws, { accountId: acc.publicId, source: 'csv', rows: [row('10')] })
    expect((await deliveries(all.publicId)).map((d) => d.seq)).toEqual([1, 2])
  })

  it('cuts a large batch into deliveries of at most the configured size', async () => {
    const ws = await seedWorkspace(t.db)
    const acc = await seedAccount(t.db, ws)
    const e = await hook(ws)
    const rows = Array.from({ length: 7 }, (_, i) => row(String(1000 + i)))
    await ingest(t.db, ws, { accountId: acc.publicId, source: 'csv', rows, webhookBatchMax: 3 })
    const got = await deliveries(e.publicId)
    expect(got.map((d) => [d.seq, d.n])).toEqual([
      [1, 3],
      [2, 3],
      [3, 1],
    ])
    expect(got.flatMap((d) => d.amounts)).toEqual([1000, 1001, 1002, 1003, 1004, 1005, 1006])
  })

  it('sends sandbox mutations only to an endpoint that names the sandbox account', async () => {
    const ws = await seedWorkspace(t.db)
    const sandbox = await seedAccount(t.db, ws, { bankType: 'sandbox' })
    const all = await hook(ws)
    const named = await hook(ws, { account: sandbox.publicId })
    await ingest(t.db, ws, { accountId: sandbox.publicId, source: 'sandbox', rows: [row('10000')] })
    expect(await deliveries(all.publicId)).toEqual([])
    expect((await deliveries(named.publicId)).map((d) => d.amounts)).toEqual([[10000]])
  })

  it('sends a lunas-format endpoint one envelope per event, with the /v1 form of the mutation', async () => {
    const ws = await seedWorkspace(t.db)
    const acc = await seedAccount(t.db, ws)
    const e = await hook(ws, { format: 'lunas' })
    const r = await ingest(t.db, ws, { accountId: acc.publicId, source: 'csv', rows: [row('150123'), row('2500.50')] })
    const bodies = (
      await t.db.query<{ body: string }>(
        'select d.body from webhook_deliveries d join webhook_endpoints e on e.id = d.endpoint_id where e.public_id = $1 order by d.seq',
        [e.publicId],
      )
    ).map((d) => JSON.parse(d.body) as { id: string; type: string; data: { id: string; amount: string; currency: string } })
    const events = await t.db.query<{ public_id: string }>(
      'select public_id from events where workspace_id = $1 order by seq',
      [ws.id],
    )
    expect(bodies.map((b) => [b.id, b.type, b.data.id, b.data.amount, b.data.currency])).toEqual([
      [events[0]!.public_id, 'mutation.created', r.inserted[0]!.publicId, '150123.00', 'IDR'],
      [events[1]!.public_id, 'mutation.created', r.inserted[1]!.publicId, '2500.50', 'IDR'],
    ])
  })

  it('writes the body in Moota’s webhook form, and never another workspace’s endpoints', async () => {
    const ws = await seedWorkspace(t.db)
    const them = await seedWorkspace(t.db)
    const acc = await seedAccount(t.db, ws)
    const mine = await hook(ws)
    const theirs = await hook(them)
    const r = await ingest(t.db, ws, { accountId: acc.publicId, source: 'csv', rows: [row('150123')] })
    const [d] = await deliveries(mine.publicId)
    const [m] = JSON.parse(d!.body) as Record<string, unknown>[]
    expect(Object.keys(m!)).toEqual([
      'account_number', 'date', 'description', 'note', 'amount', 'type', 'balance', 'updated_at', 'created_at',
      'mutation_id', 'token', 'bank_id', 'taggings', 'bank',
    ])
    expect(m).toMatchObject({ mutation_id: r.inserted[0]!.publicId, amount: 150123, type: 'CR', bank_id: acc.publicId })
    expect(d!.body).toContain('"amount":150123,')
    expect(await deliveries(theirs.publicId)).toEqual([])
  })
})
