import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newPublicId } from '../../shared/ids.ts'
import {
  addTestAccount,
  createTenant,
  startTestServer,
  type Tenant,
  type TestServer,
  tokenWithScopes,
} from '../test-support.ts'

let t: TestServer
let a: Tenant
let b: Tenant

beforeAll(async () => {
  t = await startTestServer()
  a = await createTenant(t.app.db)
  b = await createTenant(t.app.db)
})
afterAll(() => t?.close())

const flush = () => t.server.apiCallLog!.flush()

interface Listed {
  id: string
  at: string
  token_id: string | null
  method: string
  path: string
  status: number
  latency_ms: number
  request_body: unknown
  request_body_truncated: boolean
  response_bytes: number | null
}

async function list(token: string, query = ''): Promise<{ data: Listed[]; next_cursor: string | null }> {
  await flush()
  const res = await t.request('GET', `/v1/api-calls${query}`, { token })
  expect(res.status, await res.clone().text()).toBe(200)
  return (await res.json()) as { data: Listed[]; next_cursor: string | null }
}

async function tokenPublicId(tenant: Tenant): Promise<string> {
  const [row] = await t.app.db.query<{ public_id: string }>(
    'select public_id from api_tokens where workspace_id = $1 order by id limit 1',
    [tenant.workspace.id],
  )
  return row!.public_id
}

