import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  addTestAccount,
  createTenant,
  jsonShape,
  mootaFixture,
  startTestServer,
  type Tenant,
  type TestServer,
  tokenWithScopes,
} from '../test-support.ts'

// Fields Moota fills and Lunas has no value for are null here where the fixture has a string (dates of a scraper's
// queue); everything else must have the fixture's JSON type.
const NULLABLE = ['corporate_id', 'date_from', 'date_to', 'next_queue', 'recurred_at', 'last_update']
function bankShape(bank: Record<string, unknown>) {
  const s = jsonShape(bank) as Record<string, unknown>
  for (const k of NULLABLE) s[k] = 'string|null'
  delete s.sandbox
  delete s.icon // `/accounts` only: the 2025 field the WordPress plugin reads (test/conformance/wordpress-flow.test.ts)
  return s
}

let t: TestServer
let a: Tenant
let b: Tenant
beforeAll(async () => {
  t = await startTestServer()
  a = await createTenant(t.app.db)
  b = await createTenant(t.app.db)
})
afterAll(() => t?.close())

describe('Moota bank accounts', () => {
  it('stores an account without keeping credentials, and lists it in Moota’s envelope and types', async () => {
    const res = await t.request('POST', '/api/v2/bank/store', {
      token: a.token,
      json: {
        corporate_id: '',
        bank_type: 'bca',
        username: 'klikbca-user',
        password: 'klikbca-secret',
        name_holder: 'Toko Maju',
        account_number: '1234567890',
        is_active: true,
      },
    })
    expect(res.status).toBe(200)
    const stored = (await res.json()) as Record<string, unknown> & { bank: Record<string, unknown> }
    const expected = mootaFixture('BankAccount/MockStoreBankAccountResponse.json')
    expect(Object.keys(stored).filter((k) => k !== 'message')).toEqual(Object.keys(expected))
    expect(bankShape(stored.bank)).toEqual(bankShape(expected.bank))
    expect(stored.message).toMatch(/tidak disimpan/)
    expect(stored.bank).toMatchObject({ username: '', atas_nama: 'Toko Maju', balance: '0.00', interval_refresh: 15 })
    const rows = await t.app.db.query('select * from accounts where public_id = $1', [stored.bank.bank_id])
    expect(JSON.stringify(rows)).not.toContain('klikbca')
    expect(t.logs()).not.toContain('klikbca-secret')

    for (const path of ['/api/v2/bank', '/api/v2/accounts']) {
      const list = (await (await t.request('GET', path, { token: a.token })).json()) as Record<string, unknown> & {
        data: Record<string, unknown>[]
      }
      const envelope = mootaFixture('BankAccount/MockingListBankAccountResponse.json')
      expect(Object.keys(list).sort()).toEqual(Object.keys(envelope).sort())
      expect(list).toMatchObject({ current_page: 1, per_page: 20, total: 1, last_page: 1, next_page_url: null })
      expect(list.data.map((x) => x.bank_id)).toEqual([stored.bank.bank_id])
      expect(bankShape(list.data[0]!)).toEqual(bankShape(envelope.data[0]))
    }
  })

  it('refuses an unknown bank_type with Moota’s 422', async () => {
    const res = await t.request('POST', '/api/v2/bank/store', {
      token: a.token,
      json: { bank_type: 'bogus', name_holder: 'X', account_number: '1' },
    })
    expect(res.status).toBe(422)
    const body = (await res.json()) as { message: string; errors: Record<string, string[]> }
    // Moota's shape; the message is the specific one (clients show `message` to people).
    expect(Object.keys(body).sort()).toEqual(['errors', 'message'])
    expect(Object.keys(body.errors)).toEqual(['bank_type'])
    expect(body.message).toMatch(/bank_type/)
  })

  it('updates by POST or PUT, refreshes, and destroys; other workspaces get 404 and change nothing', async () => {
    const acc = await addTestAccount(t.app.db, a.workspace, 'mandiriOnline')
    const path = `/api/v2/bank/update/${acc.publicId}`
    const denied = await t.request('POST', path, { token: b.token, json: { name_holder: 'Pencuri' } })
    expect(denied.status).toBe(404)
    expect(await denied.json()).toMatchObject(mootaFixture('BankAccount/MockFailUpdateBankAccountResponse.json'))
    for (const method of ['POST', 'PUT']) {
      const res = await t.request(method, path, { token: a.token, json: { name_holder: `Baru ${method}`, interval_refresh: 30 } })
      expect(res.status).toBe(200)
      expect(((await res.json()) as { bank: Record<string, unknown> }).bank).toMatchObject({
        atas_nama: `Baru ${method}`,
        interval_refresh: 30,
      })
    }
    expect((await t.request('POST', `/api/v2/bank/${acc.publicId}/refresh`, { token: b.token, json: [] })).status).toBe(404)
    expect(await (await t.request('POST', `/api/v2/bank/${acc.publicId}/refresh`, { token: a.token, json: [] })).json()).toEqual({
      message: 'OK',
    })
    expect((await t.request('POST', `/api/v2/bank/${acc.publicId}/destroy`, { token: b.token })).status).toBe(404)
    expect((await t.request('POST', `/api/v2/bank/${acc.publicId}/destroy`, { token: a.token })).status).toBe(200)
    expect((await t.request('POST', `/api/v2/bank/${acc.publicId}/destroy`, { token: a.token })).status).toBe(404)
  })

  it('lists sandbox accounts flagged, pages past the end as empty, and needs the bank scopes', async () => {
    const tenant = await createTenant(t.app.db)
    const sandbox = await addTestAccount(t.app.db, tenant.workspace, 'sandbox')
    const list = async (q: string) =>
      (
        (await (await t.request('GET', `/api/v2/bank${q}`, { token: tenant.token })).json()) as {
          data: { bank_id: string; sandbox: boolean }[]
        }
      ).data
    // A plugin's bank picker offers sandbox accounts too, so a merchant can try the integration on one.
    expect((await list('')).map((x) => [x.bank_id, x.sandbox])).toEqual([[sandbox.publicId, true]])
    expect((await list('?sandbox=1')).map((x) => x.bank_id)).toEqual([sandbox.publicId])
    expect(await list('?sandbox=1&page=5')).toEqual([])
    const readOnly = await tokenWithScopes(t.app.db, tenant, ['mutation_read'])
    expect((await t.request('GET', '/api/v2/bank', { token: readOnly })).status).toBe(403)
    const bankRead = await tokenWithScopes(t.app.db, tenant, ['bank_read'])
    expect((await t.request('POST', `/api/v2/bank/${sandbox.publicId}/refresh`, { token: bankRead })).status).toBe(403)
    const available = (await (await t.request('GET', '/api/v2/bank/available', { token: bankRead })).json()) as {
      data: { id: string }[]
      total: number
    }
    expect(available.data.map((x) => x.id)).toContain('bca')
    expect(available.total).toBeGreaterThan(40)
  })
})
