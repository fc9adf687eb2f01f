import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ingest } from '../../ledger/ingest.ts'
import { deleteMutations } from '../../ledger/mutations.ts'
import { addTestAccount, createTenant, startTestServer, type TestServer, tokenWithScopes } from '../test-support.ts'

type Feed = { data: { seq: string; type: string; data: unknown }[]; next_after: string }

let t: TestServer
beforeAll(async () => {
  t = await startTestServer()
})
afterAll(() => t?.close())

describe('GET /v1/events', () => {
  it('lets a merchant that was down fetch what it missed, in order, resuming after the last seq', async () => {
    const tenant = await createTenant(t.app.db)
    const acc = await addTestAccount(t.app.db, tenant.workspace, 'bca')
    const rows = ['150123', '99000', '250500'].map((amount) => ({
      date: '2026-11-20',
      type: 'CR' as const,
      amount,
      description: `TRF ${amount}`,
    }))
    const r = await ingest(t.app.db, tenant.workspace, { accountId: acc.publicId, source: 'csv', rows })
    await deleteMutations(t.app.db, tenant.workspace, [r.inserted[2]!.publicId])
    const first = (await (await t.request('GET', '/v1/events?limit=2', { token: tenant.token })).json()) as Feed
    expect(first.data.map((e) => [e.seq, e.type])).toEqual([
      ['1', 'mutation.created'],
      ['2', 'mutation.created'],
    ])
    expect(first.data[0]!.data).toMatchObject({ id: r.inserted[0]!.publicId, amount: '150123.00', currency: 'IDR' })
    expect(first.next_after).toBe('2')
    const rest = (await (await t.request('GET', `/v1/events?after=${first.next_after}`, { token: tenant.token })).json()) as Feed
    // The third mutation was deleted since: the event stays, its data is null.
    expect(rest.data.map((e) => [e.seq, e.data])).toEqual([['3', null]])
    const none = await (await t.request('GET', `/v1/events?after=${rest.next_after}`, { token: tenant.token })).json()
    expect(none).toEqual({ data: [], next_after: '3' })
  })

  it('refuses a bad cursor and a token without mutation_read', async () => {
    const tenant = await createTenant(t.app.db)
    const bad = await t.request('GET', '/v1/events?after=-1', { token: tenant.token })
    expect(bad.status).toBe(422)
    expect(bad.headers.get('content-type')).toContain('application/problem+json')
    const bankOnly = await tokenWithScopes(t.app.db, tenant, ['bank_read'])
    expect((await t.request('GET', '/v1/events', { token: bankOnly })).status).toBe(403)
  })
})
