import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ingest } from '../../ledger/ingest.ts'
import { tagsOfMutation } from '../../tags/tags.ts'
import type { Workspace } from '../../workspaces/workspaces.ts'
import { addTestAccount, createTenant, startTestServer, type Tenant, type TestServer, tokenWithScopes } from '../test-support.ts'

// Moota's own mock responses (shared/fixtures/moota-api/Tagging/), copied so the suite runs from a bare clone.
const MOCK_LIST = {
  error: false,
  tagging: [
    { name: 'cash', tag_id: 'VLagzqBj42D' },
    { name: 'assurance', tag_id: 'e42qjy2WGE5' },
  ],
}
const MOCK_STORE = { error: false, tagging: { name: 'assurance', tag_id: 'VLagzqBj42D' } }
const MOCK_UPDATE = { error: false, message: 'Tag berhasil diupdate' }
const MOCK_INVALID = { message: 'The given data was invalid.', errors: { name: ['Kolom name harus diisi.'] } }
const NOT_FOUND = { error: true, message: 'Data tidak ditemukan' }

/** The JSON type of every leaf, so shapes compare by type rather than by value. */
function typesOf(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(typesOf)
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, typesOf(v)]))
  return value === null ? 'null' : typeof value
}

let t: TestServer
let a: Tenant
let b: Tenant
let n = 0

beforeAll(async () => {
  t = await startTestServer()
  a = await createTenant(t.app.db)
  b = await createTenant(t.app.db)
})

afterAll(async () => {
  await t?.close()
})

async function newMutation(ws: Workspace): Promise<string> {
  const account = await addTestAccount(t.app.db, ws, 'bca')
  const result = await ingest(t.app.db, ws, {
    accountId: account.publicId,
    source: 'csv',
    rows: [{ date: '2026-11-20', type: 'CR', amount: '150123', description: `X ${++n}` }],
  })
  return result.inserted[0]!.publicId
}

async function call(method: string, path: string, opts: { token?: string; json?: unknown } = {}) {
  const res = await t.request(method, `/api/v2${path}`, { token: a.token, ...opts })
  expect(res.headers.get('content-type')).toMatch(/^application\/json/)
  return { status: res.status, json: (await res.json()) as Record<string, unknown> }
}

type Listed = { error: boolean; tagging: Array<{ name: string; tag_id: string }> }
const tagNames = async (ws: Workspace, mutation: string) =>
  (await tagsOfMutation(t.app.db, ws, mutation)).map((x) => x.name)

describe('the WordPress plugin flow on a matched payment', () => {
  it('lists, creates the missing tag, then attaches [order_id] and ["WooCommerce"]', async () => {
    const mutation = await newMutation(a.workspace)
    const orderId = 4711

    const list = await call('GET', '/tagging')
    expect(list.status).toBe(200)
    expect(list.json).toEqual({ error: false, tagging: [] })

    // The plugin looks for its name in tagging[*].name and creates it when absent.
    const names = (list.json as Listed).tagging.map((x) => x.name)
    if (!names.includes('WooCommerce')) {
      const created = await call('POST', '/tagging', { json: { name: 'WooCommerce' } })
      expect(created.status).toBe(200)
      expect(typesOf(created.json)).toEqual(typesOf(MOCK_STORE))
      expect(created.json).toMatchObject({ error: false, tagging: { name: 'WooCommerce' } })
    }

    // PHP json_encode sends the order id as a number.
    const first = await call('POST', `/tagging/mutation/${mutation}`, { json: { name: [orderId] } })
    expect(first).toEqual({ status: 200, json: { message: 'OK' } })
    const second = await call('POST', `/tagging/mutation/${mutation}`, { json: { name: ['WooCommerce'] } })
    expect(second).toEqual({ status: 200, json: { message: 'OK' } })
    expect(await tagNames(a.workspace, mutation)).toEqual(['WooCommerce', '4711'])

    // A retried webhook repeats the calls: nothing doubles.
    await call('POST', `/tagging/mutation/${mutation}`, { json: { name: [orderId] } })
    await call('POST', `/tagging/mutation/${mutation}`, { json: { name: 'WooCommerce' } })
    expect(await tagNames(a.workspace, mutation)).toEqual(['WooCommerce', '4711'])
    const after = (await call('GET', '/tagging')).json as Listed
    expect(after.tagging.map((x) => x.name)).toEqual(['WooCommerce', '4711'])
  })
})

