/**
 * Headers every answer carries, over real HTTP: `X-Content-Type-Options: nosniff` and `Cache-Control: no-store`
 * on answers of every kind (routes, 404s, errors, the Moota surface, /health, /metrics), the secret-bearing ones
 * (new tokens, Moota login, webhook secrets) named one by one; a route that sets its own Cache-Control keeps it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTenant, rawRequest, startTestServer, type Tenant, type TestServer } from './test-support.ts'

let t: TestServer
let a: Tenant

beforeAll(async () => {
  t = await startTestServer((server) => {
    server.get('/test-boom', { config: { public: true } }, async () => {
      throw new Error('boom')
    })
    server.get('/test-cached', { config: { public: true } }, async (_request, reply) =>
      reply.header('cache-control', 'public, max-age=60').send({ ok: true }),
    )
  })
  a = await createTenant(t.app.db)
})
afterAll(async () => {
  await t?.close()
})

const bearer = () => ({ authorization: `Bearer ${a.token}` })
const json = { 'content-type': 'application/json' }

function expectHeaders(res: { status: number; headers: Headers }, what: string, status: number) {
  expect(res.status, what).toBe(status)
  expect(res.headers.get('x-content-type-options'), what).toBe('nosniff')
  expect(res.headers.get('cache-control'), what).toBe('no-store')
}

describe('headers on every answer', () => {
  it.each([
    ['GET', '/health', 200],
    ['GET', '/metrics', 200],
    ['GET', '/openapi.json', 200],
    ['GET', '/nope', 404],
    ['GET', '/v1/nope', 404],
    ['GET', '/api/v2/nope', 404],
    ['GET', '/v1/accounts', 401],
    ['GET', '/api/v2/bank', 401],
    ['GET', '/api/v2/bank', 200, 'token'],
    ['GET', '/v1/accounts', 200, 'token'],
    ['POST', '/v1/webhooks', 422, 'token', '{}'],
    ['POST', '/v1/webhooks', 400, 'token', '{not json'],
    ['POST', '/api/v2/integration/webhook', 422, 'token', '{}'],
    ['GET', '/test-boom', 500],
  ] as const)('%s %s → %s', async (method, path, status, auth?: string, body?: string) => {
    const res = await fetch(t.url + path, {
      method,
      headers: { ...(auth === 'token' ? bearer() : {}), ...(body === undefined ? {} : json) },
      ...(body === undefined ? {} : { body }),
    })
    expectHeaders(res, `${method} ${path}`, status)
  })

  it('also on an answer to a malformed URL and to a request Fastify rejects before routing', async () => {
    const bad = await rawRequest(t.url, 'GET', '/v1/accounts/%zz', bearer())
    expect(bad.status).toBe(400)
    expect(bad.headers['x-content-type-options']).toBe('nosniff')
    expect(bad.headers['cache-control']).toBe('no-store')
    const big = await rawRequest(t.url, 'POST', '/v1/webhooks', { ...bearer(), ...json }, `"${'x'.repeat(1_100_000)}"`)
    expect(big.status).toBe(413)
    expect(big.headers['x-content-type-options']).toBe('nosniff')
    expect(big.headers['cache-control']).toBe('no-store')
  })

  it('keeps a Cache-Control a route set itself', async () => {
    const res = await fetch(`${t.url}/test-cached`)
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    expect(res.headers.get('cache-control')).toBe('public, max-age=60')
  })
})

describe('answers carrying a secret are never stored', () => {
  it('POST /v1/tokens (the new token)', async () => {
    const res = await t.request('POST', '/v1/tokens', { token: a.token, json: { scopes: ['api'] } })
    expectHeaders(res, 'POST /v1/tokens', 201)
    expect(((await res.json()) as { token: string }).token).toBeTruthy()
  })

  it('POST /api/v2/auth/login (Moota’s access_token)', async () => {
    const res = await t.request('POST', '/api/v2/auth/login', {
      json: { email: a.email, password: 'correct horse battery', scopes: ['api'] },
    })
    expectHeaders(res, 'login', 200)
    expect(((await res.json()) as { access_token: string }).access_token).toBeTruthy()
  })

  it('webhook creation (/v1 shows the secret once) and Moota’s webhook list (shows secret_token)', async () => {
    const created = await t.request('POST', '/v1/webhooks', {
      token: a.token,
      json: { url: 'https://kedai.example/moota', secret: 'rahasia-toko' },
    })
    expectHeaders(created, 'POST /v1/webhooks', 201)
    expect(((await created.json()) as { secret: string }).secret).toBe('rahasia-toko')
    const listed = await t.request('GET', '/api/v2/integration/webhook', { token: a.token })
    expectHeaders(listed, 'GET /api/v2/integration/webhook', 200)
    expect(await listed.text()).toContain('rahasia-toko')
  })
})
