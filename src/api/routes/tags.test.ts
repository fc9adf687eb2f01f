import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Account } from '../../accounts/accounts.ts'
import { newPublicId } from '../../shared/ids.ts'
import { attachTags, tagsOfMutation } from '../../tags/tags.ts'
import {
  addTestAccount,
  createTenant,
  insertMutations,
  startTestServer,
  type Tenant,
  type TestServer,
  tokenWithScopes,
} from '../test-support.ts'

type TagJson = { id: string; name: string; usage?: number }

let t: TestServer
let a: Tenant
let b: Tenant
let bca: Account
let m1: string
let m2: string
let bMutation: string

beforeAll(async () => {
  t = await startTestServer()
  a = await createTenant(t.app.db)
  b = await createTenant(t.app.db)
  bca = await addTestAccount(t.app.db, a.workspace, 'bca')
  ;[m1, m2] = (await insertMutations(t.app.db, a.workspace, bca, [
    { occurredAt: '2026-03-01T01:00:00Z', amount: 100n },
    { occurredAt: '2026-03-01T02:00:00Z', amount: 200n },
  ])) as [string, string]
  const other = await addTestAccount(t.app.db, b.workspace, 'bca')
  ;[bMutation] = (await insertMutations(t.app.db, b.workspace, other, [
    { occurredAt: '2026-03-01T01:00:00Z', amount: 100n },
  ])) as [string]
})
afterAll(() => t?.close())

const req = (method: string, path: string, json?: unknown, token = a.token) =>
  t.request(method, path, { token, ...(json === undefined ? {} : { json }) })

async function ok<T>(res: Response, status = 200): Promise<T> {
  expect(res.status, await res.clone().text()).toBe(status)
  return (await res.json()) as T
}

async function tagNamed(name: string, token = a.token): Promise<TagJson | undefined> {
  const { data } = await ok<{ data: TagJson[] }>(await req('GET', '/v1/tags', undefined, token))
  return data.find((x) => x.name === name)
}

describe('/v1/tags', () => {
  it('creates, lists with usage, renames and deletes tags', async () => {
    const created = await ok<TagJson>(await req('POST', '/v1/tags', { name: ' lunas ' }), 201)
    expect(created).toEqual({ id: expect.stringMatching(/^[0-9A-Za-z]{11}$/), name: 'lunas' })
    await attachTags(t.app.db, a.workspace, m1, ['lunas'])
    await attachTags(t.app.db, a.workspace, m2, ['LUNAS'])
    expect(await tagNamed('lunas')).toEqual({ ...created, usage: 2 })

    const renamed = await ok<TagJson>(await req('PATCH', `/v1/tags/${created.id}`, { name: 'paid' }))
    expect(renamed).toEqual({ id: created.id, name: 'paid' })
    // The mutations carry the same tag object under its new name.
    expect((await tagsOfMutation(t.app.db, a.workspace, m1)).map((x) => x.name)).toEqual(['paid'])

    expect((await req('DELETE', `/v1/tags/${created.id}`)).status).toBe(204)
    expect(await tagNamed('paid')).toBeUndefined()
    expect(await tagsOfMutation(t.app.db, a.workspace, m1)).toEqual([])
  })

  it('does not count deleted mutations in usage', async () => {
    const [gone] = await insertMutations(t.app.db, a.workspace, bca, [{ occurredAt: '2026-03-02T01:00:00Z', amount: 1n }])
    await attachTags(t.app.db, a.workspace, gone!, ['usage-check'])
    expect((await tagNamed('usage-check'))?.usage).toBe(1)
    await req('DELETE', `/v1/mutations/${gone}`)
    expect((await tagNamed('usage-check'))?.usage).toBe(0)
  })

  it('refuses blank and duplicate names as problem+json', async () => {
    await ok(await req('POST', '/v1/tags', { name: 'dup' }), 201)
    const res = await req('POST', '/v1/tags', { name: 'DUP' })
    expect(res.status).toBe(422)
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/)
    expect(await res.json()).toMatchObject({ code: 'validation', field: 'name' })
    expect((await req('POST', '/v1/tags', { name: '  ' })).status).toBe(422)
  })

  it("answers another workspace's tag ids as unknown ones", async () => {
    const theirs = await ok<TagJson>(await req('POST', '/v1/tags', { name: 'b-only' }, b.token), 201)
    for (const [method, json] of [['PATCH', { name: 'x' }], ['DELETE', undefined]] as const) {
      const res = await req(method, `/v1/tags/${theirs.id}`, json)
      expect(res.status).toBe(404)
      const unknown = await req(method, `/v1/tags/${newPublicId()}`, json)
      const detail = async (r: Response) => ((await r.json()) as { detail: string }).detail
      expect((await detail(res)).replace(theirs.id, '<id>')).toBe((await detail(unknown)).replace(/tag \w+/, 'tag <id>'))
    }
    expect(await tagNamed('b-only')).toBeUndefined()
    expect(await tagNamed('b-only', b.token)).toMatchObject({ name: 'b-only' })
  })

  it('needs the mutation scope to write', async () => {
    const reader = await tokenWithScopes(t.app.db, a, ['mutation_read'])
    expect((await req('GET', '/v1/tags', undefined, reader)).status).toBe(200)
    expect((await req('POST', '/v1/tags', { name: 'nope' }, reader)).status).toBe(403)
  })
})

