import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Account } from '../accounts/accounts.ts'
import { canonicalJson, pruneExpiredKeys, requestFingerprint } from '../idempotency/keys.ts'
import { createToken } from '../tokens/tokens.ts'
import { createUser } from '../users/users.ts'
import {
  addTestAccount,
  createTenant,
  insertMutations,
  startTestServer,
  type Tenant,
  tokenWithScopes,
  type TestServer,
} from './test-support.ts'

let t: TestServer
let a: Tenant
let b: Tenant
let sandbox: Account
let bSandbox: Account
let boomCalls = 0
let slowCalls = 0
let openGate: () => void = () => undefined
let gate: Promise<void> = Promise.resolve()

beforeAll(async () => {
  t = await startTestServer((server) => {
    // Test-only routes: one that always fails (5xx outcomes must not be stored) and one that waits for the test.
    server.post('/v1/test-boom', { config: { scope: 'mutation' } }, async () => {
      boomCalls++
      throw new Error('boom')
    })
    server.post('/v1/test-slow', { config: { scope: 'mutation' } }, async () => {
      slowCalls++
      await gate
      return { done: slowCalls }
    })
  })
  a = await createTenant(t.app.db)
  b = await createTenant(t.app.db)
  sandbox = await addTestAccount(t.app.db, a.workspace, 'sandbox')
  bSandbox = await addTestAccount(t.app.db, b.workspace, 'sandbox')
})
afterAll(() => t?.close())

const write = (method: string, path: string, json: unknown, key?: string, token = a.token) =>
  t.request(method, path, { token, json, headers: key === undefined ? {} : { 'idempotency-key': key } })

const post = (json: unknown, key?: string, token = a.token) => write('POST', '/v1/mutations', json, key, token)

async function mutationsOn(account: Account): Promise<number> {
  const [row] = await t.app.db.query<{ n: number }>('select count(*)::int as n from mutations where account_id = $1', [
    account.id,
  ])
  return row!.n
}

const entry = (amount = '1000') => ({ account: sandbox.publicId, amount, type: 'CR', description: 'ORDER 1' })

describe('canonical request fingerprint', () => {
  it('ignores key order but not values, method or path', () => {
    expect(canonicalJson({ b: [1, { y: 2, x: 1 }], a: null })).toBe('{"a":null,"b":[1,{"x":1,"y":2}]}')
    const f = requestFingerprint('POST', '/v1/tags', { name: 'x', z: 1 })
    expect(requestFingerprint('post', '/v1/tags', { z: 1, name: 'x' })).toBe(f)
    expect(requestFingerprint('POST', '/v1/tags', { z: 1, name: 'y' })).not.toBe(f)
    expect(requestFingerprint('PUT', '/v1/tags', { z: 1, name: 'x' })).not.toBe(f)
    expect(requestFingerprint('POST', '/v1/tags?x=1', { z: 1, name: 'x' })).not.toBe(f)
  })
})

