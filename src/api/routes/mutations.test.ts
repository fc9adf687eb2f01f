import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Account } from '../../accounts/accounts.ts'
import {
  addTestAccount,
  createTenant,
  insertMutations,
  startTestServer,
  type Tenant,
  type TestServer,
  tokenWithScopes,
} from '../test-support.ts'

type Listed = {
  id: string
  amount: string
  type: string
  description: string
  date_wib: string
  sandbox: boolean
}
type Page = { data: Listed[]; next_cursor: string | null }

let t: TestServer
let a: Tenant
let b: Tenant
let bca: Account
let mandiri: Account
let sandbox: Account
const ids: Record<string, string> = {}

beforeAll(async () => {
  t = await startTestServer()
  a = await createTenant(t.app.db)
  b = await createTenant(t.app.db)
  bca = await addTestAccount(t.app.db, a.workspace, 'bca')
  mandiri = await addTestAccount(t.app.db, a.workspace, 'mandiriOnline')
  sandbox = await addTestAccount(t.app.db, a.workspace, 'sandbox')
  const db = t.app.db
  const [late1, early2, same1, same2, same3] = await insertMutations(db, a.workspace, bca, [
    // 23:30 WIB on 1 March and 00:10 WIB on 2 March: different WIB days, the same UTC day.
    { occurredAt: '2026-03-01T16:30:00Z', amount: 15012300n, description: 'TRF DARI BUDI 100%' },
    { occurredAt: '2026-03-01T17:10:00Z', amount: 5000000n, type: 'DB', description: 'BIAYA ADM' },
    // Three at the same instant (a source that only gives days): the id breaks the tie.
    { occurredAt: '2026-03-03T00:00:00Z', amount: 100n, description: 'same A' },
    { occurredAt: '2026-03-03T00:00:00Z', amount: 200n, description: 'same B' },
    { occurredAt: '2026-03-03T00:00:00Z', amount: 300n, description: 'same C' },
  ])
  Object.assign(ids, { late1, early2, same1, same2, same3 })
  const [micro1, micro2] = await insertMutations(db, a.workspace, mandiri, [
    // A microsecond apart: a millisecond cursor would skip or repeat one of them.
    { occurredAt: '2026-03-04T01:00:00.000001Z', amount: 700n, description: 'micro one' },
    { occurredAt: '2026-03-04T01:00:00.000002Z', amount: 800n, description: 'micro two' },
  ])
  Object.assign(ids, { micro1, micro2 })
  const [sim] = await insertMutations(db, a.workspace, sandbox, [
    { occurredAt: '2026-03-05T00:00:00Z', amount: 15012300n, description: 'SIMULASI' },
  ])
  ids.sim = sim!
  const [deleted] = await insertMutations(db, a.workspace, bca, [
    { occurredAt: '2026-03-02T05:00:00Z', amount: 999n, description: 'deleted' },
  ])
  await db.query('update mutations set deleted_at = now() where public_id = $1', [deleted])
  const other = await addTestAccount(db, b.workspace, 'bca')
  await insertMutations(db, b.workspace, other, [{ occurredAt: '2026-03-03T00:00:00Z', amount: 100n }])
})

afterAll(async () => {
  await t?.close()
})

async function page(query: string, token = a.token): Promise<Page> {
  const res = await t.request('GET', `/v1/mutations${query}`, { token })
  expect(res.status, await res.clone().text()).toBe(200)
  return (await res.json()) as Page
}

const LIVE_NEWEST_FIRST = () => [
  ids.micro2,
  ids.micro1,
  ids.same3,
  ids.same2,
  ids.same1,
  ids.early2,
  ids.late1,
]