describe('PUT /v1/mutations/{id}/tags and DELETE /v1/mutations/{id}/tags/{tag_id}', () => {
  it('replaces the set by ids and names, creating unknown names', async () => {
    const vip = await ok<TagJson>(await req('POST', '/v1/tags', { name: 'vip' }), 201)
    const { data } = await ok<{ data: TagJson[] }>(
      await req('PUT', `/v1/mutations/${m2}/tags`, { tag_ids: [vip.id], names: ['order-77', 'VIP'] }),
    )
    expect(data.map((x) => x.name)).toEqual(['vip', 'order-77'])
    expect(data[0]).toEqual({ id: vip.id, name: 'vip' })

    const shown = await ok<{ tags: TagJson[] }>(await req('GET', `/v1/mutations/${m2}`))
    expect(shown.tags).toEqual(data)

    const after = await ok<{ data: TagJson[] }>(await req('PUT', `/v1/mutations/${m2}/tags`, { names: ['order-77'] }))
    expect(after.data.map((x) => x.name)).toEqual(['order-77'])
    expect(await ok<{ data: TagJson[] }>(await req('PUT', `/v1/mutations/${m2}/tags`, {}))).toEqual({ data: [] })
  })

  it('refuses an unknown or foreign tag id without changing anything', async () => {
    await req('PUT', `/v1/mutations/${m1}/tags`, { names: ['keep'] })
    const theirs = await ok<TagJson>(await req('POST', '/v1/tags', { name: 'theirs' }, b.token), 201)
    for (const id of [theirs.id, newPublicId()]) {
      const res = await req('PUT', `/v1/mutations/${m1}/tags`, { tag_ids: [id], names: ['new-name'] })
      expect(res.status).toBe(422)
      expect(await res.json()).toMatchObject({ code: 'validation', field: 'tag_ids', detail: `tag ${id} not found` })
    }
    expect((await tagsOfMutation(t.app.db, a.workspace, m1)).map((x) => x.name)).toEqual(['keep'])
    expect(await tagNamed('new-name')).toBeUndefined()
  })

  it('detaches one tag by id', async () => {
    const { data } = await ok<{ data: TagJson[] }>(await req('PUT', `/v1/mutations/${m1}/tags`, { names: ['x1', 'x2'] }))
    expect((await req('DELETE', `/v1/mutations/${m1}/tags/${data[0]!.id}`)).status).toBe(204)
    expect((await tagsOfMutation(t.app.db, a.workspace, m1)).map((x) => x.name)).toEqual(['x2'])
    expect((await req('DELETE', `/v1/mutations/${m1}/tags/${newPublicId()}`)).status).toBe(404)
  })

  it("answers another workspace's mutation as unknown", async () => {
    expect((await req('PUT', `/v1/mutations/${bMutation}/tags`, { names: ['a'] })).status).toBe(404)
    expect((await req('PUT', `/v1/mutations/${newPublicId()}/tags`, { names: ['a'] })).status).toBe(404)
    const theirs = await ok<TagJson>(await req('POST', '/v1/tags', { name: 'bm' }, b.token), 201)
    await req('PUT', `/v1/mutations/${bMutation}/tags`, { tag_ids: [theirs.id] }, b.token)
    expect((await req('DELETE', `/v1/mutations/${bMutation}/tags/${theirs.id}`)).status).toBe(404)
    expect((await tagsOfMutation(t.app.db, b.workspace, bMutation)).map((x) => x.name)).toEqual(['bm'])
  })
})
