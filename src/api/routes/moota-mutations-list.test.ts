/**
 * GET /api/v2/mutation, /mutation/summary, POST /mutation/{id}/note and /mutation/destroy over real HTTP and a real
 * database, checked against Moota's captured responses (test/fixtures/moota-api/Mutation/).
 */
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Account } from '../../accounts/accounts.ts'
import { ingest } from '../../ledger/ingest.ts'
import { randomBase62 } from '../../shared/ids.ts'
import type { Workspace } from '../../workspaces/workspaces.ts'
import {
  addTestAccount,
  createTenant,
  insertMutations,
  startTestServer,
  type Tenant,
  type TestServer,
  tokenWithScopes,
} from '../test-support.ts'

type Json = Record<string, unknown>
const fixture = (name: string): Json =>
  JSON.parse(
    readFileSync(new URL(`../../../test/fixtures/moota-api/Mutation/${name}.json`, import.meta.url), 'utf8'),
  ) as Json

const MOCK_LIST = fixture('MockMutationResponse')
const MOCK_NOTE = fixture('MockaddNoteMutationResponse')
const MOCK_FAIL_NOTE = fixture('MockFailAddNoteMutationResponse')
const MOCK_DESTROY = fixture('MockDestroyMutation')
const MOCK_FAIL_DESTROY = fixture('MockFailDestrotMutation')
const MOCK_INVALID_DESTROY = fixture('MockInvalidRequestDestroyMutation')

const jsonType = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v)
// BankAccount fields Lunas has no value for answer null where Moota's fixture has a value.
const NULLABLE_BANK_KEYS = new Set(['date_from', 'date_to', 'meta', 'recurred_at', 'next_queue', 'last_update'])
const MONEY = /^-?\d+\.\d{2}$/
const ID = /^[0-9A-Za-z]{11}$/
const WIB = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/

/** Every key of Moota's item is present in ours with the same JSON type (nested bank too). */
function expectConforms(ours: Json, theirs: Json) {
  for (const [key, value] of Object.entries(theirs)) {
    expect(ours, `key ${key}`).toHaveProperty(key)
    if (key === 'bank') continue
    expect(jsonType(ours[key]), `type of ${key}`).toBe(jsonType(value))
  }
  const bank = ours.bank as Json
  for (const [key, value] of Object.entries(theirs.bank as Json)) {
    expect(bank, `bank.${key}`).toHaveProperty(key)
    if (NULLABLE_BANK_KEYS.has(key) && (bank[key] === null || value === null)) {
      expect(['null', 'string'], `type of bank.${key}`).toContain(jsonType(bank[key]))
      continue
    }
    expect(jsonType(bank[key]), `type of bank.${key}`).toBe(jsonType(value))
  }
  for (const key of ['mutation_id', 'token', 'bank_id']) expect(ours[key]).toMatch(ID)
  expect(ours.token).toBe(ours.mutation_id)
  for (const key of ['amount', 'balance']) expect(ours[key]).toMatch(MONEY)
  for (const key of ['date', 'created_at', 'updated_at']) expect(ours[key]).toMatch(WIB)
  expect(bank.balance).toMatch(MONEY)
  expect(bank.bank_id).toMatch(ID)
  expect(bank.token).toBe(bank.bank_id)
  expect(bank.username).toBe('')
  expect(bank.created_at).toMatch(WIB)
  expect(typeof bank.sandbox).toBe('boolean')
}

let t: TestServer
let a: Tenant
let b: Tenant
let bca: Account
let mandiri: Account
let sandbox: Account
let bcaB: Account
// a's mutations, named for the test; newest first: m3, m4, m2, m1 (s1 is sandbox).
let m1: string, m2: string, m3: string, m4: string, s1: string, b1: string
let tagLunas: string

async function addTag(ws: Workspace, name: string, mutationIds: string[]): Promise<string> {
  const publicId = randomBase62(11)
  const [tag] = await t.app.db.query<{ id: string }>(
    'insert into tags (public_id, workspace_id, name) values ($1, $2, $3) returning id',
    [publicId, ws.id, name],
  )
  for (const m of mutationIds)
    await t.app.db.query(
      'insert into mutation_tags (mutation_id, tag_id) select id, $2 from mutations where public_id = $1',
      [m, tag!.id],
    )
  return publicId
}

