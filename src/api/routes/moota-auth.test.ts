import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createTenant,
  jsonShape,
  mootaFixture,
  startTestServer,
  type Tenant,
  type TestServer,
  tokenWithScopes,
} from '../test-support.ts'

let t: TestServer
let a: Tenant
beforeAll(async () => {
  t = await startTestServer()
  a = await createTenant(t.app.db)
})
afterAll(() => t?.close())

describe('Moota auth and user', () => {
  it('logs in with email (or username) and the token works; a wrong password gets 422 and no token', async () => {
    const res = await t.request('POST', '/api/v2/auth/login', {
      json: { email: a.email, password: 'correct horse battery', scopes: ['api'] },
    })
    expect(res.status).toBe(200)
    const body = (await res.json()) as { access_token: string }
    expect(Object.keys(body)).toEqual(Object.keys(mootaFixture('Auth/MockAuthResponse.json')))
    expect(body.access_token).toMatch(/^lns_pat_/)
    expect((await t.request('GET', '/api/v2/user', { token: body.access_token })).status).toBe(200)

    const byUsername = await t.request('POST', '/api/v2/auth/login', {
      json: { username: a.email, password: 'correct horse battery' },
    })
    expect(byUsername.status).toBe(200)

    const wrong = await t.request('POST', '/api/v2/auth/login', { json: { email: a.email, password: 'nope-nope' } })
    expect(wrong.status).toBe(422)
    const err = (await wrong.json()) as { message: string; errors: Record<string, string[]> }
    expect(err.errors.email).toEqual(['Email atau password salah.'])
    const unknown = await t.request('POST', '/api/v2/auth/login', { json: { email: 'x@y.id', password: 'nope-nope' } })
    expect(unknown.status).toBe(422)
    expect(t.logs()).not.toContain('correct horse battery')
  })

  it('logs out by revoking the token it was called with', async () => {
    const token = await tokenWithScopes(t.app.db, a, ['bank_read'])
    expect((await t.request('POST', '/api/v2/auth/logout', { token, json: [] })).status).toBe(200)
    expect((await t.request('POST', '/api/v2/auth/logout', { token })).status).toBe(401)
  })

  it('answers GET /user with the workspace as Moota’s user, in the fixture’s JSON types', async () => {
    const res = await t.request('GET', '/api/v2/user', { token: a.token })
    const user = (await res.json()) as Record<string, unknown>
    const expected = jsonShape({ ...mootaFixture('User/MockUserProfileResponse.json'), meta: [] })
    expect(jsonShape(user)).toEqual(expected)
    expect(user).toMatchObject({ user_id: a.workspace.publicId, token: a.workspace.publicId, email: a.email })
    expect(user.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/)
    const bankOnly = await tokenWithScopes(t.app.db, a, ['bank_read'])
    expect((await t.request('GET', '/api/v2/user', { token: bankOnly })).status).toBe(403)
  })

  it('refuses open sign-up in Moota’s shape instead of faking success', async () => {
    const res = await t.request('POST', '/api/v2/auth/register', {
      json: { name: 'x', email: 'x@y.id', password: 'p', password_confirmation: 'p' },
    })
    expect(res.status).toBe(403)
    expect(((await res.json()) as { message: string }).message).toMatch(/tidak tersedia/)
  })
})
