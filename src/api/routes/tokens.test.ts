import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createToken } from '../../tokens/tokens.ts'
import { createUser } from '../../users/users.ts'
import { createTenant, startTestServer, type Tenant, type TestServer, tokenWithScopes } from '../test-support.ts'

let t: TestServer
let a: Tenant
let b: Tenant

beforeAll(async () => {
  t = await startTestServer()
  a = await createTenant(t.app.db)
  b = await createTenant(t.app.db)
})
afterAll(async () => {
  await t?.close()
})

type Listed = Record<string, unknown> & { id: string }
const list = async (token: string) => {
  const res = await t.request('GET', '/v1/tokens', { token })
  expect(res.status).toBe(200)
  return { text: await res.clone().text(), data: ((await res.json()) as { data: Listed[] }).data }
}
const create = (token: string, json: unknown) => t.request('POST', '/v1/tokens', { token, json })
const publicIdOf = async (tenant: Tenant) => {
  const [row] = await t.app.db.query<{ public_id: string }>(
    'select public_id from api_tokens where workspace_id = $1 order by id limit 1',
    [tenant.workspace.id],
  )
  return row!.public_id
}

describe('/v1/tokens', () => {
  it('creates a token shown once, lists it without its secret or hash, and never logs it', async () => {
    const res = await create(a.token, { name: 'kasir', scopes: ['mutation_read', 'bank_read'], unknown: 1 })
    expect(res.status).toBe(201)
    const created = (await res.json()) as Listed & { token: string }
    expect(created).toMatchObject({
      id: expect.stringMatching(/^[0-9A-Za-z]{11}$/),
      token: expect.stringMatching(/^lns_pat_/),
      name: 'kasir',
      scopes: ['mutation_read', 'bank_read'],
      user_email: a.email,
      last_used_at: null,
      revoked_at: null,
    })
    expect(created.hint).toBe(`…${created.token.slice(-4)}`)
    expect(Date.parse(created.created_at as string)).not.toBeNaN()

    // The new token works, with exactly its scopes.
    expect((await t.request('GET', '/v1/accounts', { token: created.token })).status).toBe(200)
    expect((await t.request('GET', '/v1/tokens', { token: created.token })).status).toBe(403)

    const { text, data } = await list(a.token)
    const [hashes] = [await t.app.db.query<{ token_hash: string }>('select token_hash from api_tokens')]
    for (const secret of [created.token, a.token, ...hashes.map((h) => h.token_hash)]) expect(text).not.toContain(secret)
    expect(data.map((x) => x.id)).toContain(created.id)
    for (const row of data) {
      expect(Object.keys(row).sort()).toEqual(
        ['created_at', 'hint', 'id', 'last_used_at', 'mode', 'name', 'revoked_at', 'scopes', 'user_email'].sort(),
      )
      expect(row.user_email).toBe(a.email)
    }
    expect(data.find((x) => x.id === created.id)!.last_used_at).not.toBeNull()
    expect(t.logs()).not.toContain(created.token)
    expect(t.logs()).not.toContain(a.token)
  })

  it('refuses scope escalation with 403, and lets an `api` token create any scope', async () => {
    const reader = await tokenWithScopes(t.app.db, a, ['mutation_read'])
    for (const scopes of [['api'], ['bank']]) {
      const res = await create(reader, { scopes })
      expect(res.status).toBe(403)
      expect(res.headers.get('content-type')).toContain('application/problem+json')
    }
    // Even holding `user` (needed to create at all), a token cannot grant what it lacks.
    const manager = await tokenWithScopes(t.app.db, a, ['user', 'mutation_read'])
    for (const scopes of [['api'], ['bank'], ['mutation'], 'bank_read']) {
      const res = await create(manager, { scopes })
      expect(res.status, JSON.stringify(scopes)).toBe(403)
      expect(((await res.json()) as { detail?: string; title?: string }).detail ?? '').toMatch(/scopes it has itself/)
    }
    const narrower = await create(manager, { scopes: ['mutation_read'] })
    expect(narrower.status).toBe(201)
    const inherited = await create(manager, {})
    expect(((await inherited.json()) as { scopes: string[] }).scopes).toEqual(['user', 'mutation_read'])

    for (const scopes of [['api'], ['bank'], ['user', 'bank', 'mutation']]) {
      const res = await create(a.token, { scopes })
      expect(res.status).toBe(201)
      expect(((await res.json()) as { scopes: string[] }).scopes).toEqual(scopes)
    }
    // An empty body is a token like the caller's.
    const bare = await t.request('POST', '/v1/tokens', { token: a.token })
    expect(bare.status).toBe(201)
    expect((await create(a.token, [])).status).toBe(201)
  })

  it('answers 422 naming the field for unknown scopes and wrong types', async () => {
    for (const json of [{ scopes: ['root'] }, { scopes: 5 }, { name: ['x'] }]) {
      const res = await create(a.token, json)
      expect(res.status, JSON.stringify(json)).toBe(422)
      expect(res.headers.get('content-type')).toContain('application/problem+json')
      expect(await res.text()).toMatch(/scopes|name/)
    }
  })

  it('revokes a token: 204, then the token answers 401; revoking again is fine', async () => {
    const res = await create(a.token, { scopes: ['bank_read'] })
    const { id, token } = (await res.json()) as { id: string; token: string }
    expect((await t.request('GET', '/v1/accounts', { token })).status).toBe(200)
    const del = await t.request('DELETE', `/v1/tokens/${id}`, { token: a.token })
    expect(del.status).toBe(204)
    expect(await del.text()).toBe('')
    expect((await t.request('GET', '/v1/accounts', { token })).status).toBe(401)
    expect((await t.request('DELETE', `/v1/tokens/${id}`, { token: a.token })).status).toBe(204)
    const row = (await list(a.token)).data.find((x) => x.id === id)!
    expect(row.revoked_at).not.toBeNull()
    // Revoking needs `user`; `user_read` only lists.
    const readOnly = await tokenWithScopes(t.app.db, a, ['user_read'])
    expect((await t.request('GET', '/v1/tokens', { token: readOnly })).status).toBe(200)
    expect((await t.request('DELETE', `/v1/tokens/${id}`, { token: readOnly })).status).toBe(403)
  })

  it("revokes another member's token only with the api scope; a user token revokes its own user's", async () => {
    const member = `member-${a.workspace.publicId.toLowerCase()}@example.test`
    await createUser(t.app.db, { email: member, password: 'correct horse battery', workspace: a.workspace.name })
    const memberUser = (await createToken(t.app.db, { email: member, scopes: ['user'] })).token
    const ownerApi = (await (await create(a.token, { scopes: ['api'] })).json()) as { id: string; token: string }
    const refused = await t.request('DELETE', `/v1/tokens/${ownerApi.id}`, { token: memberUser })
    expect(refused.status).toBe(403)
    expect((await t.request('GET', '/v1/accounts', { token: ownerApi.token })).status).toBe(200)
    const own = (await (await create(memberUser, { scopes: ['user_read'] })).json()) as { id: string; token: string }
    expect((await t.request('DELETE', `/v1/tokens/${own.id}`, { token: memberUser })).status).toBe(204)
    expect((await t.request('GET', '/v1/tokens', { token: own.token })).status).toBe(401)
    // The owner's `api` token may still switch off a member's integration.
    expect((await t.request('DELETE', `/v1/tokens/${ownerApi.id}`, { token: a.token })).status).toBe(204)
  })

  it("cannot see, revoke or detect another workspace's token", async () => {
    const bId = await publicIdOf(b)
    expect((await list(a.token)).text).not.toContain(bId)
    expect((await list(a.token)).text).not.toContain(b.email)
    const theirs = await t.request('DELETE', `/v1/tokens/${bId}`, { token: a.token })
    const never = await t.request('DELETE', '/v1/tokens/AAAAAAAAAAA', { token: a.token })
    expect(theirs.status).toBe(404)
    expect(never.status).toBe(404)
    expect(theirs.headers.get('content-type')).toContain('application/problem+json')
    expect((await theirs.text()).replaceAll(bId, '<id>')).toBe((await never.text()).replaceAll('AAAAAAAAAAA', '<id>'))
    expect((await t.request('GET', '/v1/tokens', { token: b.token })).status).toBe(200)
    expect((await list(b.token)).data.find((x) => x.id === bId)!.revoked_at).toBeNull()
  })

  it('needs a valid token', async () => {
    expect((await t.request('GET', '/v1/tokens')).status).toBe(401)
    expect((await t.request('POST', '/v1/tokens', { json: {} })).status).toBe(401)
  })
})