beforeAll(async () => {
  t = await startTestServer()
  a = await createTenant(t.app.db)
  b = await createTenant(t.app.db)
  bca = await addTestAccount(t.app.db, a.workspace, 'bca')
  mandiri = await addTestAccount(t.app.db, a.workspace, 'mandiriOnline')
  sandbox = await addTestAccount(t.app.db, a.workspace, 'sandbox')
  bcaB = await addTestAccount(t.app.db, b.workspace, 'bca')
  ;[m1, m2, m3] = await insertMutations(t.app.db, a.workspace, bca, [
    { occurredAt: '2026-03-01T10:00:00+07:00', amount: 15012300n, description: 'TRANSFER DARI BUDI' },
    { occurredAt: '2026-03-02T09:00:00+07:00', amount: 5000000n, type: 'DB', description: 'BIAYA ADM 100%' },
    { occurredAt: '2026-03-03T23:30:00+07:00', amount: 7500050n, description: 'Transfer dari SITI' },
  ]) as [string, string, string]
  ;[m4] = (await insertMutations(t.app.db, a.workspace, mandiri, [
    { occurredAt: '2026-03-02T12:00:00+07:00', amount: 15012300n, description: 'SETORAN TUNAI' },
  ])) as [string]
  ;[s1] = (await insertMutations(t.app.db, a.workspace, sandbox, [
    { occurredAt: '2026-03-02T13:00:00+07:00', amount: 99900n, description: 'SANDBOX TEST' },
  ])) as [string]
  ;[b1] = (await insertMutations(t.app.db, b.workspace, bcaB, [
    { occurredAt: '2026-03-02T10:00:00+07:00', amount: 15012300n, description: 'TRANSFER DARI BUDI' },
  ])) as [string]
  await t.app.db.query(`update mutations set note = 'Order #123', balance = 100000000 where public_id = $1`, [m1])
  tagLunas = await addTag(a.workspace, 'lunas', [m1])
  await addTag(a.workspace, 'Car', [m4])
  await addTag(b.workspace, 'lunas', [b1])
})

afterAll(async () => {
  await t?.close()
})

async function list(query = '', token = a.token): Promise<Json> {
  const res = await t.request('GET', `/api/v2/mutation${query}`, { token })
  expect(res.status, `${query}: ${res.status}`).toBe(200)
  return (await res.json()) as Json
}
const ids = async (query = '', token = a.token) =>
  ((await list(query, token)).data as Json[]).map((m) => m.mutation_id)