describe('tag CRUD', () => {
  it("answers the list and store in Moota's shapes and JSON types, with 11-character ids", async () => {
    for (const name of ['cash', 'assurance']) {
      const res = await call('POST', '/tagging', { json: { name } })
      expect(res.status).toBe(200)
      expect(typesOf(res.json)).toEqual(typesOf(MOCK_STORE))
      expect((res.json as { tagging: { tag_id: string } }).tagging.tag_id).toMatch(/^[0-9A-Za-z]{11}$/)
    }
    const list = (await call('GET', '/tagging?tag=cash,ASSURANCE')).json as Listed
    expect(typesOf(list)).toEqual(typesOf(MOCK_LIST))
    expect(list.error).toBe(false)
    expect(list.tagging.map((x) => x.name)).toEqual(['cash', 'assurance'])
    for (const tag of list.tagging) expect(tag.tag_id).toMatch(/^[0-9A-Za-z]{11}$/)
    const one = (await call('GET', '/tagging?tag=cash')).json as Listed
    expect(one.tagging.map((x) => x.name)).toEqual(['cash'])
  })

  it('answers 422 with errors.name for a missing name and for a name taken in any case', async () => {
    for (const json of [{}, [], { name: '' }, { name: '   ' }, { name: null }, undefined]) {
      const res = await call('POST', '/tagging', { json })
      expect(res, JSON.stringify(json)).toEqual({ status: 422, json: MOCK_INVALID })
    }
    await call('POST', '/tagging', { json: { name: 'dupe' } })
    const dupe = await call('POST', '/tagging', { json: { name: ' DUPE ' } })
    expect(dupe.status).toBe(422)
    expect(dupe.json).toEqual({
      message: 'The name has already been taken.',
      errors: { name: ['The name has already been taken.'] },
    })
  })

  it('renames with PUT or POST and deletes with DELETE', async () => {
    const { json } = await call('POST', '/tagging', { json: { name: 'old' } })
    const id = (json as { tagging: { tag_id: string } }).tagging.tag_id
    expect(await call('PUT', `/tagging/${id}`, { json: { name: 'newer' } })).toEqual({ status: 200, json: MOCK_UPDATE })
    expect(await call('POST', `/tagging/${id}`, { json: { name: 'newest' } })).toEqual({
      status: 200,
      json: MOCK_UPDATE,
    })
    let list = (await call('GET', '/tagging?tag=newest')).json as Listed
    expect(list.tagging).toEqual([{ name: 'newest', tag_id: id }])
    expect((await call('PUT', `/tagging/${id}`, { json: { name: 'CASH' } })).status).toBe(422)

    const mutation = await newMutation(a.workspace)
    await call('POST', `/tagging/mutation/${mutation}`, { json: { name: ['newest', 'other'] } })
    expect(await call('DELETE', `/tagging/${id}`)).toEqual({ status: 200, json: { message: 'OK' } })
    list = (await call('GET', '/tagging?tag=newest')).json as Listed
    expect(list.tagging).toEqual([])
    expect(await tagNames(a.workspace, mutation)).toEqual(['other'])
    expect(await call('DELETE', `/tagging/${id}`)).toMatchObject({ status: 404, json: NOT_FOUND })
  })
})

describe('tags of a mutation', () => {
  it('replaces with PUT and detaches with DELETE carrying a JSON body', async () => {
    const mutation = await newMutation(a.workspace)
    await call('POST', `/tagging/mutation/${mutation}`, { json: { name: ['m1', 'm2'] } })
    expect(await call('PUT', `/tagging/mutation/${mutation}`, { json: { name: ['M2', 'm3'] } })).toEqual({
      status: 200,
      json: { message: 'OK' },
    })
    expect(await tagNames(a.workspace, mutation)).toEqual(['m2', 'm3'])
    expect(await call('DELETE', `/tagging/mutation/${mutation}`, { json: { name: ['m3'] } })).toEqual({
      status: 200,
      json: { message: 'OK' },
    })
    expect(await tagNames(a.workspace, mutation)).toEqual(['m2'])
    expect((await call('PUT', `/tagging/mutation/${mutation}`, { json: { name: [] } })).status).toBe(200)
    expect(await tagNames(a.workspace, mutation)).toEqual([])
  })

  it('answers 422 on a missing or empty name list and 404 on an unknown mutation', async () => {
    const mutation = await newMutation(a.workspace)
    for (const json of [{}, [], { name: [] }, { name: {} }]) {
      const res = await call('POST', `/tagging/mutation/${mutation}`, { json })
      expect(res.status, JSON.stringify(json)).toBe(422)
      expect(Object.keys(res.json.errors as object)).toEqual(['name'])
    }
    expect(await call('POST', '/tagging/mutation/AAAAAAAAAAA', { json: { name: ['x'] } })).toMatchObject({
      status: 404,
      json: NOT_FOUND,
    })
  })
})

