/**
 * The two Laravel packages, replayed as they send (reference/moota-api.md §2.3, §4, §10.1):
 *
 * otnansirk/laravel-moota (Laravel Http): `Content-Type` and `Accept: application/json`, a stray `Location: <path>`
 * request header, POSTs without data send `[]`; the mutation list always sends `bank` (copied from `bank_id`, empty
 * when none) and allows `type=credit|debit`; the summary filters by `bank_id`; `register` is open sign-up, which a
 * self-hosted Lunas refuses with 403 (the package throws on any 4xx with the body's text).
 *
 * atfromhome/laravel-moota (Saloon): bank available/list/create/update/delete/refresh and the mutation list; its
 * paginator asks for `per_page=100` and stops when `next_page_url` is null; its DTOs read `bank_id`, `label`,
 * `account_number` as strings, `price` as a number and the mutation `date` as `Y-m-d H:i:s` in Asia/Jakarta.
 * Its webhook routes (create/list/delete, push) and receiver are a later issue and are left out.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Account, getAccount } from '../../src/accounts/accounts.ts'
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
import {
  expectBank,
  expectMutation,
  expectPaginator,
  expectShape,
  ID,
  json,
  type Json,
  MONEY,
  WIB_DATE,
} from './moota-shapes.ts'

let t: TestServer
let tenant: Tenant

beforeAll(async () => {
  t = await startTestServer()
})
afterAll(() => t?.close())

/** `/bank/available` has no captured fixture: this is the item documented in reference §4.2 (from GO and AT). */
const AVAILABLE_ITEM = {
  id: 'bca',
  label: 'Bank Central Asia',
  price: 1500,
  type: 'defaultForm',
  icon: 'https://app.moota.co/images/bca.png',
  link: 'https://ibank.klikbca.com/',
  interval: 15,
}

