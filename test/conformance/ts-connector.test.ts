/**
 * The TypeScript connector of openint/venice (`connectors/connector-moota/mootaClient.ts`), replayed as it calls
 * (reference/moota-api.md §3.1, §10.1): every request, GET included, carries `Content-Type: application/json` and
 * `cache-control: no-cache`; `getProfile` is `GET /user`, `listBankAccounts` `GET /bank?page`, and
 * `iterateAllTransactions` `GET /mutation?bank_id&page` with page 1, 2, … until `next_page_url` is null. A client
 * that follows `next_page_url` itself must get the same rows: all of them, each once, the filter kept.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Account } from '../../src/accounts/accounts.ts'
import {
  addTestAccount,
  createTenant,
  insertMutations,
  mootaFixture,
  rawRequest,
  startTestServer,
  type Tenant,
  type TestServer,
} from '../../src/api/test-support.ts'
import { expectBank, expectMutation, expectPaginator, expectShape, ID, json, type Json } from './moota-shapes.ts'

let t: TestServer
let tenant: Tenant
let bca: Account
let other: Account
let expected: string[]

const headers = () => ({
  'cache-control': 'no-cache',
  'Content-Type': 'application/json',
  Authorization: `Bearer ${tenant.token}`,
  Accept: 'application/json, text/plain, */*',
})

/** An absolute URL (a `next_page_url`) or a path under the base URL, fetched as the connector does. */
async function get(url: string) {
  const u = new URL(url, `${t.url}/api/v2/`)
  expect(u.origin, 'page URLs point back at this server').toBe(t.url)
  const res = await rawRequest(t.url, 'GET', u.pathname + u.search, headers())
  expect(res.status, url).toBe(200)
  return json(res)
}

beforeAll(async () => {
  t = await startTestServer()
  tenant = await createTenant(t.app.db)
  bca = await addTestAccount(t.app.db, tenant.workspace, 'bca')
  other = await addTestAccount(t.app.db, tenant.workspace, 'bri')
  // 34 rows on the account (4 pages of 10), several sharing a timestamp so page boundaries fall inside a tie, and
  // rows on another account that the bank_id filter must keep out of every page.
  const rows = Array.from({ length: 34 }, (_, i) => ({
    occurredAt: `2026-11-${String(10 + Math.floor(i / 4)).padStart(2, '0')}T09:00:00+07:00`,
    amount: BigInt(10_000_000 + i * 101),
    description: `TRSF CR ${i}`,
    type: (i % 5 === 0 ? 'DB' : 'CR') as 'CR' | 'DB',
  }))
  expected = await insertMutations(t.app.db, tenant.workspace, bca, rows)
  await insertMutations(t.app.db, tenant.workspace, other, rows.slice(0, 12))
})
afterAll(() => t?.close())

describe('openint/venice TypeScript connector', () => {
  it('getProfile: GET /user', async () => {
    const user = await get('user')
    expectShape(user, mootaFixture('User/MockUserProfileResponse.json'))
    expect(user.user_id).toMatch(ID)
  })

  it('iterateAllBankAccounts: GET /bank?page=N until next_page_url is null', async () => {
    const fixture = mootaFixture('BankAccount/MockingListBankAccountResponse.json')
    const seen: Json[] = []
    for (let page = 1; ; page++) {
      const body = await get(`bank?page=${page}`)
      expectPaginator(body, fixture)
      for (const b of body.data) expectBank(b, fixture.data[0])
      seen.push(...body.data)
      if (!body.next_page_url) break
    }
    expect(seen.map((b) => b.bank_id).sort()).toEqual([bca.publicId, other.publicId].sort())
  })

  it('iterateAllTransactions: page 1, 2, … with bank_id, collecting every row exactly once', async () => {
    const fixture = mootaFixture('Mutation/MockMutationResponse.json')
    const rows: Json[] = []
    const pages: Json[] = []
    for (let page = 1; page < 20; page++) {
      const body = await get(`mutation?${new URLSearchParams({ bank_id: bca.publicId, page: String(page) })}`)
      pages.push(body)
      rows.push(...body.data)
      if (!body.next_page_url) break
    }
    expect(pages.map((p) => [p.current_page, p.data.length, p.from, p.to])).toEqual([
      [1, 10, 1, 10],
      [2, 10, 11, 20],
      [3, 10, 21, 30],
      [4, 4, 31, 34],
    ])
    for (const p of pages) {
      expectPaginator(p, fixture)
      expect(p).toMatchObject({ total: 34, last_page: 4, per_page: 10 })
    }
    expect(pages[3]).toMatchObject({ next_page_url: null })
    expect(pages[0]).toMatchObject({ prev_page_url: null })
    for (const m of rows) expectMutation(m, fixture.data[0])
    const ids = rows.map((m) => m.mutation_id)
    expect(new Set(ids).size).toBe(ids.length)
    expect([...ids].sort()).toEqual([...expected].sort())
    expect(rows.every((m) => m.bank_id === bca.publicId)).toBe(true)
  })

  it('following next_page_url from page 1 gives the same rows, in the same order, with the filter kept', async () => {
    const byNumber: string[] = []
    for (let page = 1; page <= 4; page++)
      byNumber.push(
        ...(await get(`mutation?bank_id=${bca.publicId}&page=${page}`)).data.map((m: Json) => m.mutation_id),
      )

    const followed: string[] = []
    let url: string | null = `mutation?bank_id=${bca.publicId}`
    let hops = 0
    while (url) {
      const body = await get(url)
      followed.push(...body.data.map((m: Json) => m.mutation_id))
      if (body.next_page_url) expect(new URL(body.next_page_url).searchParams.get('bank_id')).toBe(bca.publicId)
      url = body.next_page_url
      expect(++hops).toBeLessThan(10)
    }
    expect(hops).toBe(4)
    expect(followed).toEqual(byNumber)
    expect(new Set(followed).size).toBe(34)
  })
})