describe('GET /v1/mutations', () => {
  it('lists live mutations newest first, with decimal amounts and ISO and WIB dates', async () => {
    const { data, next_cursor } = await page('')
    expect(data.map((m) => m.id)).toEqual(LIVE_NEWEST_FIRST())
    expect(next_cursor).toBeNull()
    expect(data.find((m) => m.id === ids.late1)).toMatchObject({
      amount: '150123.00',
      currency: 'IDR',
      type: 'CR',
      date: '2026-03-01T16:30:00.000Z',
      date_wib: '2026-03-01 23:30:00',
      sandbox: false,
    })
  })

  it('includes sandbox mutations only when asked', async () => {
    expect((await page('?include_sandbox=true')).data.map((m) => m.id)).toEqual([
      ids.sim,
      ...LIVE_NEWEST_FIRST(),
    ])
    expect((await page('?include_sandbox=false')).data.map((m) => m.id)).toEqual(LIVE_NEWEST_FIRST())
  })

  it('walks every page with the cursor, without skipping or repeating, even within one instant', async () => {
    for (const limit of [1, 2, 3]) {
      const seen: string[] = []
      let cursor: string | null = null
      do {
        const p: Page = await page(`?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)
        expect(p.data.length).toBeLessThanOrEqual(limit)
        seen.push(...p.data.map((m) => m.id))
        cursor = p.next_cursor
      } while (cursor)
      expect(seen, `limit ${limit}`).toEqual(LIVE_NEWEST_FIRST())
    }
  })

  it('filters by WIB day, type, amount, description and account', async () => {
    const idsOf = async (q: string) => (await page(q)).data.map((m) => m.id)
    expect(await idsOf('?from=2026-03-01&to=2026-03-01')).toEqual([ids.late1])
    expect(await idsOf('?from=2026-03-02&to=2026-03-02')).toEqual([ids.early2])
    expect(await idsOf('?from=2026-03-03')).toEqual([ids.micro2, ids.micro1, ids.same3, ids.same2, ids.same1])
    expect(await idsOf('?type=DB')).toEqual([ids.early2])
    expect(await idsOf('?type=debit')).toEqual([ids.early2])
    expect(await idsOf('?amount=150123')).toEqual([ids.late1])
    expect(await idsOf('?amount=150123.00&include_sandbox=1')).toEqual([ids.sim, ids.late1])
    expect(await idsOf('?q=same%20b')).toEqual([ids.same2])
    expect(await idsOf('?q=100%25')).toEqual([ids.late1]) // % is literal, not a wildcard
    expect(await idsOf('?q=_')).toEqual([])
    expect(await idsOf(`?account=${mandiri.publicId}`)).toEqual([ids.micro2, ids.micro1])
  })

  it.each([
    ['?limit=201', 'limit'],
    ['?limit=0', 'limit'],
    ['?from=2026-02-30', 'from'],
    ['?from=2026-03-02%2010:00:00', 'from'],
    ['?from=2026-03-05&to=2026-03-01', 'to'],
    ['?type=XX', 'type'],
    ['?amount=-1', 'amount'],
    ['?include_sandbox=maybe', 'include_sandbox'],
    ['?cursor=v1.AAAA.BBBB.CCCC', 'cursor'],
  ])('refuses %s as problem+json naming %s', async (query, field) => {
    const res = await t.request('GET', `/v1/mutations${query}`, { token: a.token })
    expect(res.status).toBe(422)
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/)
    expect(await res.json()).toMatchObject({ code: 'validation', field })
  })

  it('refuses a cursor that was tampered with', async () => {
    const { next_cursor } = await page('?limit=1')
    const c = next_cursor!
    // Change one character in the middle of the sealed text, always to a different one (the last base64 character
    // may carry only padding bits, so changing it could leave the bytes as they were).
    const at = Math.floor(c.length / 2)
    const tampered = `${c.slice(0, at)}${c[at] === 'A' ? 'B' : 'A'}${c.slice(at + 1)}`
    expect(tampered).not.toBe(c)
    const res = await t.request('GET', `/v1/mutations?limit=1&cursor=${encodeURIComponent(tampered)}`, {
      token: a.token,
    })
    expect(res.status).toBe(422)
  })

  it("keeps each workspace to its own mutations; another workspace's account is not found", async () => {
    const theirs = await page('', b.token)
    expect(theirs.data).toHaveLength(1)
    expect(theirs.data.map((m) => m.id)).not.toContain(ids.same1)
    const res = await t.request('GET', `/v1/mutations?account=${bca.publicId}`, { token: b.token })
    expect(res.status).toBe(404)
    expect(await res.json()).toMatchObject({ code: 'not_found', field: 'account' })
  })

  it('is readable with mutation_read (or mutation), not with bank_read', async () => {
    for (const [scope, status] of [
      ['mutation_read', 200],
      ['mutation', 200],
      ['bank_read', 403],
    ] as const) {
      const token = await tokenWithScopes(t.app.db, a, [scope])
      expect((await t.request('GET', '/v1/mutations', { token })).status, scope).toBe(status)
    }
  })
})

describe('one mutation: GET, PATCH, DELETE /v1/mutations/{id}', () => {
  it('shows a mutation with currency and tags, sandbox ones included when named', async () => {
    const res = await t.request('GET', `/v1/mutations/${ids.late1}`, { token: a.token })
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({
      id: ids.late1,
      account_id: bca.publicId,
      amount: '150123.00',
      currency: 'IDR',
      tags: [],
      date_wib: '2026-03-01 23:30:00',
    })
    expect((await t.request('GET', `/v1/mutations/${ids.sim}`, { token: a.token })).status).toBe(200)
  })

  it('answers 404 problem+json for unknown, deleted and other workspaces’ mutations', async () => {
    for (const token of [b.token]) {
      const res = await t.request('GET', `/v1/mutations/${ids.late1}`, { token })
      expect(res.status).toBe(404)
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/)
    }
    expect((await t.request('GET', '/v1/mutations/xxxxxxxxxxx', { token: a.token })).status).toBe(404)
  })

  it('sets and clears the note', async () => {
    const res = await t.request('PATCH', `/v1/mutations/${ids.same1}`, { token: a.token, json: { note: 'INV-9' } })
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ id: ids.same1, note: 'INV-9' })
    const cleared = await t.request('PATCH', `/v1/mutations/${ids.same1}`, { token: a.token, json: { note: null } })
    expect(await cleared.json()).toMatchObject({ note: '' })
    const theirs = await t.request('PATCH', `/v1/mutations/${ids.same1}`, { token: b.token, json: { note: 'x' } })
    expect(theirs.status).toBe(404)
    const [row] = await t.app.db.query('select note from mutations where public_id = $1', [ids.same1])
    expect(row).toEqual({ note: '' })
  })

  it('deletes as a tombstone: gone from the API, the row kept', async () => {
    const [doomed] = await insertMutations(t.app.db, a.workspace, bca, [
      { occurredAt: '2026-02-01T00:00:00Z', amount: 1n, description: 'doomed' },
    ])
    expect((await t.request('DELETE', `/v1/mutations/${doomed}`, { token: b.token })).status).toBe(404)
    expect((await t.request('DELETE', `/v1/mutations/${doomed}`, { token: a.token })).status).toBe(204)
    expect((await t.request('GET', `/v1/mutations/${doomed}`, { token: a.token })).status).toBe(404)
    expect((await t.request('DELETE', `/v1/mutations/${doomed}`, { token: a.token })).status).toBe(404)
    const [row] = await t.app.db.query<{ gone: boolean }>(
      'select deleted_at is not null as gone from mutations where public_id = $1',
      [doomed],
    )
    expect(row).toEqual({ gone: true })
  })

  it('needs the mutation scope to write', async () => {
    const reader = await tokenWithScopes(t.app.db, a, ['mutation_read'])
    const res = await t.request('PATCH', `/v1/mutations/${ids.same2}`, { token: reader, json: { note: 'x' } })
    expect(res.status).toBe(403)
    expect((await t.request('DELETE', `/v1/mutations/${ids.same2}`, { token: reader })).status).toBe(403)
  })
})

describe('POST /v1/mutations', () => {
  type Shown = { id: string; account_id: string; amount: string; balance: string; currency: string; source: string }

  it('simulates on a sandbox account and records by hand on a cash account, continuing the balance', async () => {
    const sim = await t.request('POST', '/v1/mutations', {
      token: a.token,
      json: { account: sandbox.publicId, amount: '150123', type: 'CR', description: 'TRSF BUDI' },
    })
    expect(sim.status, await sim.clone().text()).toBe(201)
    expect(await sim.json()).toMatchObject({
      account_id: sandbox.publicId,
      amount: '150123.00',
      currency: 'IDR',
      balance: '150123.00',
      source: 'sandbox',
      tags: [],
    })

    const cash = await addTestAccount(t.app.db, a.workspace, 'cash')
    for (const [amount, type, balance] of [['50000', 'CR', '50000.00'], ['1250.50', 'DB', '48749.50']] as const) {
      const res = await t.request('POST', '/v1/mutations', {
        token: a.token,
        json: { account: cash.publicId, amount, type, note: 'kas' },
      })
      expect(res.status).toBe(201)
      const shown = (await res.json()) as Shown
      expect(shown).toMatchObject({ account_id: cash.publicId, balance, source: 'manual', currency: 'IDR' })
      expect((await t.request('GET', `/v1/mutations/${shown.id}`, { token: a.token })).status).toBe(200)
    }
  })

  it('refuses accounts fed by their source, and bad amounts, storing nothing', async () => {
    const before = await t.app.db.query('select count(*)::int as n from mutations')
    const res = await t.request('POST', '/v1/mutations', {
      token: a.token,
      json: { account: bca.publicId, amount: '1000', type: 'CR' },
    })
    expect(res.status).toBe(422)
    expect(await res.json()).toMatchObject({ code: 'validation', field: 'account' })
    for (const amount of ['-1', '1.001', 0]) {
      const bad = await t.request('POST', '/v1/mutations', {
        token: a.token,
        json: { account: sandbox.publicId, amount, type: 'CR' },
      })
      expect(bad.status).toBe(422)
    }
    expect(await t.app.db.query('select count(*)::int as n from mutations')).toEqual(before)
  })

  it("answers another workspace's account as unknown", async () => {
    const theirs = await t.request('POST', '/v1/mutations', {
      token: b.token,
      json: { account: sandbox.publicId, amount: '1000', type: 'CR' },
    })
    expect(theirs.status).toBe(404)
    expect(await theirs.json()).toMatchObject({ code: 'not_found' })
  })
})
