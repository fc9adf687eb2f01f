/**
 * The official WordPress plugin (`moota-co/moota-wordpress`, 2025, vendored SDK v3 with base `api.moota.co`), replayed
 * around a matched payment (reference/moota-api.md §4.2, §4.4, §10.2):
 *   settings page: `GET /accounts?page=N` with only `Authorization` (no Accept, no User-Agent), reading `last_page`
 *   and each account's `bank_id, bank_type, account_number, username, atas_nama, icon, label`;
 *   "check now": `POST /bank/{id}/refresh` with `[]` (the plugin throttles it itself), then `GET /mutation`;
 *   on a matched payment: `GET /tagging` → `POST /tagging` when its name is missing → `POST /tagging/mutation/{id}`
 *   with `[order_id]`, then with `["WooCommerce"]`.
 *
 * Left out: receiving the webhook that starts the flow (signature, IP allowlist, test-webhook detection) is a later
 * issue, so the "matched" mutation is the one `GET /mutation` lists rather than one pushed to the plugin.
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
let accounts: Account[]
let paid: Account
let matched: string

/** The plugin's own account-list call: Authorization and nothing else. */
const bare = (path: string) => rawRequest(t.url, 'GET', path, { Authorization: `Bearer ${tenant.token}` })

/** Every other call goes through the vendored SDK v3 (see php-sdk-v3.test.ts). */
const sdkHeaders = () => ({
  'Content-Type': 'application/json',
  Accept: 'application/json',
  'User-Agent': 'moota-php-v3.0.0',
  Authorization: `Bearer ${tenant.token}`,
})
const sdk = async (method: 'GET' | 'POST', path: string, data?: unknown) => {
  const res = await rawRequest(
    t.url,
    method,
    `/api/v2${path}`,
    sdkHeaders(),
    method === 'POST' ? JSON.stringify(data ?? []) : undefined,
  )
  return { status: res.status, body: json(res) }
}

beforeAll(async () => {
  t = await startTestServer()
  tenant = await createTenant(t.app.db)
  // 23 accounts: two pages of 20, so the plugin's loop to last_page has something to do. VA and QRIS types keep
  // the spellings the plugin classifies by (/va$/i, === 'qris').
  accounts = []
  for (let i = 0; i < 21; i++) accounts.push(await addTestAccount(t.app.db, tenant.workspace, 'bca'))
  accounts.push(await addTestAccount(t.app.db, tenant.workspace, 'bcaVA'))
  accounts.push(await addTestAccount(t.app.db, tenant.workspace, 'qris'))
  paid = accounts[0]!
  ;[matched] = (await insertMutations(t.app.db, tenant.workspace, paid, [
    { occurredAt: '2026-11-21T14:05:00+07:00', amount: 15012300n, description: 'TRSF E-BANKING CR 2111/FTSCY/WS95031 BUDI' },
  ])) as [string]
})
afterAll(() => t?.close())

describe('WordPress plugin', () => {
  it('lists accounts page by page up to last_page with only an Authorization header, reading the fields it uses', async () => {
    const fixture = mootaFixture('BankAccount/MockingListBankAccountResponse.json')
    const seen: Json[] = []
    let last = 1
    for (let page = 1; page <= last; page++) {
      const res = await bare(`/api/v2/accounts?page=${page}`)
      expect(res.status).toBe(200)
      const body = json(res)
      expect(body.current_page).toBe(page)
      last = body.last_page
      // `icon` is one of the fields the plugin reads (it shows the bank's logo); Moota's 2021 fixture predates it.
      for (const account of body.data as Json[]) {
        const { icon, ...rest } = account
        expect(icon, 'icon').toEqual(expect.any(String))
        expectBank(rest, fixture.data[0])
      }
      expectPaginator(body, fixture)
      seen.push(...body.data)
    }
    expect(last).toBe(2)
    expect(seen.map((a) => a.bank_id).sort()).toEqual(accounts.map((a) => a.publicId).sort())
    const byId = new Map(seen.map((a) => [a.bank_id, a]))
    for (const a of accounts) {
      const shown = byId.get(a.publicId)!
      expect(shown).toMatchObject({
        bank_id: a.publicId,
        bank_type: a.bankType,
        account_number: a.accountNumber,
        username: '',
        atas_nama: 'PT Contoh Jaya',
      })
      expect(shown.label).toEqual(expect.any(String))
    }
    expect(seen.filter((a) => /va$/i.test(a.bank_type)).length).toBe(1)
    expect(seen.filter((a) => a.bank_type === 'qris').length).toBe(1)
  })

  it('checks for new mutations: refresh with [] then the mutation list, in the fixture’s types', async () => {
    const refresh = await sdk('POST', `/bank/${paid.publicId}/refresh`)
    expect(refresh).toEqual({ status: 200, body: mootaFixture('MockRequestSuccessResponse.json') })

    const list = await sdk('GET', '/mutation')
    expect(list.status).toBe(200)
    const fixture = mootaFixture('Mutation/MockMutationResponse.json')
    expectPaginator(list.body, fixture)
    expect(list.body.data.map((m: Json) => m.mutation_id)).toEqual([matched])
    expectMutation(list.body.data[0], fixture.data[0])
    // What the plugin matches an order on: the amount (as Moota's string), the bank and its type.
    expect(list.body.data[0]).toMatchObject({
      amount: '150123.00',
      type: 'CR',
      bank_id: paid.publicId,
      date: '2026-11-21 14:05:00',
      bank: { bank_type: 'bca' },
    })
  })

  it('on a matched payment: lists tags, creates the missing one, tags the mutation with the order id and WooCommerce', async () => {
    const orderId = 4711
    const list = await sdk('GET', '/tagging')
    expect(list.status).toBe(200)
    expectShape(list.body, mootaFixture('Tagging/MockListTaggingResponse.json'))
    expect(list.body.tagging).toEqual([])

    // The plugin reads tagging[*].name and creates "WooCommerce" only when it is not there.
    const created = await sdk('POST', '/tagging', { name: 'WooCommerce' })
    expect(created.status).toBe(200)
    expectShape(created.body, mootaFixture('Tagging/MockSuccessStoreTaggingResponse.json'))
    expect(created.body.tagging.tag_id).toMatch(ID)

    const ok = { status: 200, body: mootaFixture('MockRequestSuccessResponse.json') }
    // PHP's json_encode writes the order id as a number.
    expect(await sdk('POST', `/tagging/mutation/${matched}`, { name: [orderId] })).toEqual(ok)
    expect(await sdk('POST', `/tagging/mutation/${matched}`, { name: ['WooCommerce'] })).toEqual(ok)

    const again = await sdk('GET', '/tagging')
    expectShape(again.body, mootaFixture('Tagging/MockListTaggingResponse.json'))
    expect(again.body.tagging.map((x: Json) => x.name).sort()).toEqual(['4711', 'WooCommerce'])
    // A second run of the flow (the plugin sees the tag now) does not create it twice.
    expect((await sdk('POST', '/tagging', { name: 'WooCommerce' })).status).toBe(422)

    const tagged = await sdk('GET', '/mutation?tag=4711')
    expect(tagged.body.data.map((m: Json) => m.mutation_id)).toEqual([matched])
    expect(tagged.body.data[0].taggings.map((x: Json) => x.name).sort()).toEqual(['4711', 'WooCommerce'])
  })
})
