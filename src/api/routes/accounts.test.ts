import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Account } from '../../accounts/accounts.ts'
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
