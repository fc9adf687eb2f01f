// The router forgives repeated slashes and decodes percent-escapes; these tests spell API routes that way and check
// that authentication and the API-call log still see them (they once matched the raw URL string and were skipped).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { normalisedPath } from './errors.ts'
import { createTenant, rawRequest, startTestServer, type Tenant, type TestServer } from './test-support.ts'

let t: TestServer
let a: Tenant

beforeAll(async () => {
  t = await startTestServer()
  a = await createTenant(t.app.db)
})
afterAll(() => t?.close())

describe('authentication on the route the router resolved', () => {
  it.each([
    ['//api/v2/bank/available'],
    ['/api//v2/bank/available'],
    ['//api/v2/user'],
    ['/%61pi/v2/bank'],
    ['/%76%31/tokens'],
    ['//v1/tokens'],
  ])('%s without a token is refused', async (path) => {
    const res = await rawRequest(t.url, 'GET', path)
    expect(res.status, res.text).toBe(401)
  })

  it('answers the same route with a token, so the spellings really reach it', async () => {
    const res = await rawRequest(t.url, 'GET', '//api/v2/bank/available', { authorization: `Bearer ${a.token}` })
    expect(res.status, res.text).toBe(200)
  })

  it('answers an unknown route 404 in the shape of the surface the path names', async () => {
    const moota = await rawRequest(t.url, 'GET', '//api/v2/nothing-here')
    expect(moota.status).toBe(404)
    expect(moota.headers['content-type']).toMatch(/^application\/json/)
    const lunas = await rawRequest(t.url, 'GET', '/%76%31/nothing-here')
    expect(lunas.status).toBe(404)
    expect(lunas.headers['content-type']).toMatch(/^application\/problem\+json/)
  })
})

describe('the API-call log on the route the router resolved', () => {
  it('records a login attempt sent to //api/v2/auth/login', async () => {
    const body = JSON.stringify({ email: a.email, password: 'wrong password here' })
    const res = await rawRequest(t.url, 'POST', '//api/v2/auth/login', { 'content-type': 'application/json' }, body)
    expect(res.status).not.toBe(404)
    await t.server.apiCallLog!.flush()
    const rows = await t.app.db.query<{ path: string }>(
      "select path from api_calls where method = 'POST' and path like '%auth/login%'",
    )
    expect(rows.map((r) => r.path)).toEqual(['//api/v2/auth/login'])
  })
})

describe('normalisedPath', () => {
  it('decodes escapes and collapses slashes, and leaves a malformed escape as sent', () => {
    expect(normalisedPath('//api//v2/bank?x=1')).toBe('/api/v2/bank')
    expect(normalisedPath('/%76%31/tokens')).toBe('/v1/tokens')
    expect(normalisedPath('/v1/%zz')).toBe('/v1/%zz')
  })
})