describe('GET /api/v2/mutation', () => {
  it("answers Moota's paginator with items of the fixture's JSON types", async () => {
    const page = await list()
    const theirs = MOCK_LIST.data as Json[]
    for (const item of page.data as Json[]) expectConforms(item, theirs[0]!)
    for (const [key, value] of Object.entries(MOCK_LIST)) {
      expect(page, key).toHaveProperty(key)
      if (!['next_page_url', 'prev_page_url'].includes(key)) expect(jsonType(page[key]), key).toBe(jsonType(value))
    }
    expect(page).toMatchObject({
      current_page: 1,
      from: 1,
      to: 4,
      last_page: 1,
      per_page: 10,
      total: 4,
      next_page_url: null,
      prev_page_url: null,
      path: `${t.url}/api/v2/mutation`,
      first_page_url: `${t.url}/api/v2/mutation?page=1`,
    })
    expect((page.data as Json[]).map((m) => m.mutation_id)).toEqual([m3, m4, m2, m1])
  })

  it('shows each mutation as Moota does: WIB dates, decimal strings, taggings and the bank', async () => {
    const data = (await list()).data as Json[]
    const first = data.find((m) => m.mutation_id === m1)!
    expect(first).toMatchObject({
      account_number: bca.accountNumber,
      date: '2026-03-01 10:00:00',
      description: 'TRANSFER DARI BUDI',
      amount: '150123.00',
      type: 'CR',
      note: 'Order #123',
      balance: '1000000.00',
      token: m1,
      bank_id: bca.publicId,
      bank_type: 'bca',
      taggings: [{ name: 'lunas', tag_id: tagLunas }],
    })
    expect(first.bank).toMatchObject({
      corporate_id: null,
      username: '',
      atas_nama: 'PT Contoh Jaya',
      balance: '1000000.00',
      account_number: bca.accountNumber,
      bank_type: 'bca',
      login_retry: 0,
      meta: null,
      interval_refresh: 15,
      is_active: true,
      in_queue: 0,
      in_progress: 0,
      token: bca.publicId,
      bank_id: bca.publicId,
      last_update: null,
      sandbox: false,
    })
    const debit = data.find((m) => m.mutation_id === m2)!
    expect(debit).toMatchObject({ type: 'DB', amount: '50000.00', balance: '0.00', note: '', taggings: [] })
    expect(data.find((m) => m.mutation_id === m3)).toMatchObject({ amount: '75000.50', date: '2026-03-03 23:30:00' })
    expect((data.find((m) => m.mutation_id === m4)!.bank as Json).balance).toBe('0.00')
  })

  it('pages with exact totals, keeps the filters in page URLs and answers an empty page past the end', async () => {
    const p1 = await list('?per_page=2&type=CR')
    expect(p1).toMatchObject({ current_page: 1, per_page: 2, total: 3, last_page: 2, from: 1, to: 2 })
    expect(p1.next_page_url).toBe(`${t.url}/api/v2/mutation?per_page=2&type=CR&page=2`)
    const p2 = await list('?per_page=2&type=CR&page=2')
    expect(p2).toMatchObject({ current_page: 2, total: 3, from: 3, to: 3, next_page_url: null })
    expect(p2.prev_page_url).toBe(`${t.url}/api/v2/mutation?per_page=2&type=CR&page=1`)
    expect((p2.data as Json[]).map((m) => m.mutation_id)).toEqual([m1])
    const past = await list('?per_page=2&page=99')
    expect(past).toMatchObject({ current_page: 99, data: [], from: null, to: null, total: 4, last_page: 2 })
  })

  it('caps per_page at 100 and treats a bad page or per_page as the default, as Laravel does', async () => {
    expect(await list('?per_page=500')).toMatchObject({ per_page: 100, last_page: 1 })
    expect(await list('?page=0&per_page=abc')).toMatchObject({ current_page: 1, per_page: 10 })
    expect(await list('?page=-3')).toMatchObject({ current_page: 1 })
  })

  it.each<[string, () => string[]]>([
    ['?type=CR', () => [m3, m4, m1]],
    ['?type=cr', () => [m3, m4, m1]],
    ['?type=debit', () => [m2]],
    ['?type=credit', () => [m3, m4, m1]],
    ['?amount=150123', () => [m4, m1]],
    ['?amount=150123.00', () => [m4, m1]],
    ['?amount=75000.5', () => [m3]],
    ['?description=dari', () => [m3, m1]],
    ['?description=100%25', () => [m2]],
    ['?description=%25', () => [m2]],
    ['?description=_', () => []],
    ['?note=ORDER', () => [m1]],
    ['?date=2026-03-02', () => [m4, m2]],
    ['?date=2026-03-03', () => [m3]],
    ['?start_date=2026-03-02', () => [m3, m4, m2]],
    ['?end_date=2026-03-02', () => [m4, m2, m1]],
    ['?start_date=2026-03-02&end_date=2026-03-02', () => [m4, m2]],
    ['?start_date=2026-03-04', () => []],
    ['?tag=LUNAS', () => [m1]],
    ['?tag=car,lunas', () => [m4, m1]],
    ['?tag=%20car%20,', () => [m4]],
    ['?tag=nothing', () => []],
    ['?type=CR&description=transfer&start_date=2026-03-02', () => [m3]],
  ])('filters %s', async (query, expected) => {
    expect(await ids(query)).toEqual(expected())
  })

  it('filters by account with bank or bank_id, and shows sandbox mutations only when the account is named', async () => {
    expect(await ids(`?bank=${bca.publicId}`)).toEqual([m3, m2, m1])
    expect(await ids(`?bank_id=${mandiri.publicId}`)).toEqual([m4])
    const sb = await list(`?bank=${sandbox.publicId}`)
    expect((sb.data as Json[]).map((m) => m.mutation_id)).toEqual([s1])
    expect((sb.data as Json[])[0]!.bank).toMatchObject({ bank_type: 'sandbox', sandbox: true })
    for (const q of ['', '?type=CR', '?date=2026-03-02', '?amount=999', '?description=sandbox', '?per_page=100'])
      expect(await ids(q), q).not.toContain(s1)
  })

  it('answers an unknown bank with 404 "Bank tidak ditemukan."', async () => {
    const res = await t.request('GET', '/api/v2/mutation?bank=AAAAAAAAAAA', { token: a.token })
    expect(res.status).toBe(404)
    expect(await res.json()).toEqual({ error: true, message: 'Bank tidak ditemukan.' })
  })

  it.each([
    ['?type=XX', 'type'],
    ['?amount=abc', 'amount'],
    ['?start_date=2026-02-30', 'start_date'],
    ['?date=yesterday', 'date'],
    ['?description=a&description=b', 'description'],
  ])('refuses %s with 422 naming the field', async (query, field) => {
    const res = await t.request('GET', `/api/v2/mutation${query}`, { token: a.token })
    expect(res.status).toBe(422)
    const json = (await res.json()) as { message: string; errors: Record<string, string[]> }
    expect(typeof json.message).toBe('string')
    expect(Object.keys(json.errors)).toEqual([field])
  })

  it('handles SQL-looking and huge query strings safely', async () => {
    expect(await ids(`?description=${encodeURIComponent("x' or 1=1; drop table mutations; --")}`)).toEqual([])
    expect(await ids(`?tag=${encodeURIComponent("lunas') or true --")}`)).toEqual([])
    const res = await t.request('GET', `/api/v2/mutation?description=${'a'.repeat(5000)}`, { token: a.token })
    expect(res.status).toBe(422)
    expect(await ids()).toEqual([m3, m4, m2, m1])
  })
})