describe('Idempotency-Key on /v1 writes', () => {
  it('replays the first response to a retry without running the write again', async () => {
    const before = await mutationsOn(sandbox)
    const first = await post(entry(), 'order-1')
    expect(first.status).toBe(201)
    expect(first.headers.get('idempotent-replayed')).toBeNull()
    const firstBody = await first.text()
    const again = await post({ type: 'CR', description: 'ORDER 1', amount: '1000', account: sandbox.publicId }, 'order-1')
    expect(again.status).toBe(201)
    expect(again.headers.get('idempotent-replayed')).toBe('true')
    expect(again.headers.get('content-type')).toMatch(/^application\/json/)
    expect(await again.text()).toBe(firstBody)
    expect(await mutationsOn(sandbox)).toBe(before + 1)
  })

  it('runs every write without a key, as before', async () => {
    const before = await mutationsOn(sandbox)
    expect((await post(entry())).status).toBe(201)
    expect((await post(entry())).status).toBe(201)
    expect(await mutationsOn(sandbox)).toBe(before + 2)
  })

  it('refuses the same key with a different body or path (422 problem+json), running nothing', async () => {
    expect((await post(entry('5000'), 'order-2')).status).toBe(201)
    const before = await mutationsOn(sandbox)
    const other = await post(entry('5001'), 'order-2')
    expect(other.status).toBe(422)
    expect(other.headers.get('content-type')).toMatch(/^application\/problem\+json/)
    expect(await other.json()).toMatchObject({ code: 'validation', field: 'Idempotency-Key' })
    expect((await write('POST', '/v1/tags', { name: 'x' }, 'order-2')).status).toBe(422)
    expect(await mutationsOn(sandbox)).toBe(before)
  })

  it('keeps keys per workspace: the same key in another workspace is its own request', async () => {
    expect((await post(entry(), 'shared-key')).status).toBe(201)
    const theirs = await post({ ...entry(), account: bSandbox.publicId }, 'shared-key', b.token)
    expect(theirs.status).toBe(201)
    expect(theirs.headers.get('idempotent-replayed')).toBeNull()
    expect(await theirs.json()).toMatchObject({ account_id: bSandbox.publicId })
    expect(await mutationsOn(bSandbox)).toBe(1)
  })

  it('stores 4xx answers, including validation failures, and replays them', async () => {
    const bad = await post({ account: sandbox.publicId, amount: '-1', type: 'CR' }, 'bad-1')
    expect(bad.status).toBe(422)
    const again = await post({ account: sandbox.publicId, amount: '-1', type: 'CR' }, 'bad-1')
    expect(again.status).toBe(422)
    expect(again.headers.get('idempotent-replayed')).toBe('true')
    expect(again.headers.get('content-type')).toMatch(/^application\/problem\+json/)
  })

  it('replays a 204 delete instead of answering 404 the second time', async () => {
    const [id] = await insertMutations(t.app.db, a.workspace, sandbox, [{ occurredAt: '2026-01-01T00:00:00Z', amount: 1n }])
    const first = await write('DELETE', `/v1/mutations/${id}`, undefined, 'del-1')
    expect(first.status).toBe(204)
    const again = await write('DELETE', `/v1/mutations/${id}`, undefined, 'del-1')
    expect(again.status).toBe(204)
    expect(again.headers.get('idempotent-replayed')).toBe('true')
    expect((await write('DELETE', `/v1/mutations/${id}`, undefined, 'del-2')).status).toBe(404)
  })

  it('does not store 5xx outcomes, so the client may retry', async () => {
    boomCalls = 0
    expect((await write('POST', '/v1/test-boom', {}, 'boom-1')).status).toBe(500)
    const retry = await write('POST', '/v1/test-boom', {}, 'boom-1')
    expect(retry.status).toBe(500)
    expect(retry.headers.get('idempotent-replayed')).toBeNull()
    expect(boomCalls).toBe(2)
    expect(await t.app.db.query("select 1 from idempotency_keys where key = 'boom-1'")).toEqual([])
  })

  it('answers 409 to a second request while the first is still running', async () => {
    slowCalls = 0
    gate = new Promise((resolve) => {
      openGate = resolve
    })
    const first = write('POST', '/v1/test-slow', { n: 1 }, 'slow-1')
    for (let i = 0; slowCalls === 0 && i < 200; i++) await new Promise((r) => setTimeout(r, 10))
    expect(slowCalls).toBe(1)
    const second = await write('POST', '/v1/test-slow', { n: 1 }, 'slow-1')
    expect(second.status).toBe(409)
    expect(await second.json()).toMatchObject({ code: 'conflict' })
    openGate()
    const done = await first
    expect(done.status).toBe(200)
    expect(await done.json()).toEqual({ done: 1 })
    const third = await write('POST', '/v1/test-slow', { n: 1 }, 'slow-1')
    expect(third.headers.get('idempotent-replayed')).toBe('true')
    expect(await third.json()).toEqual({ done: 1 })
    expect(slowCalls).toBe(1)
  })

  it('forgets keys once they expire, and prunes them', async () => {
    expect((await post(entry('777'), 'expiring')).status).toBe(201)
    const before = await mutationsOn(sandbox)
    await t.app.db.query(
      "update idempotency_keys set expires_at = now() - interval '1 second' where key = 'expiring'",
    )
    const later = await post(entry('777'), 'expiring')
    expect(later.status).toBe(201)
    expect(later.headers.get('idempotent-replayed')).toBeNull()
    expect(await mutationsOn(sandbox)).toBe(before + 1)

    const [row] = await t.app.db.query<{ hours: number }>(
      "select round(extract(epoch from expires_at - created_at) / 3600)::int as hours from idempotency_keys where key = 'expiring'",
    )
    expect(row?.hours).toBe(24)
    await t.app.db.query("update idempotency_keys set expires_at = now() - interval '1 second' where key = 'expiring'")
    expect(await pruneExpiredKeys(t.app.db)).toBe(1)
    expect(await t.app.db.query("select 1 from idempotency_keys where key = 'expiring'")).toEqual([])
  })

  it('refuses keys longer than 255 characters, and accepts 255', async () => {
    const long = await post(entry(), 'k'.repeat(256))
    expect(long.status).toBe(422)
    expect(await long.json()).toMatchObject({ field: 'Idempotency-Key' })
    expect((await post(entry(), 'k'.repeat(255))).status).toBe(201)
  })

  it('replays a created token without keeping the secret in clear', async () => {
    const first = await write('POST', '/v1/tokens', { name: 'plugin', scopes: ['mutation_read'] }, 'token-1')
    expect(first.status).toBe(201)
    const { token } = (await first.json()) as { token: string }
    const again = await write('POST', '/v1/tokens', { name: 'plugin', scopes: ['mutation_read'] }, 'token-1')
    expect(again.headers.get('idempotent-replayed')).toBe('true')
    expect(((await again.json()) as { token: string }).token).toBe(token)
    const rows = await t.app.db.query<{ response_body: string }>(
      "select response_body from idempotency_keys where key = 'token-1'",
    )
    expect(rows).toHaveLength(1)
    expect(rows[0]!.response_body).not.toContain(token)
    const [n] = await t.app.db.query<{ n: number }>("select count(*)::int as n from api_tokens where name = 'plugin'")
    expect(n).toEqual({ n: 1 })
  })

  it("belongs to the caller: another member's token reusing the owner's key runs its own request", async () => {
    const member = `idem-${a.workspace.publicId.toLowerCase()}@example.test`
    await createUser(t.app.db, { email: member, password: 'correct horse battery', workspace: a.workspace.name })
    const memberToken = (await createToken(t.app.db, { email: member, scopes: ['user'] })).token
    const body = { name: 'shared-key', scopes: ['api'] }
    const owner = await write('POST', '/v1/tokens', body, 'owner-key-1')
    expect(owner.status).toBe(201)
    const ownerToken = ((await owner.json()) as { token: string }).token
    // Same key, same request, another caller: never the owner's stored answer (it holds the owner's new token).
    const other = await write('POST', '/v1/tokens', body, 'owner-key-1', memberToken)
    expect(other.headers.get('idempotent-replayed')).toBeNull()
    expect(await other.text()).not.toContain(ownerToken)
    // The owner's retry still replays the owner's answer.
    const retry = await write('POST', '/v1/tokens', body, 'owner-key-1')
    expect(retry.headers.get('idempotent-replayed')).toBe('true')
    expect(((await retry.json()) as { token: string }).token).toBe(ownerToken)
    // Two tokens of the same user are two callers too.
    const second = await tokenWithScopes(t.app.db, a, ['mutation'])
    const fresh = await post(entry('4242'), 'per-token', second)
    const reuse = await post(entry('4242'), 'per-token')
    expect(fresh.status).toBe(201)
    expect(reuse.status).toBe(201)
    expect(reuse.headers.get('idempotent-replayed')).toBeNull()
  })

  it('answers 422 naming the body, not 500, to JSON nested too deep to fingerprint, storing nothing', async () => {
    const before = await mutationsOn(sandbox)
    const deep = `{"account":"${sandbox.publicId}","amount":"1","type":"CR","x":${'['.repeat(200_000)}${']'.repeat(200_000)}}`
    const res = await fetch(`${t.url}/v1/mutations`, {
      method: 'POST',
      body: deep,
      headers: { authorization: `Bearer ${a.token}`, 'idempotency-key': 'deep-1', 'content-type': 'application/json' },
    })
    expect(res.status).toBe(422)
    expect(await res.json()).toMatchObject({ field: 'body' })
    expect(await mutationsOn(sandbox)).toBe(before)
    expect(await t.app.db.query("select 1 from idempotency_keys where key = 'deep-1'")).toEqual([])
  })

  it('leaves reads and the Moota surface alone', async () => {
    const res = await t.request('GET', '/v1/tags', { token: a.token, headers: { 'idempotency-key': 'x'.repeat(300) } })
    expect(res.status).toBe(200)
    const moota = await t.request('POST', `/api/v2/mutation/store/${sandbox.publicId}`, {
      token: a.token,
      json: { amount: '1', type: 'CR' },
      headers: { 'idempotency-key': 'x'.repeat(300) },
    })
    expect(moota.status).toBe(200)
  })
})
