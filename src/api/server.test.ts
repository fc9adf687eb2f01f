import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import type { App } from '../app.ts'
import { loadConfig } from '../config.ts'
import type { Db } from '../db/db.ts'
import { createLogger } from '../shared/log.ts'
import { buildServer } from './server.ts'
import { createTenant, startTestServer, type Tenant, type TestServer } from './test-support.ts'
import { body, type ZodTypeProvider } from './validation.ts'

let t: TestServer
let tenant: Tenant

beforeAll(async () => {
  t = await startTestServer((server) => {
    // Test-only routes: one that fails unexpectedly, and echoes that show what the body parsers hand to handlers.
    server.get('/v1/boom', { config: { scope: 'api' } }, async () => {
      throw new Error('relation "secret_internal_table" does not exist')
    })
    server.get('/api/v2/boom', { config: { scope: 'api' } }, async () => {
      throw new Error('relation "secret_internal_table" does not exist')
    })
    const typed = server.withTypeProvider<ZodTypeProvider>()
    const EchoBody = body({ tags: z.array(z.string()).optional() })
    typed.post('/api/v2/echo', { schema: { body: EchoBody }, config: { scope: 'api' } }, async (r) => ({
      body: r.body,
    }))
    typed.delete('/api/v2/echo', { schema: { body: EchoBody }, config: { scope: 'api' } }, async (r) => ({
      body: r.body,
    }))
  })
  tenant = await createTenant(t.app.db)
})

afterAll(async () => {
  await t?.close()
})

describe('GET /health', () => {
  it('answers 200 JSON once the database answers', async () => {
    const res = await t.request('GET', '/health')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^application\/json/)
    expect(await res.json()).toEqual({
      status: 'ok',
      db: 'ok',
      engine: t.app.db.engine,
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
    })
  })

  it('answers 503 JSON when the database does not', async () => {
    const down = {
      engine: 'pglite',
      query: () => Promise.reject(new Error('connection refused')),
    } as unknown as Db
    const app: App = {
      config: loadConfig({ LUNAS_DATA_DIR: '/tmp/unused', LUNAS_LOG_LEVEL: 'silent' }),
      db: down,
      log: createLogger('silent'),
      secretKey: Buffer.alloc(32),
    }
    const server = await buildServer(app)
    try {
      const res = await server.inject({ method: 'GET', url: '/health' })
      expect(res.statusCode).toBe(503)
      expect(res.json()).toMatchObject({ status: 'unavailable', db: 'unavailable' })
      expect(res.body).not.toContain('connection refused')
    } finally {
      await server.close()
    }
  })
})

describe('GET /metrics', () => {
  it('serves Prometheus text with process metrics and the HTTP counter by route', async () => {
    await t.request('GET', '/health')
    const res = await t.request('GET', '/metrics')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/)
    const text = await res.text()
    expect(text).toContain('process_cpu_user_seconds_total')
    expect(text).toContain('nodejs_eventloop_lag_p99_seconds')
    expect(text).toMatch(/lunas_http_requests_total\{method="GET",route="\/health",status="200"\} \d+/)
    expect(text).toContain('lunas_http_request_duration_seconds_bucket')
  })

  it('can be built more than once in one process', async () => {
    const second = await buildServer(t.app)
    await second.close()
  })
})

describe('authentication', () => {
  it('answers 401 in Moota shape on /api/v2', async () => {
    const variants: Record<string, string>[] = [
      {},
      { authorization: 'Bearer lns_pat_nope' },
      { authorization: 'Basic Zm9vOmJhcg==' },
    ]
    for (const headers of variants) {
      const res = await t.request('POST', '/api/v2/mutation/store/AAAAAAAAAAA', { headers, json: {} })
      expect(res.status).toBe(401)
      expect(res.headers.get('content-type')).toMatch(/^application\/json/)
      expect(await res.json()).toEqual({ message: 'Unauthenticated.' })
    }
  })

  it('answers 401 as problem+json on /v1', async () => {
    const res = await t.request('GET', '/v1/mutations', { token: 'lns_pat_wrong' })
    expect(res.status).toBe(401)
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/)
    expect(res.headers.get('www-authenticate')).toBe('Bearer')
    expect(await res.json()).toMatchObject({
      type: 'https://lunas.dev/problems/unauthorized',
      status: 401,
      code: 'unauthorized',
    })
  })

  it('accepts the bearer scheme as loosely as Moota clients write it', async () => {
    for (const authorization of [
      `Bearer ${tenant.token}`,
      `bearer ${tenant.token}`,
      `BEARER   ${tenant.token}  `,
    ]) {
      const res = await t.request('GET', '/v1/mutations', { headers: { authorization } })
      expect(res.status, authorization).toBe(200)
    }
  })

  it('refuses a token without the route scope (403)', async () => {
    const { createToken } = await import('../tokens/tokens.ts')
    const { token } = await createToken(t.app.db, { email: tenant.email, scopes: ['bank_read'] })
    const v1 = await t.request('GET', '/v1/mutations', { token })
    expect(v1.status).toBe(403)
    expect(await v1.json()).toMatchObject({ code: 'forbidden' })
    const moota = await t.request('POST', '/api/v2/mutation/store/AAAAAAAAAAA', { token, json: {} })
    expect(moota.status).toBe(403)
    expect(await moota.json()).toEqual({ message: expect.stringContaining('mutation') })
  })
})