describe('GET /api/v2/mutation/summary', () => {
  async function summary(query = '', token = a.token) {
    const res = await t.request('GET', `/api/v2/mutation/summary${query}`, { token })
    expect(res.status).toBe(200)
    return ((await res.json()) as { data: Json }).data
  }

  it('sums live mutations only, as decimal strings', async () => {
    expect(await summary()).toEqual({
      start_date: null,
      end_date: null,
      type: null,
      total_bank_active: 2,
      total_bank_inactive: 0,
      bank: null,
      credit_count: 3,
      credit_amount: '375246.50',
      debit_count: 1,
      debit_amount: '50000.00',
      total_saving: '325246.50',
    })
  })

  it('narrows by day range, type and bank (a sandbox bank included when named)', async () => {
    expect(await summary('?start_date=2026-03-02&end_date=2026-03-02')).toMatchObject({
      start_date: '2026-03-02',
      end_date: '2026-03-02',
      credit_count: 1,
      credit_amount: '150123.00',
      debit_count: 1,
      debit_amount: '50000.00',
      total_saving: '100123.00',
    })
    expect(await summary('?type=DB')).toMatchObject({ type: 'DB', credit_count: 0, credit_amount: '0.00', debit_count: 1 })
    expect(await summary('?type=DB')).toMatchObject({ total_saving: '-50000.00' })
    const sb = await summary(`?bank=${sandbox.publicId}`)
    expect(sb).toMatchObject({ credit_count: 1, credit_amount: '999.00', total_bank_active: 1, debit_count: 0 })
    expect(sb.bank).toMatchObject({ bank_id: sandbox.publicId, sandbox: true })
  })

  it('answers an unknown or foreign bank with 404', async () => {
    const res = await t.request('GET', `/api/v2/mutation/summary?bank_id=${bca.publicId}`, { token: b.token })
    expect(res.status).toBe(404)
    expect(await res.json()).toEqual({ error: true, message: 'Bank tidak ditemukan.' })
  })
})

describe('POST /api/v2/mutation/{mutation_id}/note', () => {
  it("sets the note and answers Moota's shape with the mutation and its bank", async () => {
    const res = await t.request('POST', `/api/v2/mutation/${m2}/note`, { token: a.token, json: { note: 'paid' } })
    expect(res.status).toBe(200)
    const json = (await res.json()) as { status: boolean; mutation: Json }
    expect(json.status).toBe(true)
    expectConforms(json.mutation, MOCK_NOTE.mutation as Json)
    expect(json.mutation).toMatchObject({ mutation_id: m2, note: 'paid', bank_id: bca.publicId })
    expect(await ids('?note=PAID')).toEqual([m2])
  })

  it('answers 404 in Moota shape for an unknown id and 422 for a missing note', async () => {
    const res = await t.request('POST', '/api/v2/mutation/AAAAAAAAAAA/note', { token: a.token, json: { note: 'x' } })
    expect(res.status).toBe(404)
    expect(await res.json()).toMatchObject(MOCK_FAIL_NOTE)
    const bad = await t.request('POST', `/api/v2/mutation/${m2}/note`, { token: a.token, json: {} })
    expect(bad.status).toBe(422)
    expect(await bad.json()).toEqual({ message: 'The given data was invalid.', errors: { note: ['Kolom note harus diisi.'] } })
  })
})