describe('workspace isolation', () => {
  it("gives workspace B 404 on A's tag and mutation and never lists A's tags", async () => {
    const mutation = await newMutation(a.workspace)
    const { json } = await call('POST', '/tagging', { json: { name: 'a-secret' } })
    const id = (json as { tagging: { tag_id: string } }).tagging.tag_id
    await call('POST', `/tagging/mutation/${mutation}`, { json: { name: ['a-secret'] } })

    const asB = (method: string, path: string, body?: unknown) =>
      call(method, path, { token: b.token, ...(body === undefined ? {} : { json: body }) })
    for (const [method, path, body] of [
      ['PUT', `/tagging/${id}`, { name: 'pwned' }],
      ['POST', `/tagging/${id}`, { name: 'pwned' }],
      ['DELETE', `/tagging/${id}`, undefined],
      ['POST', `/tagging/mutation/${mutation}`, { name: ['pwned'] }],
      ['PUT', `/tagging/mutation/${mutation}`, { name: ['pwned'] }],
      ['DELETE', `/tagging/mutation/${mutation}`, { name: ['a-secret'] }],
    ] as const)
      expect(await asB(method, path, body), `${method} ${path}`).toMatchObject({ status: 404, json: NOT_FOUND })

    const bList = (await asB('GET', '/tagging')).json as Listed
    expect(bList.tagging.map((x) => x.tag_id)).not.toContain(id)
    expect(((await asB('GET', '/tagging?tag=a-secret')).json as Listed).tagging).toEqual([])
    // B may use the same name for its own tag.
    expect((await asB('POST', '/tagging', { name: 'a-secret' })).status).toBe(200)

    const aList = (await call('GET', '/tagging?tag=a-secret')).json as Listed
    expect(aList.tagging).toEqual([{ name: 'a-secret', tag_id: id }])
    expect(await tagNames(a.workspace, mutation)).toEqual(['a-secret'])
  })
})

describe('scopes', () => {
  it('lets a mutation_read token list but answers 403 on every write', async () => {
    const reader = await tokenWithScopes(t.app.db, a, ['mutation_read'])
    const mutation = await newMutation(a.workspace)
    const { json } = await call('POST', '/tagging', { json: { name: 'scoped' } })
    const id = (json as { tagging: { tag_id: string } }).tagging.tag_id

    expect((await call('GET', '/tagging', { token: reader })).status).toBe(200)
    for (const [method, path] of [
      ['POST', '/tagging'],
      ['PUT', `/tagging/${id}`],
      ['POST', `/tagging/${id}`],
      ['DELETE', `/tagging/${id}`],
      ['POST', `/tagging/mutation/${mutation}`],
      ['PUT', `/tagging/mutation/${mutation}`],
      ['DELETE', `/tagging/mutation/${mutation}`],
    ] as const) {
      const res = await call(method, path, { token: reader, json: { name: ['x'] } })
      expect(res.status, `${method} ${path}`).toBe(403)
      expect(typeof res.json.message).toBe('string')
    }
    expect(await tagNames(a.workspace, mutation)).toEqual([])
    expect(((await call('GET', '/tagging?tag=scoped')).json as Listed).tagging).toHaveLength(1)
  })

  it('answers 401 without a token', async () => {
    const res = await t.request('GET', '/api/v2/tagging')
    expect(res.status).toBe(401)
    expect(await res.json()).toEqual({ message: 'Unauthenticated.' })
  })
})