describe('otnansirk/laravel-moota', () => {
  let token: string
  let bca: Account
  let ids: string[]

  /** MootaCoreService::api: JSON headers plus `Location`; Laravel Http puts GET data in the query, POSTs it as JSON. */
  async function api(path: string, method: 'get' | 'post', bodies: Record<string, unknown> = {}) {
    const headers = {
      'Content-Type': 'application/json',
      Accept: 'application/json',
      Location: path,
      Authorization: `Bearer ${token}`,
      'User-Agent': 'GuzzleHttp/7',
    }
    const query = new URLSearchParams(Object.entries(bodies).map(([k, v]): [string, string] => [k, String(v)])).toString()
    const res =
      method === 'get'
        ? await rawRequest(t.url, 'GET', `/api/v2${path}${query ? `?${query}` : ''}`, headers)
        : await rawRequest(t.url, 'POST', `/api/v2${path}`, headers, JSON.stringify(Object.keys(bodies).length ? bodies : []))
    return { status: res.status, body: json(res) }
  }

  beforeAll(async () => {
    tenant = await createTenant(t.app.db)
    token = ''
    bca = await addTestAccount(t.app.db, tenant.workspace, 'bca')
    ids = await insertMutations(t.app.db, tenant.workspace, bca, [
      { occurredAt: '2026-11-01T09:00:00+07:00', amount: 15012300n, description: 'TRSF CR BUDI' },
      { occurredAt: '2026-11-02T10:00:00+07:00', amount: 2500000n, type: 'DB', description: 'TARIK TUNAI' },
      { occurredAt: '2026-11-03T11:00:00+07:00', amount: 9900000n, description: 'TRSF CR SITI' },
    ])
  })

  it('login, profile, and register refused with 403 and a message', async () => {
    const login = await api('/auth/login', 'post', { email: tenant.email, password: 'correct horse battery', scopes: ['api'] })
    expect(login.status).toBe(200)
    expectShape(login.body, mootaFixture('Auth/MockAuthResponse.json'))
    token = login.body.access_token

    const profile = await api('/user', 'get')
    expect(profile.status).toBe(200)
    expectShape(profile.body, mootaFixture('User/MockUserProfileResponse.json'))

    const register = await api('/auth/register', 'post', {
      name: 'Budi',
      email: 'budi@example.test',
      password: 'rahasia-panjang',
      password_confirmation: 'rahasia-panjang',
    })
    expect(register.status).toBe(403)
    expect(register.body.message).toMatch(/lunas user create/)
  })

  it('bank available and list, with page and per_page', async () => {
    const available = await api('/bank/available', 'get', { page: 1, per_page: 10 })
    expect(available.status).toBe(200)
    expectPaginator(available.body, mootaFixture('BankAccount/MockingListBankAccountResponse.json'))
    expect(available.body.data).toHaveLength(10)
    for (const item of available.body.data) expectShape(item, AVAILABLE_ITEM)
    expect(available.body.data.map((b: Json) => b.id)).toContain('bca')

    const list = await api('/bank', 'get', { page: 1, per_page: 10 })
    expect(list.status).toBe(200)
    const fixture = mootaFixture('BankAccount/MockingListBankAccountResponse.json')
    expectPaginator(list.body, fixture)
    expect(list.body).toMatchObject({ per_page: 10, total: 1 })
    expectBank(list.body.data[0], fixture.data[0])

    // list() and available() pass the caller's $page and $limit through unchecked. Lists answer them as Laravel
    // does, as GET /mutation already did: a page size over 100 is capped, a page that is not >= 1 is page 1.
    for (const path of ['/bank', '/bank/available']) {
      const big = await api(path, 'get', { page: 1, per_page: 500 })
      expect(big.status, path).toBe(200)
      expect(big.body.per_page, path).toBe(100)
      const zero = await api(path, 'get', { page: 0, per_page: 10 })
      expect(zero.status, path).toBe(200)
      expect(zero.body.current_page, path).toBe(1)
    }
  })

  it('mutation list: always sends `bank` (empty without bank_id) and spells type credit/debit', async () => {
    const fixture = mootaFixture('Mutation/MockMutationResponse.json')
    const credit = await api('/mutation', 'get', { bank: '', type: 'credit' })
    expect(credit.status).toBe(200)
    expectPaginator(credit.body, fixture)
    expect(credit.body.data.map((m: Json) => m.mutation_id)).toEqual([ids[2], ids[0]])
    for (const m of credit.body.data) expectMutation(m, fixture.data[0])

    const debit = await api('/mutation', 'get', {
      bank_id: bca.publicId,
      bank: bca.publicId,
      type: 'debit',
      start_date: '2026-11-01',
      end_date: '2026-11-30',
      page: 1,
      par_page: 10, // sic: the package's own spelling, ignored as Moota ignores it
    })
    expect(debit.status).toBe(200)
    expect(debit.body.data.map((m: Json) => [m.mutation_id, m.type, m.amount])).toEqual([[ids[1], 'DB', '25000.00']])
  })

  it('summary by bank_id, type and dates: counts as numbers, amounts as decimal strings', async () => {
    const res = await api('/mutation/summary', 'get', {
      bank_id: bca.publicId,
      type: 'credit',
      start_date: '2026-11-01',
      end_date: '2026-11-30',
    })
    expect(res.status).toBe(200)
    const s = res.body.data as Json
    expect(Object.keys(s).sort()).toEqual(
      [
        'start_date',
        'end_date',
        'type',
        'total_bank_active',
        'total_bank_inactive',
        'bank',
        'credit_count',
        'credit_amount',
        'debit_count',
        'debit_amount',
        'total_saving',
      ].sort(),
    )
    for (const k of ['total_bank_active', 'total_bank_inactive', 'credit_count', 'debit_count'])
      expect(Number.isInteger(s[k]), k).toBe(true)
    for (const k of ['credit_amount', 'debit_amount', 'total_saving']) expect(s[k], k).toMatch(MONEY)
    expect(s).toMatchObject({ start_date: '2026-11-01', end_date: '2026-11-30', credit_count: 2, credit_amount: '249123.00' })
    expectBank(s.bank, mootaFixture('BankAccount/MockingListBankAccountResponse.json').data[0], 'summary.bank')
    expect(s.bank.bank_id).toBe(bca.publicId)
  })

  it('note, tags (one name wrapped in a list), destroy, refresh and bank destroy with [] bodies, logout', async () => {
    const [first, second] = ids as [string, string]
    const note = await api(`/mutation/${first}/note`, 'post', { note: 'INV-001' })
    expect(note.status).toBe(200)
    expectMutation(note.body.mutation, mootaFixture('Mutation/MockaddNoteMutationResponse.json').mutation)

    const ok = { status: 200, body: mootaFixture('MockRequestSuccessResponse.json') }
    expect(await api(`/tagging/mutation/${first}`, 'post', { name: ['INV-001'] })).toEqual(ok)
    expect(await api('/mutation/destroy', 'post', { mutations: [second] })).toEqual({
      status: 200,
      body: mootaFixture('Mutation/MockDestroyMutation.json'),
    })
    expect(await api(`/bank/${bca.publicId}/refresh`, 'post')).toEqual(ok)
    expect(await api(`/bank/${bca.publicId}/destroy`, 'post')).toEqual(ok)
    expect(await api('/auth/logout', 'post')).toEqual(ok)
    expect((await api('/user', 'get')).status).toBe(401)
  })
})

