/**
 * Denial of service without a token (issue 8 item 2): inputs that made a regex backtrack must be answered quickly,
 * over real HTTP, before any token is checked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MAX_URL_CHARS, REDACTED } from '../apilog/redact.ts'
import { rawRequest, startTestServer, type TestServer } from './test-support.ts'

let t: TestServer
beforeAll(async () => {
  t = await startTestServer()
})
afterAll(() => t?.close())

const BUDGET_MS = 1000

async function timed(method: string, path: string, headers: Record<string, string> = {}, body?: string) {
  const started = performance.now()
  const res = await rawRequest(t.url, method, path, headers, body)
  return { ...res, ms: performance.now() - started }
}

function expectQuick(res: { status: number; ms: number }) {
  // 431 would mean Node refused the URL before our code ran: the test would then prove nothing.
  expect(res.status).not.toBe(431)
  expect(res.status).toBeLessThan(500)
  expect(res.ms).toBeLessThan(BUDGET_MS)
}

type StoredCall = {
  path: string
}

describe('hostile inputs are answered quickly', () => {
  it('a 10 KB query string of repeated `key?` (the redaction regex backtracked on it)', async () => {
    const path = `/?${'key?'.repeat(2500)}`
    expect(path.length).toBeGreaterThanOrEqual(10_000)
    expectQuick(await timed('GET', path))
  })

  it('a 16 KB query string of repeated `key?`, near Node’s header limit', async () => {
    const path = `/?${'key?'.repeat(3990)}`
    expect(path.length).toBeGreaterThanOrEqual(15_900)
    expectQuick(await timed('GET', path))
  })

  it('`/v1/mutations?token?token…` unauthenticated, and the API-call log keeps a capped, redacted path', async () => {
    const long = `/v1/mutations?${'token?'.repeat(2500)}`
    const res = await timed('GET', long)
    expectQuick(res)
    expect(res.status).toBe(401)
    // Extra `?` are text of the name; a percent-encoded name is compared decoded.
    expectQuick(await timed('GET', '/v1/mutations?page=1&token?x=hunter2&%70assword=hunter3'))

    await t.server.apiCallLog!.flush()
    const rows = await t.app.db.query<StoredCall>(
      `select path from api_calls where path like '/v1/mutations?%' order by id`,
    )
    expect(rows.map((r) => r.path.slice(0, 30))).toEqual([long.slice(0, 30), '/v1/mutations?page=1&token?x=['])
    const [stored10k, storedSecret] = rows.map((r) => r.path) as [string, string]
    expect(stored10k.length).toBeLessThanOrEqual(MAX_URL_CHARS + 1)
    expect(stored10k.endsWith('…')).toBe(true)
    expect(long.startsWith(stored10k.slice(0, -1))).toBe(true)
    expect(storedSecret).toBe(`/v1/mutations?page=1&token?x=${REDACTED}&%70assword=${REDACTED}`)
  })

  it('POST /api/v2/auth/login with a 100 KB e-mail answers 422 in Moota’s validation shape', async () => {
    // `[^\s@]+\.[^\s@]+` tries every dot as the last one, and each try scans to the second `@`: quadratic.
    const email = `a@${'.'.repeat(100_000)}@`
    const body = JSON.stringify({ email, password: 'whatever-password' })
    const res = await timed('POST', '/api/v2/auth/login', { 'content-type': 'application/json' }, body)
    expectQuick(res)
    expect(res.status).toBe(422)
    // Answered as any invalid login body is (Laravel's FormRequest shape), without echoing the 100 KB.
    const invalid = await t.request('POST', '/api/v2/auth/login', { json: { email: 'budi@example.id' } })
    expect(invalid.status).toBe(422)
    const err = JSON.parse(res.text) as { message: string; errors: Record<string, string[]> }
    expect(err.message).toBe(((await invalid.json()) as { message: string }).message)
    expect(err.errors).toEqual({ email: ['Kolom email maksimal 254 karakter.'] })
    expect(res.text.length).toBeLessThan(1000)

    const byUsername = await timed(
      'POST',
      '/api/v2/auth/login',
      { 'content-type': 'application/json' },
      JSON.stringify({ username: email, password: 'whatever-password' }),
    )
    expectQuick(byUsername)
    expect(byUsername.status).toBe(422)
  })
})
