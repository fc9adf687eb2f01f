import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Account } from '../../accounts/accounts.ts'
import { ingest } from '../../ledger/ingest.ts'
import { newPublicId } from '../../shared/ids.ts'
import {
  addTestAccount,
  createTenant,
  startTestServer,
  type Tenant,
  type TestServer,
  tokenWithScopes,
} from '../test-support.ts'

let t: TestServer
let a: Tenant
let b: Tenant
let bca: Account
let sandbox: Account

beforeAll(async () => {
  t = await startTestServer()
  a = await createTenant(t.app.db)
  b = await createTenant(t.app.db)
  bca = await addTestAccount(t.app.db, a.workspace, 'bca')
  sandbox = await addTestAccount(t.app.db, a.workspace, 'sandbox')
  await t.app.db.query(
    `insert into sync_runs (public_id, workspace_id, account_id, trigger, status, started_at, finished_at, rows_seen, rows_new, error)
     values ('RUNAAAAAAAA', $1, $2, 'schedule', 'failed', '2026-03-01T00:00:00Z', '2026-03-01T00:00:05Z', 0, 0, 'login refused')`,
    [a.workspace.id, bca.id],
  )
})

afterAll(async () => {
  await t?.close()
})

describe('GET /v1/accounts', () => {
  it("lists the workspace's accounts with their last sync state, and nothing secret", async () => {
    const res = await t.request('GET', '/v1/accounts', { token: a.token })
    expect(res.status).toBe(200)
    const { data } = (await res.json()) as { data: Array<Record<string, unknown>> }
    expect(data.map((x) => x.id)).toEqual([bca.publicId, sandbox.publicId])
    expect(data[0]).toMatchObject({
      bank_type: 'bca',
      kind: 'bank',
      sandbox: false,
      balance: null,
      currency: 'IDR',
      last_sync: {
        status: 'failed',
        started_at: '2026-03-01T00:00:00.000Z',
        finished_at: '2026-03-01T00:00:05.000Z',
        rows_new: 0,
        error: 'login refused',
      },
    })
    expect(data[1]).toMatchObject({ bank_type: 'sandbox', sandbox: true, last_sync: null })
    for (const account of data) {
      expect(account).not.toHaveProperty('settings')
      expect(account).not.toHaveProperty('credentials_enc')
    }
  })

  it('shows another workspace none of them', async () => {
    const res = await t.request('GET', '/v1/accounts', { token: b.token })
    expect(await res.json()).toEqual({ data: [] })
  })

  it('needs bank_read', async () => {
    const token = await tokenWithScopes(t.app.db, a, ['mutation_read'])
    expect((await t.request('GET', '/v1/accounts', { token })).status).toBe(403)
  })
})

describe('POST /v1/accounts/{id}/refresh', () => {
  it('marks the account due now and answers 202', async () => {
    await t.app.db.query("update accounts set next_sync_at = now() + interval '1 hour' where id = $1", [
      bca.id,
    ])
    const res = await t.request('POST', `/v1/accounts/${bca.publicId}/refresh`, { token: a.token })
    expect(res.status).toBe(202)
    expect(await res.json()).toEqual({ id: bca.publicId, refresh: 'queued' })
    const [row] = await t.app.db.query<{ due: boolean }>(
      'select next_sync_at <= now() as due from accounts where id = $1',
      [bca.id],
    )
    expect(row?.due).toBe(true)
  })

  it("answers 404 for another workspace's account and needs the bank scope", async () => {
    const res = await t.request('POST', `/v1/accounts/${bca.publicId}/refresh`, { token: b.token })
    expect(res.status).toBe(404)
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/)
    const reader = await tokenWithScopes(t.app.db, a, ['bank_read'])
    expect((await t.request('POST', `/v1/accounts/${bca.publicId}/refresh`, { token: reader })).status).toBe(
      403,
    )
  })
})

describe('GET /v1/accounts/{id}', () => {
  it('shows one account with its latest balance and currency', async () => {
    const cash = await addTestAccount(t.app.db, a.workspace, 'mandiriOnline')
    await ingest(t.app.db, a.workspace, {
      accountId: cash.publicId,
      source: 'csv',
      rows: [{ date: '2026-03-02', type: 'CR', amount: '150123.45', description: 'X', balance: '150123.45' }],
    })
    const res = await t.request('GET', `/v1/accounts/${cash.publicId}`, { token: a.token })
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ id: cash.publicId, balance: '150123.45', currency: 'IDR', last_sync: null })
  })

  it("answers another workspace's account exactly as an unknown one", async () => {
    const theirs = await t.request('GET', `/v1/accounts/${bca.publicId}`, { token: b.token })
    const never = newPublicId()
    const unknown = await t.request('GET', `/v1/accounts/${never}`, { token: b.token })
    expect(theirs.status).toBe(404)
    expect((await theirs.text()).replace(bca.publicId, '<id>')).toBe((await unknown.text()).replace(never, '<id>'))
  })
})

