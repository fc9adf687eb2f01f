/**
 * Sandbox mode with an unmodified Moota client: the curl PHP SDK "v3" replayed exactly as php-sdk-v3.test.ts sends
 * it, but with a sandbox-mode token. Its `getMutationList()` sends no bank filter at all, so before modes it could
 * never see a sandbox mutation. Now a sandbox-mode token sees the sandbox accounts and their mutations as if they were
 * the workspace's only ones, and never a rupiah of live data; a live token sees what it saw before, with sandbox
 * accounts listed and flagged.
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
import { createToken } from '../../src/tokens/tokens.ts'
import { expectBank, expectMutation, expectPaginator, json, type Json } from './moota-shapes.ts'

let t: TestServer
let tenant: Tenant
let sandboxToken: string
let bca: Account
let sandbox: Account
let liveIds: string[]
let sandboxIds: string[]

const headers = (token: string) => ({
  'Content-Type': 'application/json',
  Accept: 'application/json',
  'User-Agent': 'moota-php-v3.0.0',
  Authorization: `Bearer ${token}`,
})
const get = (path: string, token = sandboxToken) => rawRequest(t.url, 'GET', `/api/v2${path}`, headers(token))
const post = (path: string, data: unknown = [], token = sandboxToken) =>
  rawRequest(t.url, 'POST', `/api/v2${path}`, headers(token), JSON.stringify(data))
const ids = (page: Json, key: string) => (page.data as Json[]).map((x) => x[key] as string)

beforeAll(async () => {
  t = await startTestServer()
  tenant = await createTenant(t.app.db)
  sandboxToken = (await createToken(t.app.db, { email: tenant.email, scopes: ['api'], mode: 'sandbox' })).token
  bca = await addTestAccount(t.app.db, tenant.workspace, 'bca')
  sandbox = await addTestAccount(t.app.db, tenant.workspace, 'sandbox')
  liveIds = await insertMutations(t.app.db, tenant.workspace, bca, [
    { occurredAt: '2026-11-20T08:15:00+07:00', amount: 15012300n, description: 'TRSF E-BANKING CR BUDI' },
    { occurredAt: '2026-11-20T09:30:00+07:00', amount: 250000n, type: 'DB', description: 'BIAYA ADM' },
  ])
  sandboxIds = await insertMutations(t.app.db, tenant.workspace, sandbox, [
    { occurredAt: '2026-11-21T10:00:00+07:00', amount: 10012300n, description: 'SANDBOX TRSF SITI' },
  ])
})
afterAll(() => t?.close())

describe('PHP SDK v3 (curl) with a sandbox-mode token', () => {
  it('getAccountList: the sandbox account alone, flagged, in the fixture’s shape', async () => {
    const res = await get('/bank')
    expect(res.status).toBe(200)
    const page = json(res)
    const fixture = mootaFixture('BankAccount/MockingListBankAccountResponse.json')
    expectPaginator(page, fixture)
    expect(page.total).toBe(1)
    expect(ids(page, 'bank_id')).toEqual([sandbox.publicId])
    expect(page.data[0].sandbox).toBe(true)
    expectBank(page.data[0], fixture.data[0])
  })

  it('getMutationList without a bank filter: the sandbox mutations, newest first, and no live one', async () => {
    const stored = await post(`/mutation/store/${sandbox.publicId}`, { amount: 60000, type: 'CR', note: '' })
    expect(stored.status, stored.text).toBe(200)
    const created = json(stored).mutation.mutation_id as string
    sandboxIds.push(created)
    const res = await get('/mutation')
    expect(res.status).toBe(200)
    const page = json(res)
    const fixture = mootaFixture('Mutation/MockMutationResponse.json')
    expectPaginator(page, fixture)
    expect(page.total).toBe(2)
    expect(ids(page, 'mutation_id').sort()).toEqual([...sandboxIds].sort())
    for (const m of page.data) expectMutation(m, fixture.data[0])
    // Rp100.123 + Rp60.000 of sandbox money; the live Rp150.123 and Rp2.500 are not in the sums.
    const summary = json(await get('/mutation/summary'))
    expect(summary.data).toMatchObject({ total_bank_active: 1, credit_count: 2, credit_amount: '160123.00', debit_count: 0 })
  })

  it('attachMutationNote and attachMutationTag on a sandbox mutation; the tag list counts sandbox use only', async () => {
    const id = sandboxIds[0]!
    expect((await post(`/mutation/${id}/note`, { note: 'Order #1' })).status).toBe(200)
    expect((await post(`/tagging/mutation/${id}`, { name: ['uji-sandbox'] })).status).toBe(200)
    const listed = json(await get('/mutation?tag=uji-sandbox'))
    expect(ids(listed, 'mutation_id')).toEqual([id])
    // The same tag on a live mutation, by the live token: counted there, not here.
    expect((await post(`/tagging/mutation/${liveIds[0]}`, { name: ['uji-sandbox'] }, tenant.token)).status).toBe(200)
    const usage = async (token: string) => {
      const res = await t.request('GET', '/v1/tags', { token })
      const tags = ((await res.json()) as { data: { name: string; usage: number }[] }).data
      return tags.find((x) => x.name === 'uji-sandbox')?.usage
    }
    expect(await usage(sandboxToken)).toBe(1)
    expect(await usage(tenant.token)).toBe(1)
  })

  it('never reaches live data, even by naming it', async () => {
    const [liveId] = liveIds as [string]
    for (const res of [
      await post(`/mutation/${liveId}/note`, { note: 'x' }),
      await post(`/tagging/mutation/${liveId}`, { name: ['x'] }),
      await post(`/bank/${bca.publicId}/refresh`),
      await post(`/mutation/store/${bca.publicId}`, { amount: 1000, type: 'CR' }),
    ]) {
      expect(res.status, res.text).toBe(404)
      expect(json(res)).toMatchObject(mootaFixture('MockRequestNotFound.json'))
    }
    const named = await get(`/mutation?bank=${bca.publicId}`)
    expect(named.status).toBe(404)
    const v1 = await t.request('GET', `/v1/mutations/${liveId}`, { token: sandboxToken })
    expect(v1.status).toBe(404)
    const destroy = await post('/mutation/destroy', { mutations: [liveId] })
    expect(destroy.status).toBeLessThan(500)
    const [row] = await t.app.db.query<{ deleted: boolean; note: string | null }>(
      'select deleted_at is not null as deleted, note from mutations where public_id = $1',
      [liveId],
    )
    expect(row).toEqual({ deleted: false, note: '' })
  })

  it('can add sandbox accounts only', async () => {
    const live = await post('/bank/store', { bank_type: 'bca', name_holder: 'Toko', account_number: '1', is_active: true })
    expect(live.status).toBe(422)
    const ok = await post('/bank/store', { bank_type: 'sandboxVA', name_holder: 'Toko', account_number: '2', is_active: true })
    expect(ok.status, ok.text).toBe(200)
    const available = json(await get('/bank/available'))
    expect(ids(available, 'id').sort()).toEqual(['sandbox', 'sandboxVA'])
  })

  it('creates a sandbox endpoint: every sandbox account’s money reaches it, live money never does', async () => {
    const hook = { url: 'https://example.com/hook', secret_token: 's3cret' }
    const liveHook = await post('/integration/webhook', { ...hook, url: 'https://example.com/live' }, tenant.token)
    expect(liveHook.status, liveHook.text).toBe(200)
    const created = await post('/integration/webhook', hook)
    expect(created.status, created.text).toBe(200)
    const endpointId = json(created).webhook_id as string
    // Moota's integer id counts within the mode: the sandbox's first endpoint is 1 whatever live has.
    const listed = json(await get('/integration/webhook'))
    expect(listed.data.map((w: Json) => [w.id, w.webhook_id])).toEqual([[1, endpointId]])
    await post(`/mutation/store/${sandbox.publicId}`, { amount: 70000, type: 'CR' })
    await post(`/mutation/store/${sandbox.publicId}`, { amount: 80000, type: 'CR' }, tenant.token)
    const live = await t.request('POST', '/v1/mutations', {
      token: tenant.token,
      json: { account: bca.publicId, amount: '1000', type: 'CR' },
    })
    expect(live.status).toBe(422) // a bank account is fed by its source; the fan-out below is what matters
    const cash = await addTestAccount(t.app.db, tenant.workspace, 'cash')
    const manual = await t.request('POST', '/v1/mutations', {
      token: tenant.token,
      json: { account: cash.publicId, amount: '1000', type: 'CR' },
    })
    expect(manual.status, await manual.clone().text()).toBe(201)
    const bodies = await t.app.db.query<{ body: string }>(
      `select d.body from webhook_deliveries d join webhook_endpoints e on e.id = d.endpoint_id
       where e.public_id = $1 order by d.id`,
      [endpointId],
    )
    expect(bodies.map((b) => (JSON.parse(b.body) as { amount: number }[])[0]!.amount)).toEqual([70000, 80000])
    // The live token does not see the sandbox endpoint, nor the sandbox token a live one.
    const liveList = json(await get('/integration/webhook', tenant.token))
    expect(liveList.data.map((w: Json) => [w.id, w.webhook_id])).toEqual([[1, json(liveHook).webhook_id]])
    // The live "all accounts" endpoint heard the live cash entry and none of the sandbox money.
    const liveBodies = await t.app.db.query<{ body: string }>(
      `select d.body from webhook_deliveries d join webhook_endpoints e on e.id = d.endpoint_id
       where e.public_id = $1 order by d.id`,
      [json(liveHook).webhook_id],
    )
    expect(liveBodies.map((b) => (JSON.parse(b.body) as { amount: number }[])[0]!.amount)).toEqual([1000])
  })

  it('lists and creates sandbox-mode tokens only', async () => {
    const res = await t.request('POST', '/v1/tokens', { token: sandboxToken, json: { mode: 'live' } })
    expect(res.status).toBe(403)
    const made = await t.request('POST', '/v1/tokens', { token: sandboxToken, json: {} })
    expect(made.status).toBe(201)
    expect(((await made.json()) as { mode: string }).mode).toBe('sandbox')
    const listed = (await (await t.request('GET', '/v1/tokens', { token: sandboxToken })).json()) as {
      data: { mode: string }[]
    }
    expect(new Set(listed.data.map((x) => x.mode))).toEqual(new Set(['sandbox']))
  })
})

describe('a live-mode token', () => {
  it('lists every account, sandbox ones flagged, but never a sandbox mutation without naming its account', async () => {
    const banks = json(await get('/bank', tenant.token))
    expect(ids(banks, 'bank_id')).toContain(sandbox.publicId)
    expect(ids(banks, 'bank_id')).toContain(bca.publicId)
    const mootaList = json(await get('/mutation?per_page=100', tenant.token))
    expect(ids(mootaList, 'mutation_id')).not.toEqual(expect.arrayContaining([sandboxIds[0]]))
    for (const m of mootaList.data) expect(m.bank_id).not.toBe(sandbox.publicId)
    const v1 = (await (await t.request('GET', '/v1/mutations?limit=100', { token: tenant.token })).json()) as {
      data: { id: string; sandbox: boolean }[]
    }
    expect(v1.data.some((m) => m.sandbox)).toBe(false)
    const events = (await (await t.request('GET', '/v1/events?limit=500', { token: tenant.token })).json()) as {
      data: { data: { sandbox?: boolean } | null }[]
    }
    expect(events.data.some((e) => e.data?.sandbox === true)).toBe(false)
    // Naming the sandbox account still shows its mutations, as before modes existed.
    const named = json(await get(`/mutation?bank=${sandbox.publicId}&per_page=100`, tenant.token))
    expect(ids(named, 'mutation_id')).toEqual(expect.arrayContaining(sandboxIds))
  })

  it('issues live tokens from Moota’s login, and sandbox ones on request', async () => {
    const login = await rawRequest(
      t.url,
      'POST',
      '/api/v2/auth/login',
      { 'content-type': 'application/json' },
      JSON.stringify({ email: tenant.email, password: 'correct horse battery', scopes: ['api'] }),
    )
    expect(login.status).toBe(200)
    const loginToken = json(login).access_token as string
    expect(ids(json(await get('/mutation?per_page=100', loginToken)), 'mutation_id')).toEqual(
      expect.arrayContaining(liveIds),
    )
    const made = await t.request('POST', '/v1/tokens', { token: tenant.token, json: { mode: 'sandbox' } })
    expect(made.status).toBe(201)
    const { token, mode } = (await made.json()) as { token: string; mode: string }
    expect(mode).toBe('sandbox')
    expect(ids(json(await get('/bank', token)), 'bank_id')).not.toContain(bca.publicId)
  })
})
