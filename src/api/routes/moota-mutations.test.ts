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

// Moota's own mock responses (shared/fixtures/moota-api/Mutation/), copied so the suite runs from a bare clone.
const MOCK_STORE_MUTATION = { error: false, mutation: { total: 1, new: 1 } }
const MOCK_FAIL_STORE_MUTATION = {
  message: 'The given data was invalid.',
  errors: { type: ['Kolom type harus diisi.'] },
}

let t: TestServer
let a: Tenant
let b: Tenant
let sandbox: Account
let sandboxVA: Account
let bca: Account

beforeAll(async () => {
  t = await startTestServer()
  a = await createTenant(t.app.db)
  b = await createTenant(t.app.db)
  sandbox = await addTestAccount(t.app.db, a.workspace, 'sandbox')
  sandboxVA = await addTestAccount(t.app.db, a.workspace, 'sandboxVA')
  bca = await addTestAccount(t.app.db, a.workspace, 'bca')
})

afterAll(async () => {
  await t?.close()
})

const store = (bankId: string, json: unknown, token = a.token) =>
  t.request('POST', `/api/v2/mutation/store/${bankId}`, { token, json })

async function countMutations(): Promise<number> {
  const [row] = await t.app.db.query<{ n: string }>('select count(*) as n from mutations')
  return Number(row!.n)
}

async function listed(token: string, query = ''): Promise<Array<Record<string, unknown>>> {
  const res = await t.request('GET', `/v1/mutations${query}`, { token })
  expect(res.status).toBe(200)
  return ((await res.json()) as { data: Array<Record<string, unknown>> }).data
}

describe('POST /api/v2/mutation/store/{bank_id}', () => {
  it("answers Moota's shape and stores a sandbox mutation that stays out of live lists", async () => {
    const res = await store(sandbox.publicId, {
      date: '2026-03-02 10:15:00',
      amount: 150123,
      type: 'CR',
      note: 'order 123',
      description: 'TRANSFER DARI BUDI',
    })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^application\/json/)
    const json = (await res.json()) as { mutation: { mutation_id: string } }
    expect(json).toMatchObject(MOCK_STORE_MUTATION)
    expect(json.mutation.mutation_id).toMatch(/^[0-9A-Za-z]{11}$/)

    const all = await listed(a.token, '?include_sandbox=true')
    const stored = all.find((m) => m.id === json.mutation.mutation_id)
    expect(stored).toMatchObject({
      account_id: sandbox.publicId,
      bank_type: 'sandbox',
      type: 'CR',
      amount: '150123.00',
      description: 'TRANSFER DARI BUDI',
      note: 'order 123',
      date: '2026-03-02T03:15:00.000Z',
      date_wib: '2026-03-02 10:15:00',
      sandbox: true,
    })
    expect((await listed(a.token)).map((m) => m.id)).not.toContain(json.mutation.mutation_id)
  })

  it('makes every call a new transaction, with the amount as text or number and credit/debit spelled out', async () => {
    const before = await countMutations()
    for (const body of [
      { amount: '150123.00', type: 'CR' },
      { amount: '150123.00', type: 'CR' },
      { amount: 2500.5, type: 'debit' },
      { amount: '10000', type: 'credit' },
    ]) {
      const res = await store(sandboxVA.publicId, body)
      expect(res.status, JSON.stringify(body)).toBe(200)
      expect(await res.json()).toMatchObject({ error: false, mutation: { total: 1, new: 1 } })
    }
    expect(await countMutations()).toBe(before + 4)
    const rows = await listed(a.token, `?include_sandbox=true&account=${sandboxVA.publicId}`)
    expect(rows.map((m) => [m.type, m.amount])).toEqual([
      ['CR', '10000.00'],
      ['DB', '2500.50'],
      ['CR', '150123.00'],
      ['CR', '150123.00'],
    ])
  })

  it.each<[unknown, string]>([
    [-5, 'a negative number'],
    ['abc', 'text'],
    [1.234, 'three decimals'],
    ['150.123,00', 'Indonesian thousands separators'],
    [null, 'null'],
  ])('refuses amount %j (%s) with 422 errors.amount, storing nothing', async (amount) => {
    const before = await countMutations()
    const res = await store(sandbox.publicId, { amount, type: 'CR' })
    expect(res.status).toBe(422)
    const json = (await res.json()) as { message: string; errors: Record<string, string[]> }
    expect(json.message).toBe('The given data was invalid.')
    expect(Object.keys(json.errors)).toEqual(['amount'])
    expect(json.errors.amount).toHaveLength(1)
    expect(await countMutations()).toBe(before)
  })

  it("answers a missing type in the words of Moota's fixture, and a bad one plainly", async () => {
    const missing = await store(sandbox.publicId, { amount: 1000 })
    expect(missing.status).toBe(422)
    expect(await missing.json()).toEqual(MOCK_FAIL_STORE_MUTATION)

    const wrong = await store(sandbox.publicId, { amount: 1000, type: 'XX', date: '2026-02-30' })
    expect(wrong.status).toBe(422)
    expect(await wrong.json()).toEqual({
      message: 'The given data was invalid.',
      errors: {
        type: [expect.stringContaining('CR or DB')],
        date: [expect.stringContaining('not a real date')],
      },
    })
  })

  it('takes the SDK v3 empty body [] as "no data"', async () => {
    const res = await fetch(`${t.url}/api/v2/mutation/store/${sandbox.publicId}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${a.token}`, 'content-type': 'application/json' },
      body: '[]',
    })
    expect(res.status).toBe(422)
    expect(Object.keys(((await res.json()) as { errors: object }).errors).sort()).toEqual(['amount', 'type'])
  })

  it('refuses a non-sandbox account with a message that says why, storing nothing', async () => {
    const before = await countMutations()
    const res = await store(bca.publicId, { amount: 1000, type: 'CR' })
    expect(res.status).toBe(422)
    const json = (await res.json()) as { message: string }
    expect(json.message).toMatch(/sandbox/i)
    expect(json.message).not.toBe('The given data was invalid.')
    expect(await countMutations()).toBe(before)
  })

  it('answers 404 in Moota shape for an unknown bank_id', async () => {
    const res = await store('ZZZZZZZZZZZ', { amount: 1000, type: 'CR' })
    expect(res.status).toBe(404)
    expect(await res.json()).toMatchObject({ error: true, message: 'Data tidak ditemukan' })
  })

  it("never lets another workspace's token see or simulate on this workspace's account", async () => {
    const before = await countMutations()
    const res = await store(sandbox.publicId, { amount: 1000, type: 'CR' }, b.token)
    expect(res.status).toBe(404)
    expect(await res.json()).toMatchObject({ error: true, message: 'Data tidak ditemukan' })
    expect(await countMutations()).toBe(before)

    expect(await listed(b.token, '?include_sandbox=true')).toEqual([])
    const byAccount = await t.request(
      'GET',
      `/v1/mutations?include_sandbox=true&account=${sandbox.publicId}`,
      {
        token: b.token,
      },
    )
    expect(byAccount.status).toBe(404)
  })

  it('needs the mutation scope (or api); mutation_read is not enough', async () => {
    const reader = await tokenWithScopes(t.app.db, a, ['mutation_read'])
    expect((await store(sandbox.publicId, { amount: 1000, type: 'CR' }, reader)).status).toBe(403)
    const writer = await tokenWithScopes(t.app.db, a, ['mutation'])
    expect((await store(sandbox.publicId, { amount: 1000, type: 'CR' }, writer)).status).toBe(200)
  })
})