describe('GET /v1/accounts/{id}/sync-runs', () => {
  type RunPage = { data: Array<{ id: string; status: string; started_at: string }>; next_cursor: string | null }

  it('pages the runs newest first with a keyset cursor, ties broken by id', async () => {
    const acc = await addTestAccount(t.app.db, a.workspace, 'bri')
    const starts = ['2026-03-01T00:00:00.000001Z', '2026-03-01T00:00:00.000002Z', '2026-03-02T00:00:00Z', '2026-03-02T00:00:00Z', '2026-03-03T00:00:00Z']
    const ids: string[] = []
    for (const [i, startedAt] of starts.entries()) {
      const id = newPublicId()
      ids.push(id)
      await t.app.db.query(
        `insert into sync_runs (public_id, workspace_id, account_id, trigger, status, started_at, rows_seen, rows_new)
         values ($1, $2, $3, 'schedule', $4, $5, 3, $6)`,
        [id, a.workspace.id, acc.id, i % 2 ? 'ok' : 'no_new', startedAt, i % 2],
      )
    }
    const seen: string[] = []
    let cursor: string | null = ''
    let pages = 0
    while (cursor !== null) {
      const q: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''
      const res = await t.request('GET', `/v1/accounts/${acc.publicId}/sync-runs?limit=2${q}`, { token: a.token })
      expect(res.status).toBe(200)
      const page = (await res.json()) as RunPage
      seen.push(...page.data.map((r) => r.id))
      cursor = page.next_cursor
      pages++
    }
    expect(pages).toBe(3)
    expect(seen).toEqual([ids[4], ids[3], ids[2], ids[1], ids[0]])
    const first = (await (await t.request('GET', `/v1/accounts/${acc.publicId}/sync-runs`, { token: a.token })).json()) as RunPage
    expect(first.data[0]).toEqual({
      id: ids[4],
      trigger: 'schedule',
      status: 'no_new',
      started_at: '2026-03-03T00:00:00.000Z',
      finished_at: null,
      rows_seen: 3,
      rows_new: 0,
      error: null,
      worker: '',
    })
  })

  it('refuses a forged cursor and answers other workspaces as unknown', async () => {
    const bad = await t.request('GET', `/v1/accounts/${bca.publicId}/sync-runs?cursor=abc`, { token: a.token })
    expect(bad.status).toBe(422)
    expect(await bad.json()).toMatchObject({ code: 'validation', field: 'cursor' })
    expect((await t.request('GET', `/v1/accounts/${bca.publicId}/sync-runs`, { token: b.token })).status).toBe(404)
  })
})

describe('GET /v1/balance-gaps', () => {
  type Gap = Record<string, unknown>

  it('lists breaks in the running balance with expected and reported balances and both mutation ids', async () => {
    const acc = await addTestAccount(t.app.db, a.workspace, 'bni')
    const r = await ingest(t.app.db, a.workspace, {
      accountId: acc.publicId,
      source: 'csv',
      rows: [
        { date: '2026-03-01', type: 'CR', amount: '100000', description: 'A', balance: '100000' },
        // 100000 + 50000.50 = 150000.50 expected; the bank says 250000.50: a 100000 credit is missing.
        { date: '2026-03-02', type: 'CR', amount: '50000.50', description: 'B', balance: '250000.50' },
      ],
    })
    const [first, second] = r.inserted.map((m) => m.publicId)
    const res = await t.request('GET', `/v1/balance-gaps?account=${acc.publicId}`, { token: a.token })
    expect(res.status).toBe(200)
    const { data } = (await res.json()) as { data: Gap[] }
    expect(data).toEqual([
      {
        account_id: acc.publicId,
        mutation_id: second,
        previous_mutation_id: first,
        expected_balance: '150000.50',
        reported_balance: '250000.50',
        difference: '100000.00',
        currency: 'IDR',
        date: '2026-03-01T17:00:00.000Z',
        date_wib: '2026-03-02 00:00:00',
        detected_at: expect.any(String),
        sandbox: false,
      },
    ])
    const all = (await (await t.request('GET', '/v1/balance-gaps', { token: a.token })).json()) as { data: Gap[] }
    expect(all.data.map((g) => g.mutation_id)).toContain(second)
    // Another workspace sees none of them, and naming the account is an unknown account.
    expect(await (await t.request('GET', '/v1/balance-gaps', { token: b.token })).json()).toEqual({ data: [] })
    expect((await t.request('GET', `/v1/balance-gaps?account=${acc.publicId}`, { token: b.token })).status).toBe(404)
  })

  it('leaves sandbox gaps out unless asked for or the account is named', async () => {
    const acc = await addTestAccount(t.app.db, a.workspace, 'sandboxVA')
    const r = await ingest(t.app.db, a.workspace, {
      accountId: acc.publicId,
      source: 'csv',
      rows: [
        { date: '2026-03-01', type: 'CR', amount: '1', description: 'A', balance: '1' },
        { date: '2026-03-02', type: 'DB', amount: '1', description: 'B', balance: '5' },
      ],
    })
    const gapId = r.inserted[1]!.publicId
    const ids = async (q: string) =>
      ((await (await t.request('GET', `/v1/balance-gaps${q}`, { token: a.token })).json()) as { data: Gap[] }).data.map(
        (g) => g.mutation_id,
      )
    expect(await ids('')).not.toContain(gapId)
    expect(await ids('?include_sandbox=true')).toContain(gapId)
    expect(await ids(`?account=${acc.publicId}`)).toEqual([gapId])
  })
})