describe('atfromhome/laravel-moota', () => {
  let owner: Tenant
  let bankId: string

  /** Saloon: TokenAuthenticator, `Accept: application/json`; HasJsonBody requests add the JSON Content-Type. */
  async function send(method: 'GET' | 'POST', path: string, opts: { query?: Record<string, string>; json?: unknown } = {}) {
    const headers: Record<string, string> = {
      Accept: 'application/json',
      Authorization: `Bearer ${owner.token}`,
      'User-Agent': 'GuzzleHttp/7',
    }
    if (opts.json !== undefined) headers['Content-Type'] = 'application/json'
    const query = opts.query ? `?${new URLSearchParams(opts.query).toString()}` : ''
    const res = await rawRequest(t.url, method, `/api/v2${path}${query}`, headers, opts.json === undefined ? undefined : JSON.stringify(opts.json))
    return { status: res.status, body: json(res) }
  }

  /** MootaPaginator: PagedPaginator with per_page 100, items from `data`, last page when next_page_url is null. */
  async function paginate(path: string, query: Record<string, string> = {}) {
    const items: Json[] = []
    for (let page = 1; page < 50; page++) {
      const res = await send('GET', path, { query: { ...query, page: String(page), per_page: '100' } })
      expect(res.status).toBe(200)
      items.push(...res.body.data)
      if (res.body.next_page_url === null) return items
    }
    throw new Error('next_page_url never became null')
  }

  beforeAll(async () => {
    owner = await createTenant(t.app.db)
  })

  it('available banks: BankData reads id and label as strings, price as a number', async () => {
    const res = await send('GET', '/bank/available', { query: { page: '1' } })
    expect(res.status).toBe(200)
    for (const b of res.body.data as Json[]) {
      expectShape(b, AVAILABLE_ITEM)
      expect(typeof b.id === 'string' && typeof b.label === 'string' && typeof b.price === 'number').toBe(true)
    }
    expect((await paginate('/bank/available')).length).toBe(res.body.total)
  })

  it('create, list, update, refresh and delete a bank account', async () => {
    const input = {
      corporate_id: '',
      bank_type: 'mandiriOnline',
      username: 'saloon-user',
      password: 'saloon-pass',
      name_holder: 'CV Dari Rumah',
      account_number: '1370012345678',
      is_active: true,
    }
    const created = await send('POST', '/bank/store', { json: input })
    expect(created.status).toBe(200)
    // BankAccountData: bank_id, label, account_number, all strings.
    const bank = created.body.bank as Json
    expect(bank.bank_id).toMatch(ID)
    expect(typeof bank.label).toBe('string')
    expect(bank.account_number).toBe('1370012345678')
    expectBank(bank, mootaFixture('BankAccount/MockStoreBankAccountResponse.json').bank)
    bankId = bank.bank_id

    const listed = await paginate('/bank')
    expect(listed.map((b) => b.bank_id)).toEqual([bankId])

    const updated = await send('POST', `/bank/update/${bankId}`, { json: { ...input, name_holder: 'CV Dari Rumah Jaya' } })
    expect(updated.status).toBe(200)
    expectBank(updated.body.bank, mootaFixture('BankAccount/MockUpdateBankAccountResponse.json').bank)
    expect(updated.body.bank).toMatchObject({ bank_id: bankId, atas_nama: 'CV Dari Rumah Jaya', bank_type: 'mandiriOnline' })

    const ok = { status: 200, body: mootaFixture('MockRequestSuccessResponse.json') }
    // Saloon requests without a body: no Content-Type, nothing sent.
    expect(await send('POST', `/bank/${bankId}/refresh`)).toEqual(ok)
  })

  it('mutation list with type, bank and Y-m-d dates, paged to the end; DTO fields in their forms', async () => {
    const rows = Array.from({ length: 105 }, (_, i) => ({
      occurredAt: new Date(Date.UTC(2026, 10, 10, 1, 0, i)).toISOString(),
      amount: BigInt(1_000_000 + i),
      description: `TRSF ${i}`,
    }))
    const account = await getAccount(t.app.db, owner.workspace, bankId)
    const ids = await insertMutations(t.app.db, owner.workspace, account, rows)

    const items = await paginate('/mutation', { type: 'CR', bank: bankId, start_date: '2026-11-10', end_date: '2026-11-10' })
    expect(items).toHaveLength(105)
    expect(new Set(items.map((m) => m.mutation_id))).toEqual(new Set(ids))
    const fixture = mootaFixture('Mutation/MockMutationResponse.json')
    expectMutation(items[0]!, fixture.data[0])
    for (const m of items) {
      expect(m.date).toMatch(WIB_DATE)
      expect(typeof m.description).toBe('string')
      expect(m.bank.bank_id).toBe(bankId)
    }
    // 01:00:00Z is 08:00:00 in Asia/Jakarta, which is how the DTO parses `date`.
    expect(items.find((m) => m.mutation_id === ids[0])!.date).toBe('2026-11-10 08:00:00')

    expect(await send('POST', `/bank/${bankId}/destroy`)).toEqual({
      status: 200,
      body: mootaFixture('MockRequestSuccessResponse.json'),
    })
  })
})