describe('API-call log', () => {
  it('records a call: time, token id, method, redacted path, status, latency, body and response size', async () => {
    const res = await t.request('GET', '/api/v2/mutation?page=1&apikey=sangat-rahasia', { token: a.token })
    expect(res.status).toBe(200)
    const size = (await res.text()).length
    const { data } = await list(a.token, '?path=/api/v2/mutation')
    const call = data[0]!
    expect(call).toMatchObject({
      token_id: await tokenPublicId(a),
      method: 'GET',
      path: '/api/v2/mutation?page=1&apikey=[redacted]',
      status: 200,
      request_body: null,
      response_bytes: size,
    })
    expect(call.id).toMatch(/^[0-9A-Za-z]{11}$/)
    expect(call.latency_ms).toBeGreaterThan(0)
    expect(Date.now() - Date.parse(call.at)).toBeLessThan(60_000)
    // The secret itself is nowhere in the table, not only not in this listing.
    const rows = await t.app.db.query("select 1 from api_calls where path like '%sangat-rahasia%'")
    expect(rows).toEqual([])
  })

  it('never stores the password of a login, nor the bank credentials of bank/store', async () => {
    const login = await t.request('POST', '/api/v2/auth/login', {
      json: { email: a.email, password: 'correct horse battery' },
    })
    expect(login.status).toBe(200)
    const store = await t.request('POST', '/api/v2/bank/store', {
      token: a.token,
      json: {
        bank_type: 'bca',
        account_number: '1234567890',
        name_holder: 'Toko A',
        username: 'klikbca-user-a',
        password: 'klikbca-pass-a',
        corporate_id: 'corp-a',
      },
    })
    expect(store.status).toBe(200)
    await flush()
    const stored = JSON.stringify(await t.app.db.query('select * from api_calls'))
    for (const secret of ['correct horse battery', 'klikbca-user-a', 'klikbca-pass-a', 'corp-a'])
      expect(stored).not.toContain(secret)

    const [loginRow] = await t.app.db.query<{ workspace_id: string | null; request_body: unknown; status: number }>(
      "select workspace_id, request_body, status from api_calls where path = '/api/v2/auth/login'",
    )
    // A login belongs to no workspace's list: it is kept for the operator only.
    expect(loginRow).toEqual({ workspace_id: null, status: 200, request_body: { email: a.email, password: '[redacted]' } })

    const { data } = await list(a.token, '?path=/api/v2/bank/store')
    expect(data[0]!.request_body).toEqual({
      bank_type: 'bca',
      account_number: '1234567890',
      name_holder: 'Toko A',
      username: '[redacted]',
      password: '[redacted]',
      corporate_id: '[redacted]',
    })
  })

  it('keeps refused calls without a token under no workspace, with no body', async () => {
    const res = await t.request('POST', '/v1/tokens', { token: 'lns_pat_tidak-ada', json: { name: 'x', secret: 's' } })
    expect(res.status).toBe(401)
    await flush()
    const rows = await t.app.db.query<{ workspace_id: string | null; token_id: string | null; request_body: unknown }>(
      "select workspace_id, token_id, request_body from api_calls where path = '/v1/tokens' and status = 401",
    )
    expect(rows).toEqual([{ workspace_id: null, token_id: null, request_body: null }])
  })

  it('lists only the workspace’s own calls: B’s calls and token never show to A', async () => {
    const account = await addTestAccount(t.app.db, b.workspace)
    expect((await t.request('GET', `/api/v2/bank?marker=${account.publicId}`, { token: b.token })).status).toBe(200)
    const bToken = await tokenPublicId(b)
    const mine = await list(a.token, '?limit=200')
    const text = JSON.stringify(mine)
    expect(mine.data.length).toBeGreaterThan(0)
    expect(text).not.toContain(account.publicId)
    expect(text).not.toContain(bToken)
    expect(mine.data.every((c) => c.token_id === null || c.token_id !== bToken)).toBe(true)
    // Naming B's token as a filter finds nothing in A's workspace.
    expect((await list(a.token, `?token=${bToken}`)).data).toEqual([])
    // B sees its own call.
    expect((await list(b.token, '?path=/api/v2/bank')).data.map((c) => c.path)).toContain(
      `/api/v2/bank?marker=${account.publicId}`,
    )
  })

  it('filters by status (exact or class), method, path prefix, token and time, newest first', async () => {
    const c = await createTenant(t.app.db)
    const other = await tokenWithScopes(t.app.db, c, ['bank_read'])
    await t.request('GET', '/v1/accounts', { token: c.token })
    await t.request('GET', `/v1/mutations?account=${newPublicId()}`, { token: c.token }) // 404
    await t.request('POST', '/v1/tokens', { token: other, json: { name: 'x' } }) // 403
    await t.request('GET', '/v1/accounts', { token: other })
    const all = await list(c.token)
    const paths = all.data.filter((x) => !x.path.startsWith('/v1/api-calls')).map((x) => `${x.status} ${x.path}`)
    expect(paths.slice(0, 4)).toEqual([
      '200 /v1/accounts',
      '403 /v1/tokens',
      expect.stringMatching(/^404 \/v1\/mutations\?account=/),
      '200 /v1/accounts',
    ])
    expect(all.data.map((x) => x.at)).toEqual([...all.data.map((x) => x.at)].sort().reverse())
    expect((await list(c.token, '?status=404')).data.map((x) => x.status)).toEqual([404])
    expect((await list(c.token, '?status=4xx')).data.map((x) => x.status).sort()).toEqual([403, 404])
    expect((await list(c.token, '?method=post')).data.map((x) => x.path)).toEqual(['/v1/tokens'])
    expect((await list(c.token, '?path=/v1/acc')).data).toHaveLength(2)
    const otherId = (
      await t.app.db.query<{ public_id: string }>(
        'select public_id from api_tokens where workspace_id = $1 order by id desc limit 1',
        [c.workspace.id],
      )
    )[0]!.public_id
    expect((await list(c.token, `?token=${otherId}`)).data.map((x) => x.status)).toEqual([200, 403])
    const first = all.data[all.data.length - 1]!.at
    expect((await list(c.token, `?to=${encodeURIComponent(first)}`)).data).toHaveLength(1)
    expect((await list(c.token, '?from=2000-01-01&to=2000-01-02')).data).toEqual([])
  })

  it('pages with an opaque cursor, without gaps or repeats', async () => {
    const d = await createTenant(t.app.db)
    for (let i = 0; i < 5; i++) await t.request('GET', `/v1/accounts?n=${i}`, { token: d.token })
    const seen: string[] = []
    let cursor: string | null = null
    do {
      const page: { data: Listed[]; next_cursor: string | null } = await list(
        d.token,
        `?path=/v1/accounts&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      )
      seen.push(...page.data.map((x) => x.path))
      cursor = page.next_cursor
    } while (cursor)
    expect(seen).toEqual([4, 3, 2, 1, 0].map((i) => `/v1/accounts?n=${i}`))
  })

  it('answers bad filters with problem+json', async () => {
    for (const q of ['?status=abc', '?method=TRACE', '?path=v1', '?from=kemarin', '?limit=0', '?cursor=zzz']) {
      const res = await t.request('GET', `/v1/api-calls${q}`, { token: a.token })
      expect(res.status, q).toBe(422)
      expect(res.headers.get('content-type')).toContain('application/problem+json')
      expect(await res.json()).toMatchObject({ code: 'validation' })
    }
  })

  it('needs the user_read scope', async () => {
    const token = await tokenWithScopes(t.app.db, a, ['mutation_read'])
    expect((await t.request('GET', '/v1/api-calls', { token })).status).toBe(403)
  })
})

describe('API-call log on close, and off', () => {
  it('writes the buffered calls when the server closes', async () => {
    const s = await startTestServer()
    const tenant = await createTenant(s.app.db)
    // The recorder's own test shows close() writes the buffer deterministically; here: the server's close calls it
    // before the database closes.
    expect((await s.request('GET', '/v1/accounts?closing=1', { token: tenant.token })).status).toBe(200)
    expect(s.server.apiCallLog!.stats().buffered + s.server.apiCallLog!.stats().written).toBeGreaterThan(0)
    await s.server.close()
    const rows = await s.app.db.query("select status from api_calls where path = '/v1/accounts?closing=1'")
    expect(rows).toEqual([{ status: 200 }])
    expect(s.server.apiCallLog!.stats().buffered).toBe(0)
    await s.close()
  })

  it('records nothing with LUNAS_API_LOG=off', async () => {
    const s = await startTestServer(undefined, { LUNAS_API_LOG: 'off' })
    const tenant = await createTenant(s.app.db)
    expect((await s.request('GET', '/v1/accounts', { token: tenant.token })).status).toBe(200)
    expect(s.server.apiCallLog).toBeNull()
    await s.server.close()
    expect(await s.app.db.query('select 1 from api_calls')).toEqual([])
    await s.close()
  })
})
