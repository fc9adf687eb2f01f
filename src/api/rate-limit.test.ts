import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTenant, startTestServer, type Tenant, type TestServer, tokenWithScopes } from './test-support.ts'

describe('per-token rate limit', () => {
  let t: TestServer
  let a: Tenant
  let b: Tenant
  beforeAll(async () => {
    t = await startTestServer(undefined, { LUNAS_RATE_LIMIT_PER_MINUTE: '3', LUNAS_LOGIN_RATE_LIMIT_PER_MINUTE: '0' })
    a = await createTenant(t.app.db)
    b = await createTenant(t.app.db)
  })
  afterAll(() => t?.close())

  it('answers 429 with Retry-After in Moota’s shape on /api/v2, counting every route of both surfaces', async () => {
    const token = await tokenWithScopes(t.app.db, a, ['api'])
    const first = await t.request('GET', '/api/v2/user', { token })
    expect(first.status).toBe(200)
    expect([first.headers.get('x-ratelimit-limit'), first.headers.get('x-ratelimit-remaining')]).toEqual(['3', '2'])
    expect((await t.request('GET', '/v1/accounts', { token })).status).toBe(200)
    expect((await t.request('GET', '/api/v2/bank', { token })).status).toBe(200)
    const res = await t.request('GET', '/api/v2/user', { token })
    expect(res.status).toBe(429)
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
    expect(Number(res.headers.get('retry-after'))).toBeLessThanOrEqual(60)
    expect(res.headers.get('x-ratelimit-remaining')).toBe('0')
    expect(await res.json()).toEqual({ message: 'Too Many Attempts.' })
  })

  it('answers 429 as problem+json with code rate_limited on /v1', async () => {
    const token = await tokenWithScopes(t.app.db, a, ['api'])
    for (let i = 0; i < 3; i++) expect((await t.request('GET', '/v1/accounts', { token })).status).toBe(200)
    const res = await t.request('GET', '/v1/accounts', { token })
    expect(res.status).toBe(429)
    expect(res.headers.get('content-type')).toContain('application/problem+json')
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
    expect(await res.json()).toMatchObject({ status: 429, code: 'rate_limited' })
  })

  it('limits each token alone: another token, even of the same user, is unaffected', async () => {
    const first = await tokenWithScopes(t.app.db, b, ['api'])
    const second = await tokenWithScopes(t.app.db, b, ['api'])
    for (let i = 0; i < 3; i++) await t.request('GET', '/api/v2/user', { token: first })
    expect((await t.request('GET', '/api/v2/user', { token: first })).status).toBe(429)
    expect((await t.request('GET', '/api/v2/user', { token: second })).status).toBe(200)
    expect((await t.request('GET', '/api/v2/user', { token: b.token })).status).toBe(200)
  })

  it('leaves /health alone and refuses bad tokens with 401, not 429', async () => {
    for (let i = 0; i < 5; i++) expect((await t.request('GET', '/health')).status).toBe(200)
    for (let i = 0; i < 5; i++) expect((await t.request('GET', '/v1/accounts', { token: 'lns_pat_nope' })).status).toBe(401)
  })
})

describe('login rate limit', () => {
  let t: TestServer
  let a: Tenant
  beforeAll(async () => {
    t = await startTestServer(undefined, { LUNAS_LOGIN_RATE_LIMIT_PER_MINUTE: '2' })
    a = await createTenant(t.app.db)
  })
  afterAll(() => t?.close())

  const login = (email: string, password: string) => t.request('POST', '/api/v2/auth/login', { json: { email, password } })

  it('refuses password guesses from one address beyond the limit, even with the right password', async () => {
    expect((await login(a.email, 'salah-1')).status).toBe(422)
    expect((await login('lain@example.test', 'salah-2')).status).toBe(422)
    const res = await login(a.email, 'correct horse battery')
    expect(res.status).toBe(429)
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
    expect(await res.json()).toEqual({ message: 'Too Many Attempts.' })
  })

  // Fastify's inject runs the same server pipeline with a chosen client address, which real loopback HTTP cannot.
  const injectLogin = (email: string, remoteAddress: string) =>
    t.server.inject({
      method: 'POST',
      url: '/api/v2/auth/login',
      payload: { email, password: 'tebakan' },
      remoteAddress,
    })

  it('limits guesses at one e-mail spread over many addresses, and leaves other e-mails alone', async () => {
    const victim = 'Korban@Example.test'
    expect((await injectLogin(victim, '10.0.0.1')).statusCode).toBe(422)
    expect((await injectLogin('korban@example.test ', '10.0.0.2')).statusCode).toBe(422)
    const third = await injectLogin(victim, '10.0.0.3')
    expect(third.statusCode).toBe(429)
    expect(Number(third.headers['retry-after'])).toBeGreaterThanOrEqual(1)
    expect((await injectLogin('lain@example.test', '10.0.0.4')).statusCode).toBe(422)
  })

  it('counts each address alone', async () => {
    for (const email of ['x1@example.test', 'x2@example.test']) expect((await injectLogin(email, '10.0.1.1')).statusCode).toBe(422)
    expect((await injectLogin('x3@example.test', '10.0.1.1')).statusCode).toBe(429)
    expect((await injectLogin('x4@example.test', '10.0.1.2')).statusCode).toBe(422)
  })
})
