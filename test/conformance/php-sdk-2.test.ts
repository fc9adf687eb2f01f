/**
 * Moota's official PHP SDK 2.0 (`moota-co/moota-php-sdk` master, kitetail/zttp), replayed request by request as it
 * sends them (reference/moota-api.md §2.3, §4): `User-Agent: Moota/2.0`, `Accept: application/json`, JSON bodies,
 * `array_filter`ed GET queries (empty parameters left out), `POST /bank/update/{id}`, tag detach as DELETE with a JSON
 * body. Each answer is checked for status, JSON types against the SDK's own fixtures, and value forms.
 *
 * Left out: the SDK's webhook calls (`/integration/webhook…`, `/mutation/{id}/webhook`); webhook configuration and
 * delivery are a later issue. The SDK's OTP verification posts to the request-OTP URL (an SDK bug, §11) and is not
 * replayed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createTenant,
  mootaFixture,
  rawRequest,
  startTestServer,
  type Tenant,
  type TestServer,
} from '../../src/api/test-support.ts'
import {
  expectBank,
  expectMutation,
  expectPaginator,
  expectShape,
  ID,
  json,
  type Json,
  LARAVEL_ISO,
  wibInstant,
} from './moota-shapes.ts'

let t: TestServer
let tenant: Tenant
let token: string

/** What Zttp sends for the SDK: these headers on every call, the body as JSON, the GET query array_filter'ed. */
async function sdk(method: string, path: string, data?: Record<string, unknown>) {
  const headers: Record<string, string> = {
    'User-Agent': 'Moota/2.0',
    Accept: 'application/json',
    Authorization: `Bearer ${token}`,
  }
  let url = `/api/v2${path}`
  let body: string | undefined
  if (method === 'GET') {
    const kept = Object.entries(data ?? {}).filter(([, v]) => v !== undefined && v !== null && v !== '' && v !== 0)
    if (kept.length) url += `?${new URLSearchParams(kept.map(([k, v]): [string, string] => [k, String(v)])).toString()}`
  } else {
    headers['Content-Type'] = 'application/json'
    body = JSON.stringify(data ?? [])
  }
  const res = await rawRequest(t.url, method, url, headers, body)
  return { status: res.status, body: json(res) }
}

beforeAll(async () => {
  t = await startTestServer()
  tenant = await createTenant(t.app.db)
  token = 'none yet'
})
afterAll(() => t?.close())

