/**
 * Moota's curl-only PHP SDK "v3" (`moota-php-sdk` dev branch / PR #10, also vendored by the WordPress plugin),
 * replayed as its `ApiRequester` sends (reference/moota-api.md §2.3, §10.2): `Content-Type: application/json`,
 * `Accept: application/json`, `User-Agent: moota-php-v3.0.0` on every call, GET included; a POST without data sends
 * the body `[]` (PHP's json_encode of an empty array); answers go through `json_decode($response)` into an object.
 *
 * Its `get()` appends a query to the URL without `?` (`/api/v2/mutation` + `bank=…` = `/api/v2/mutationbank=…`).
 * Lunas does not guess at such a URL: real Moota answers it 404, and reading the glued text as a filter would be
 * a Lunas invention that could hand a client an unfiltered list it takes for a filtered one. It gets Moota's 404
 * with a `message`, which the SDK turns into an error. The SDK's own list calls pass no query, so they never hit it.
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
import { expectBank, expectMutation, expectPaginator, expectShape, json, type Json } from './moota-shapes.ts'

let t: TestServer
let tenant: Tenant
let bca: Account
let mutationIds: string[]

const headers = () => ({
  'Content-Type': 'application/json',
  Accept: 'application/json',
  'User-Agent': 'moota-php-v3.0.0',
  Authorization: `Bearer ${tenant.token}`,
})

/** ApiRequester::get: the query glued on without `?` when there is one (the SDK's bug, reproduced). */
const get = (endpoint: string, data: Record<string, string> = {}) =>
  rawRequest(
    t.url,
    'GET',
    `/api/v2${endpoint}${Object.keys(data).length ? new URLSearchParams(data).toString() : ''}`,
    headers(),
  )

/** ApiRequester::post: always a body, `json_encode($data)`, so `[]` when there is no data. */
const post = (endpoint: string, data: Record<string, unknown> | unknown[] = []) =>
  rawRequest(t.url, 'POST', `/api/v2${endpoint}`, headers(), JSON.stringify(data))

/** `json_decode($response)` with the `?object` return type: the answer must be a JSON object. */
function decoded(res: Awaited<ReturnType<typeof rawRequest>>): Json {
  const body = json(res)
  expect(typeof body === 'object' && body !== null && !Array.isArray(body), res.text.slice(0, 100)).toBe(true)
  return body
}

beforeAll(async () => {
  t = await startTestServer()
  tenant = await createTenant(t.app.db)
  bca = await addTestAccount(t.app.db, tenant.workspace, 'bca')
  mutationIds = await insertMutations(t.app.db, tenant.workspace, bca, [
    { occurredAt: '2026-11-20T08:15:00+07:00', amount: 15012300n, description: 'TRSF E-BANKING CR BUDI' },
    { occurredAt: '2026-11-20T09:30:00+07:00', amount: 250000n, type: 'DB', description: 'BIAYA ADM' },
  ])
})
afterAll(() => t?.close())

describe('PHP SDK v3 (curl)', () => {
  it('getAccountList: GET /bank with a Content-Type and no body, answered with the fixture’s types', async () => {
    const res = await get('/bank')
    expect(res.status).toBe(200)
    const page = decoded(res)
    const fixture = mootaFixture('BankAccount/MockingListBankAccountResponse.json')
    expectPaginator(page, fixture)
    expect(page.data.map((b: Json) => b.bank_id)).toEqual([bca.publicId])
    expectBank(page.data[0], fixture.data[0])
  })

  it('getMutationList: GET /mutation, newest first, money as strings and dates in WIB', async () => {
    const res = await get('/mutation')
    expect(res.status).toBe(200)
    const page = decoded(res)
    const fixture = mootaFixture('Mutation/MockMutationResponse.json')
    expectPaginator(page, fixture)
    expect(page.data.map((m: Json) => m.mutation_id)).toEqual([...mutationIds].reverse())
    for (const m of page.data) expectMutation(m, fixture.data[0])
    expect(page.data[1]).toMatchObject({ amount: '150123.00', type: 'CR', date: '2026-11-20 08:15:00' })
    expect(page.data[0]).toMatchObject({ amount: '2500.00', type: 'DB', date: '2026-11-20 09:30:00' })
  })

  it('attachMutationNote and attachMutationTag: the JSON bodies it posts', async () => {
    const [id] = mutationIds as [string]
    const note = await post(`/mutation/${id}/note`, { note: 'Order #4711' })
    expect(note.status).toBe(200)
    const body = decoded(note)
    const fixture = mootaFixture('Mutation/MockaddNoteMutationResponse.json')
    expectShape({ ...body, mutation: {} }, { ...fixture, mutation: {} })
    expectMutation(body.mutation, fixture.mutation)
    expect(body.mutation).toMatchObject({ mutation_id: id, note: 'Order #4711' })

    const tag = await post(`/tagging/mutation/${id}`, { name: ['4711', 'WooCommerce'] })
    expect(tag.status).toBe(200)
    expect(decoded(tag)).toEqual(mootaFixture('MockRequestSuccessResponse.json'))
    const listed = decoded(await rawRequest(t.url, 'GET', `/api/v2/mutation?tag=WooCommerce`, headers()))
    expect(listed.data.map((m: Json) => m.mutation_id)).toEqual([id])
  })

  it('refreshMutationNow: POST /bank/{id}/refresh with the body [] is an empty request', async () => {
    const res = await post(`/bank/${bca.publicId}/refresh`)
    expect(res.status).toBe(200)
    expect(decoded(res)).toEqual(mootaFixture('MockRequestSuccessResponse.json'))
    const [row] = await t.app.db.query<{ requested: boolean }>(
      'select refresh_requested_at is not null as requested from accounts where public_id = $1',
      [bca.publicId],
    )
    expect(row?.requested).toBe(true)
  })

  it('a query glued on without "?" gets Moota’s 404 with a message, never a list read without the filter', async () => {
    for (const [endpoint, data] of [
      ['/mutation', { bank: bca.publicId, page: '1' }],
      ['/mutation', { type: 'CR' }],
      ['/bank', { page: '2' }],
      ['/tagging', { tag: 'WooCommerce' }],
    ] as const) {
      const res = await get(endpoint, data)
      expect(res.status, endpoint).toBe(404)
      const body = decoded(res)
      expect(body, endpoint).toMatchObject(mootaFixture('MockRequestNotFound.json'))
      expect(body).not.toHaveProperty('data')
      expect(body).not.toHaveProperty('tagging')
    }
    // The same call with the "?" the SDK forgot is answered normally, filter applied.
    const fixed = decoded(await rawRequest(t.url, 'GET', '/api/v2/mutation?type=CR', headers()))
    expect(fixed.data.map((m: Json) => m.type)).toEqual(['CR'])
  })

  it('an unknown mutation or bank is Moota’s not-found body, which the SDK reads through `message`', async () => {
    for (const res of [await post('/mutation/AAAAAAAAAAA/note', { note: 'x' }), await post('/bank/AAAAAAAAAAA/refresh')]) {
      expect(res.status).toBe(404)
      expect(decoded(res)).toMatchObject(mootaFixture('MockRequestNotFound.json'))
    }
  })
})