describe('tenant isolation', () => {
  it("never shows, notes or destroys another workspace's mutations, nor filters by its banks", async () => {
    expect(await ids('', b.token)).toEqual([b1])
    expect(await ids('?tag=lunas', b.token)).toEqual([b1])
    expect(await ids('?per_page=100&description=budi', b.token)).toEqual([b1])
    for (const q of [`?bank=${bca.publicId}`, `?bank_id=${sandbox.publicId}`]) {
      const res = await t.request('GET', `/api/v2/mutation${q}`, { token: b.token })
      expect(res.status).toBe(404)
      expect(await res.json()).toEqual({ error: true, message: 'Bank tidak ditemukan.' })
    }
    const note = await t.request('POST', `/api/v2/mutation/${m1}/note`, { token: b.token, json: { note: 'hijack' } })
    expect(note.status).toBe(404)
    expect(await note.json()).toMatchObject(MOCK_FAIL_NOTE)
    const destroy = await t.request('POST', '/api/v2/mutation/destroy', { token: b.token, json: { mutations: [m1, s1] } })
    expect(destroy.status).toBe(404)
    expect(await destroy.json()).toEqual(MOCK_FAIL_DESTROY)
    const mine = ((await list()).data as Json[]).find((m) => m.mutation_id === m1)
    expect(mine).toMatchObject({ note: 'Order #123' })
    expect(await ids(`?bank=${sandbox.publicId}`)).toEqual([s1])
  })

  it('needs the mutation scope to write; mutation_read only reads', async () => {
    const reader = await tokenWithScopes(t.app.db, a, ['mutation_read'])
    expect(await ids('', reader)).toEqual([m3, m4, m2, m1])
    const note = await t.request('POST', `/api/v2/mutation/${m1}/note`, { token: reader, json: { note: 'x' } })
    expect(note.status).toBe(403)
    expect(typeof ((await note.json()) as Json).message).toBe('string')
    const destroy = await t.request('POST', '/api/v2/mutation/destroy', { token: reader, json: { mutations: [m1] } })
    expect(destroy.status).toBe(403)
    expect(await ids()).toContain(m1)
    const other = await tokenWithScopes(t.app.db, a, ['bank_read'])
    expect((await t.request('GET', '/api/v2/mutation', { token: other })).status).toBe(403)
    expect((await t.request('GET', '/api/v2/mutation/summary', { token: other })).status).toBe(403)
  })
})

describe('POST /api/v2/mutation/destroy', () => {
  it('refuses a missing or malformed list in the words of the fixture', async () => {
    for (const json of [{}, [], null]) {
      const res = await t.request('POST', '/api/v2/mutation/destroy', { token: a.token, json })
      expect(res.status, JSON.stringify(json)).toBe(422)
      expect(await res.json()).toEqual(MOCK_INVALID_DESTROY)
    }
    for (const json of [{ mutations: 'abc' }, { mutations: [] }, { mutations: [1, 2] }]) {
      const res = await t.request('POST', '/api/v2/mutation/destroy', { token: a.token, json })
      expect(res.status, JSON.stringify(json)).toBe(422)
      const body = (await res.json()) as { message: string; errors: Json }
      expect(Object.keys(body.errors).every((k) => k.startsWith('mutations'))).toBe(true)
    }
  })

  it('leaves tombstones: a destroyed mutation is gone and a re-read of the same row does not bring it back', async () => {
    const bni = await addTestAccount(t.app.db, a.workspace, 'bni')
    const row = { date: '2026-03-05', amount: '250000.00', type: 'CR' as const, description: 'TRF DARI ANI' }
    const first = await ingest(t.app.db, a.workspace, { accountId: bni.publicId, source: 'csv', rows: [row] })
    const id = first.inserted[0]!.publicId
    expect(await ids(`?bank=${bni.publicId}`)).toEqual([id])

    const res = await t.request('POST', '/api/v2/mutation/destroy', {
      token: a.token,
      json: { mutations: [id, 'AAAAAAAAAAA', b1] },
    })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual(MOCK_DESTROY)
    expect(await ids(`?bank=${bni.publicId}`)).toEqual([])
    expect(await ids('?per_page=100')).not.toContain(id)

    const again = await ingest(t.app.db, a.workspace, { accountId: bni.publicId, source: 'csv', rows: [row] })
    expect(again.inserted).toEqual([])
    expect(await ids(`?bank=${bni.publicId}`)).toEqual([])
    const note = await t.request('POST', `/api/v2/mutation/${id}/note`, { token: a.token, json: { note: 'x' } })
    expect(note.status).toBe(404)

    const twice = await t.request('POST', '/api/v2/mutation/destroy', { token: a.token, json: { mutations: [id] } })
    expect(twice.status).toBe(404)
    expect(await twice.json()).toEqual(MOCK_FAIL_DESTROY)
    expect(await ids('', b.token)).toEqual([b1])
  })
})
