// At the limit: the largest amount Lunas accepts, many times on one account in one WIB day. The per-day rollup's sum
// once was a bigint and overflowed at the 93rd such entry; the totals must stay exact far beyond that.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  addTestAccount,
  createTenant,
  insertMutations,
  startTestServer,
  type Tenant,
  type TestServer,
} from '../api/test-support.ts'
import { parseRupiah } from '../shared/money.ts'

let t: TestServer
let a: Tenant

beforeAll(async () => {
  t = await startTestServer()
  a = await createTenant(t.app.db)
})
afterAll(() => t?.close())

const MAX = parseRupiah('999999999999999.99')
const N = 200

describe('per-day rollup at the largest amounts', () => {
  it(`sums ${N} maximum-size credits on one account and day exactly`, async () => {
    const account = await addTestAccount(t.app.db, a.workspace, 'bca')
    await insertMutations(
      t.app.db,
      a.workspace,
      account,
      Array.from({ length: N }, (_, i) => ({
        occurredAt: `2026-11-20T08:${String(i % 60).padStart(2, '0')}:00+07:00`,
        amount: MAX,
      })),
    )
    const res = await t.request('GET', `/api/v2/mutation/summary?bank=${account.publicId}`, { token: a.token })
    expect(res.status, await res.clone().text()).toBe(200)
    const { data } = (await res.json()) as { data: { credit_count: number; credit_amount: string } }
    expect(data.credit_count).toBe(N)
    // 200 × Rp999.999.999.999.999,99 = Rp199.999.999.999.999.998,00, beyond what a bigint of sen can hold.
    expect(data.credit_amount).toBe('199999999999999998.00')
    const page = await t.request('GET', `/api/v2/mutation?bank=${account.publicId}&per_page=1`, { token: a.token })
    expect(((await page.json()) as { total: number }).total).toBe(N)
  })
})

describe('a running balance at the largest amounts', () => {
  it('refuses, with 422 naming the amount, the entry whose balance would no longer fit, and keeps the others', async () => {
    const cash = await addTestAccount(t.app.db, a.workspace, 'cash')
    const post = () =>
      t.request('POST', '/v1/mutations', {
        token: a.token,
        json: { account: cash.publicId, amount: '999999999999999.99', type: 'CR' },
      })
    // A balance holds at most 15 rupiah digits, as an amount does: one maximum credit fits, a second would not.
    expect((await post()).status).toBe(201)
    const over = await post()
    expect(over.status).toBe(422)
    const body = (await over.json()) as { field?: string; detail: string }
    expect(body.field).toBe('amount')
    expect(body.detail).toContain('Rp999.999.999.999.999,99')
    const [row] = await t.app.db.query<{ n: string }>('select count(*) as n from mutations where account_id = $1', [
      cash.id,
    ])
    expect(Number(row!.n)).toBe(1)
  })
})