describe('PHP SDK 2.0 (master)', () => {
  let bca: Json
  let sandbox: Json
  let mutationId: string

  it('logs in with email, password and scopes, and reads the profile', async () => {
    const login = await sdk('POST', '/auth/login', {
      email: tenant.email,
      password: 'correct horse battery',
      scopes: ['api'],
    })
    expect(login.status).toBe(200)
    expectShape(login.body, mootaFixture('Auth/MockAuthResponse.json'))
    token = login.body.access_token

    const user = await sdk('GET', '/user')
    expect(user.status).toBe(200)
    // `meta` is an array in both; Lunas' is empty (no point ledger), so only its type is compared.
    expectShape(user.body, mootaFixture('User/MockUserProfileResponse.json'))
    expect(user.body.user_id).toMatch(ID)
    expect(user.body.token).toBe(user.body.user_id)
    expect(user.body.created_at).toMatch(LARAVEL_ISO)
    expect(user.body.point).toBeGreaterThan(0)
  })

  it('stores, lists and updates bank accounts in the fixtures’ shapes', async () => {
    const store = await sdk('POST', '/bank/store', {
      corporate_id: '',
      bank_type: 'bca',
      username: 'sdk-user',
      password: 'sdk-password',
      name_holder: 'Toko Maju',
      account_number: '1234567890',
      is_active: true,
    })
    expect(store.status).toBe(200)
    // Exception: Lunas adds `message` (credentials are not kept, it says) when username/password were sent.
    const { message, ...stored } = store.body
    expect(message).toEqual(expect.any(String))
    const storeFixture = mootaFixture('BankAccount/MockStoreBankAccountResponse.json')
    expectShape({ ...stored, bank: {} }, { ...storeFixture, bank: {} })
    expectBank(stored.bank, storeFixture.bank)
    expect(stored.bank).toMatchObject({ bank_type: 'bca', atas_nama: 'Toko Maju', account_number: '1234567890' })
    bca = stored.bank

    sandbox = (
      await sdk('POST', '/bank/store', { bank_type: 'sandbox', name_holder: 'Toko Maju', account_number: '99', is_active: true })
    ).body.bank

    // array_filter drops nothing here; the SDK always sends page and per_page.
    const list = await sdk('GET', '/bank', { page: 1, per_page: 20 })
    expect(list.status).toBe(200)
    const listFixture = mootaFixture('BankAccount/MockingListBankAccountResponse.json')
    expectPaginator(list.body, listFixture)
    // Sandbox accounts are listed too, flagged `sandbox: true` (a key the SDK's models ignore).
    expect(list.body).toMatchObject({ current_page: 1, total: 2, per_page: 20, next_page_url: null })
    expect(list.body.data.map((b: Json) => [b.bank_id, b.sandbox])).toEqual([
      [bca.bank_id, false],
      [sandbox.bank_id, true],
    ])
    expectBank(list.body.data[0], listFixture.data[0])

    const update = await sdk('POST', `/bank/update/${bca.bank_id}`, {
      corporate_id: '',
      bank_type: 'bca',
      username: 'sdk-user',
      password: 'sdk-password',
      name_holder: 'Toko Maju Jaya',
      account_number: '1234567890',
      is_active: true,
    })
    expect(update.status).toBe(200)
    const updateFixture = mootaFixture('BankAccount/MockUpdateBankAccountResponse.json')
    expectShape({ ...update.body, bank: {} }, { ...updateFixture, bank: {} })
    expectBank(update.body.bank, updateFixture.bank)
    expect(update.body.bank).toMatchObject({ bank_id: bca.bank_id, atas_nama: 'Toko Maju Jaya' })

    const refresh = await sdk('POST', `/bank/${bca.bank_id}/refresh`)
    expect(refresh).toEqual({ status: 200, body: mootaFixture('MockRequestSuccessResponse.json') })
  })

  it('creates a dummy mutation and finds it with an array_filter’ed query, in WIB and decimal strings', async () => {
    const before = Date.now()
    const store = await sdk('POST', `/mutation/store/${sandbox.bank_id}`, {
      date: '2021-09-21',
      amount: 150123,
      type: 'CR',
      note: '',
    })
    expect(store.status).toBe(200)
    // Exception: Lunas adds `mutation.mutation_id`, the new mutation's id.
    const { mutation_id: createdId, ...counts } = store.body.mutation
    expectShape({ ...store.body, mutation: counts }, mootaFixture('Mutation/MockStoreMutation.json'))
    expect(counts).toEqual({ total: 1, new: 1 })
    expect(createdId).toMatch(ID)

    // The SDK's MutationQuery has every filter; array_filter leaves out the empty ones (amount, note, dates, tag).
    const page = await sdk('GET', '/mutation', {
      type: 'CR',
      bank: sandbox.bank_id,
      amount: '',
      description: '',
      note: '',
      date: '',
      start_date: '',
      end_date: '',
      tag: '',
      page: 1,
      per_page: 10,
    })
    expect(page.status).toBe(200)
    const fixture = mootaFixture('Mutation/MockMutationResponse.json')
    expectPaginator(page.body, fixture)
    expect(page.body.total).toBe(1)
    const m = page.body.data[0] as Json
    expectMutation(m, fixture.data[0])
    expect(m).toMatchObject({
      mutation_id: createdId,
      amount: '150123.00',
      type: 'CR',
      date: '2021-09-21 00:00:00',
      bank_id: sandbox.bank_id,
    })
    // created_at is written in WIB: read as +07:00 it is the moment of the call.
    const created = wibInstant(m.created_at).getTime()
    expect(created).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000)
    expect(created).toBeLessThanOrEqual(Date.now())
    mutationId = createdId
  })

  it('notes a mutation and manages tags, detaching with DELETE and a JSON body', async () => {
    const note = await sdk('POST', `/mutation/${mutationId}/note`, { note: 'buy other food' })
    expect(note.status).toBe(200)
    const noteFixture = mootaFixture('Mutation/MockaddNoteMutationResponse.json')
    expectShape({ ...note.body, mutation: {} }, { ...noteFixture, mutation: {} })
    expectMutation(note.body.mutation, noteFixture.mutation)
    expect(note.body.mutation).toMatchObject({ mutation_id: mutationId, note: 'buy other food' })

    const created = await sdk('POST', '/tagging', { name: 'assurance' })
    expect(created.status).toBe(200)
    expectShape(created.body, mootaFixture('Tagging/MockSuccessStoreTaggingResponse.json'))
    const tagId = created.body.tagging.tag_id as string
    expect(tagId).toMatch(ID)

    const list = await sdk('GET', '/tagging', { tag: '' })
    expect(list.status).toBe(200)
    expectShape(list.body, mootaFixture('Tagging/MockListTaggingResponse.json'))
    expect(list.body.tagging).toEqual([{ name: 'assurance', tag_id: tagId }])

    const renamed = await sdk('PUT', `/tagging/${tagId}`, { name: 'asuransi' })
    expect(renamed).toEqual({ status: 200, body: mootaFixture('Tagging/MockUpdateTaggingResponse.json') })

    const ok = mootaFixture('MockRequestSuccessResponse.json')
    expect(await sdk('POST', `/tagging/mutation/${mutationId}`, { name: ['asuransi', 'car'] })).toEqual({ status: 200, body: ok })
    expect(await sdk('PUT', `/tagging/mutation/${mutationId}`, { name: ['car', 'food'] })).toEqual({ status: 200, body: ok })
    expect(await sdk('DELETE', `/tagging/mutation/${mutationId}`, { name: ['food'] })).toEqual({ status: 200, body: ok })
    const tagged = await sdk('GET', '/mutation', { bank: sandbox.bank_id, tag: 'car' })
    expect(tagged.body.data.map((x: Json) => x.mutation_id)).toEqual([mutationId])
    expect(tagged.body.data[0].taggings.map((x: Json) => x.name)).toEqual(['car'])

    expect(await sdk('DELETE', `/tagging/${tagId}`)).toEqual({ status: 200, body: ok })

    const invalid = await sdk('POST', '/tagging', {})
    expect(invalid).toEqual({ status: 422, body: mootaFixture('Tagging/MockInvalidRequestTaggingResponse.json') })
  })

  it('destroys the mutation and the bank, and answers not-found in Moota’s shape', async () => {
    const destroyed = await sdk('POST', '/mutation/destroy', { mutations: [mutationId] })
    expect(destroyed).toEqual({ status: 200, body: mootaFixture('Mutation/MockDestroyMutation.json') })

    expect(await sdk('POST', `/bank/${bca.bank_id}/destroy`)).toEqual({
      status: 200,
      body: mootaFixture('MockRequestSuccessResponse.json'),
    })
    const again = await sdk('POST', `/bank/${bca.bank_id}/destroy`)
    expect(again.status).toBe(404)
    // Exception: Lunas adds `detail` (what was not found) to Moota's `{error, message}`.
    const { detail, ...notFound } = again.body
    expect(notFound).toEqual(mootaFixture('MockRequestNotFound.json'))
    expect(detail).toEqual(expect.any(String))
  })

  it('reads the point lists in Moota’s shapes (a self-hosted server has nothing to bill)', async () => {
    const denom = await sdk('GET', '/topup/denom')
    expect(denom.status).toBe(200)
    const denomFixture = mootaFixture('Topup/MockListAmountTopup.json') as unknown as Json[]
    expect((denom.body as unknown as Json[]).length).toBeGreaterThan(0)
    for (const d of denom.body as unknown as Json[]) expectShape(d, denomFixture[0])

    const ledger = await sdk('GET', '/transaction', { page: 1, start_date: '', end_date: '' })
    expect(ledger.status).toBe(200)
    expectPaginator(ledger.body, mootaFixture('Transaction/MockTransactionResponse.json'))
    expect(ledger.body).toMatchObject({ data: [], total: 0 })
  })

  it('logs out, after which the token is refused with Moota’s 401', async () => {
    expect(await sdk('POST', '/auth/logout')).toEqual({ status: 200, body: mootaFixture('MockRequestSuccessResponse.json') })
    const after = await sdk('GET', '/user')
    expect(after).toEqual({ status: 401, body: { message: 'Unauthenticated.' } })
  })
})