describe('errors', () => {
  it('answers unknown routes 404 in each surface shape', async () => {
    const moota = await t.request('GET', '/api/v2/nothing-here')
    expect(moota.status).toBe(404)
    expect(await moota.json()).toMatchObject({ error: true, message: 'Data tidak ditemukan' })
    const v1 = await t.request('GET', '/v1/nothing-here')
    expect(v1.status).toBe(404)
    expect(v1.headers.get('content-type')).toMatch(/^application\/problem\+json/)
    expect(await v1.json()).toMatchObject({ status: 404, code: 'not_found' })
  })

  it('logs unknown errors with context and answers a bare 500', async () => {
    const moota = await t.request('GET', '/api/v2/boom', { token: tenant.token })
    expect(moota.status).toBe(500)
    expect(await moota.json()).toEqual({ message: 'Server Error' })
    const v1 = await t.request('GET', '/v1/boom', { token: tenant.token })
    expect(v1.status).toBe(500)
    const text = await v1.text()
    expect(JSON.parse(text)).toMatchObject({ status: 500, code: 'internal' })
    expect(text).not.toContain('secret_internal_table')
    expect(t.logs()).toContain('secret_internal_table')
    expect(t.logs()).toContain('"route":"/v1/boom"')
  })

  it('answers malformed JSON 400 without a stack trace', async () => {
    const res = await t.request('POST', '/api/v2/echo', {
      token: tenant.token,
      headers: { 'content-type': 'application/json' },
    })
    expect(res.status).toBe(200) // an empty JSON body is "no data", not an error
    const bad = await fetch(`${t.url}/api/v2/echo`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tenant.token}`, 'content-type': 'application/json' },
      body: '{"tags": [',
    })
    expect(bad.status).toBe(400)
    const json = await bad.json()
    expect(json).toEqual({ message: expect.any(String) })
  })
})

describe('Moota client tolerance', () => {
  const post = (init: RequestInit & { headers?: Record<string, string> }, method = 'POST') =>
    fetch(`${t.url}/api/v2/echo`, {
      ...init,
      method,
      headers: { authorization: `Bearer ${tenant.token}`, ...init.headers },
    })

  it('takes the body [] as no data', async () => {
    const res = await post({ body: '[]', headers: { 'content-type': 'application/json' } })
    expect(await res.json()).toEqual({ body: {} })
  })

  it('takes JSON without a Content-Type and answers JSON without an Accept header', async () => {
    // A byte body: fetch adds no Content-Type to it (a string body would become text/plain).
    const res = await post({ body: new TextEncoder().encode('{"tags":["a"]}') })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^application\/json/)
    expect(await res.json()).toEqual({ body: { tags: ['a'] } })
  })

  it('takes JSON labelled as a form or as text (curl and fetch defaults)', async () => {
    for (const type of ['application/x-www-form-urlencoded', 'text/plain;charset=UTF-8']) {
      const res = await post({ body: '{"tags":["b"]}', headers: { 'content-type': type } })
      expect(await res.json(), type).toEqual({ body: { tags: ['b'] } })
    }
    const form = await post({
      body: 'tags=c',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    })
    expect(form.status).toBe(422) // a real form is parsed as one; `tags` is then not a list
  })

  it('takes a JSON body on DELETE', async () => {
    const res = await post(
      { body: '{"tags":["x"]}', headers: { 'content-type': 'application/json' } },
      'DELETE',
    )
    expect(await res.json()).toEqual({ body: { tags: ['x'] } })
  })

  it('ignores a trailing slash', async () => {
    const res = await post({ body: '[]' })
    const slash = await fetch(`${t.url}/api/v2/echo/`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tenant.token}` },
      body: '[]',
    })
    expect(res.status).toBe(200)
    expect(slash.status).toBe(200)
  })
})

describe('logging', () => {
  it('never writes a token to the log', async () => {
    await t.request('GET', '/v1/mutations', { token: tenant.token })
    await t.request('GET', '/v1/mutations?token=lns_pat_inthequery', { token: tenant.token })
    await t.request('GET', '/v1/boom', { token: tenant.token })
    await t.request('GET', '/v1/mutations', { token: `${tenant.token}x` })
    const logs = t.logs()
    expect(logs).toContain('incoming request') // the capture works
    expect(logs).not.toContain(tenant.token)
    expect(logs).not.toContain(tenant.token.slice(8))
    expect(logs).not.toContain('lns_pat_inthequery')
    expect(logs.toLowerCase()).not.toContain('bearer')
  })
})
