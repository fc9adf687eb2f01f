/**
 * The document against reality: real requests to a test server, each answer validated against the response schema
 * the served /openapi.json documents for that route and status. A presenter that changes a field, or a route that
 * answers a status the document does not list, fails here.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Account } from '../../accounts/accounts.ts'
import { ingest } from '../../ledger/ingest.ts'
import { addTestAccount, createTenant, startTestServer, type Tenant, type TestServer, tokenWithScopes } from '../test-support.ts'
import { deliverDue, startReceiver } from '../../webhooks/test-receiver.ts'
import { openApiPath } from './document.ts'

interface Media {
  schema?: Record<string, unknown>
}
interface Doc {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, Media> }> }>>
  components: Record<string, unknown>
}

let t: TestServer
let a: Tenant
let doc: Doc
let bca: Account
let sandbox: Account
let weakToken: string
const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false })

beforeAll(async () => {
  t = await startTestServer()
  a = await createTenant(t.app.db)
  doc = (await (await t.request('GET', '/openapi.json')).json()) as Doc
  bca = await addTestAccount(t.app.db, a.workspace, 'bca')
  sandbox = await addTestAccount(t.app.db, a.workspace, 'sandbox')
  const { inserted } = await ingest(t.app.db, a.workspace, {
    accountId: bca.publicId,
    source: 'csv',
    rows: [
      { date: '2026-11-20', type: 'CR', amount: '150123', description: 'TRSF BUDI', balance: '1000000.50' },
      { date: '2026-11-21', type: 'DB', amount: '20000', description: 'BIAYA ADM' },
    ],
  })
  const tagged = await t.request('POST', `/api/v2/tagging/mutation/${inserted[0]!.publicId}`, {
    token: a.token,
    json: { name: ['order-1001', 'WooCommerce'] },
  })
  expect(tagged.status).toBe(200)
  const simulated = await t.request('POST', `/api/v2/mutation/store/${sandbox.publicId}`, {
    token: a.token,
    json: { amount: '50000.25', type: 'CR', description: 'SIMULASI' },
  })
  expect(simulated.status).toBe(200)
  weakToken = await tokenWithScopes(t.app.db, a, ['bank_read'])
})
afterAll(() => t?.close())

/** The validator for the documented body of `route` answering `status` with `contentType`. */
function documented(route: string, status: number, contentType: string): ValidateFunction {
  const [method, url] = route.split(' ') as [string, string]
  const op = doc.paths[openApiPath(url)]?.[method.toLowerCase()]
  expect(op, `${route} is documented`).toBeDefined()
  const response = op!.responses[String(status)]
  expect(response, `${route} documents ${status}`).toBeDefined()
  const media = response!.content?.[contentType.split(';')[0]!.trim()]
  expect(media?.schema, `${route} ${status} documents a ${contentType} body`).toBeDefined()
  // `#/components/…` references resolve inside this root, as they do inside the document.
  return ajv.compile({ ...media!.schema, components: doc.components })
}

interface Replay {
  route: string
  path: string
  status: number
  method?: string
  token?: string | null
  /** The body, built when the test runs (the tenant does not exist when tests are collected). */
  json?: () => unknown
  /** Guards that the answer is rich enough to exercise the schema (non-empty lists, nested banks…). */
  check?: (body: Record<string, unknown>) => void
}

const page = (min: number) => (body: Record<string, unknown>) =>
  expect((body.data as unknown[]).length).toBeGreaterThanOrEqual(min)

const REPLAYS: Replay[] = [
  {
    route: 'POST /api/v2/auth/login',
    path: '/api/v2/auth/login',
    method: 'POST',
    token: null,
    json: () => ({ email: a.email, password: 'correct horse battery', scopes: ['mutation_read'] }),
    status: 200,
  },
  { route: 'POST /api/v2/auth/login', path: '/api/v2/auth/login', method: 'POST', token: null, json: () => ({ email: a.email, password: 'salah-salah' }), status: 422 },
  { route: 'GET /api/v2/user', path: '/api/v2/user', status: 200 },
  { route: 'GET /api/v2/user', path: '/api/v2/user', token: null, status: 401 },
  { route: 'GET /api/v2/bank', path: '/api/v2/bank?sandbox=1', status: 200, check: page(2) },
  { route: 'GET /api/v2/bank', path: '/api/v2/bank?per_page=1&page=2&sandbox=true', status: 200, check: page(1) },
  { route: 'GET /api/v2/accounts', path: '/api/v2/accounts', status: 200, check: page(1) },
  { route: 'GET /api/v2/mutation', path: '/api/v2/mutation', status: 200, check: page(2) },
  {
    route: 'GET /api/v2/mutation',
    path: '/api/v2/mutation?tag=order-1001&per_page=1',
    status: 200,
    check: (body) => expect((body.data as { taggings: unknown[] }[])[0]!.taggings).toHaveLength(2),
  },
  { route: 'GET /api/v2/mutation', path: '/api/v2/mutation?bank_id=SANDBOX', status: 200, check: page(1) },
  { route: 'GET /api/v2/mutation', path: '/api/v2/mutation?bank=Tid4Docs001', status: 404 },
  { route: 'GET /api/v2/mutation', path: '/api/v2/mutation?type=sideways', status: 422 },
  { route: 'GET /api/v2/mutation', path: '/api/v2/mutation', token: 'weak', status: 403 },
  { route: 'GET /api/v2/mutation/summary', path: '/api/v2/mutation/summary', status: 200 },
  {
    route: 'GET /api/v2/mutation/summary',
    path: '/api/v2/mutation/summary?type=CR&start_date=2026-11-01&end_date=2026-11-30&bank=BCA',
    status: 200,
    check: (body) => expect((body.data as { bank: unknown }).bank).not.toBeNull(),
  },
  { route: 'GET /api/v2/tagging', path: '/api/v2/tagging', status: 200, check: (body) => expect(body.tagging).toHaveLength(2) },
  { route: 'POST /api/v2/tagging', path: '/api/v2/tagging', method: 'POST', json: () => ({}), status: 422 },
  { route: 'POST /api/v2/bank/:bank_id/refresh', path: '/api/v2/bank/Tid4Docs001/refresh', method: 'POST', status: 404 },
  { route: 'POST /api/v2/contract', path: '/api/v2/contract', method: 'POST', json: () => ({}), status: 403 },
  {
    route: 'POST /api/v2/integration/webhook',
    path: '/api/v2/integration/webhook',
    method: 'POST',
    json: () => ({ url: 'https://toko.id/hook', secret_token: 'FcZnoVBN', kinds: 'credit', bank_account_id: bca.publicId }),
    status: 200,
  },
  { route: 'POST /api/v2/integration/webhook', path: '/api/v2/integration/webhook', method: 'POST', json: () => ({ url: 'https://toko.id/all', secret_token: 'x', start_unique_code: 0, end_unique_code: '999' }), status: 200 },
  { route: 'POST /api/v2/integration/webhook', path: '/api/v2/integration/webhook', method: 'POST', json: () => ({ url: 'ftp://toko.id', secret_token: 'x' }), status: 422 },
  { route: 'GET /api/v2/integration/webhook', path: '/api/v2/integration/webhook', status: 200, check: page(2) },
  { route: 'GET /api/v2/integration/webhook/history/:webhook_id', path: '/api/v2/integration/webhook/history/Tid4Docs001', status: 404 },
  { route: 'DELETE /api/v2/integration/webhook/:webhook_id', path: '/api/v2/integration/webhook/Tid4Docs001', method: 'DELETE', status: 404 },
  { route: 'GET /v1/mutations', path: '/v1/mutations?include_sandbox=true&limit=2', status: 200, check: page(2) },
  { route: 'POST /v1/webhooks', path: '/v1/webhooks', method: 'POST', json: () => ({ url: 'https://toko.id/v1', secret: 's', account: bca.publicId, kinds: 'debit' }), status: 201 },
  { route: 'POST /v1/webhooks', path: '/v1/webhooks', method: 'POST', json: () => ({ url: 'https://toko.id/v1', secret: '' }), status: 422 },
  { route: 'GET /v1/webhooks', path: '/v1/webhooks', status: 200, check: page(3) },
  { route: 'GET /v1/webhooks/:id', path: '/v1/webhooks/Tid4Docs001', status: 404 },
  { route: 'GET /v1/mutations/:id/deliveries', path: '/v1/mutations/Tid4Docs001/deliveries', status: 404 },
  { route: 'GET /v1/accounts', path: '/v1/accounts', status: 200, check: page(2) },
  { route: 'POST /v1/tokens', path: '/v1/tokens', method: 'POST', json: () => ({ name: 'docs', scopes: ['bank_read'] }), status: 201 },
  { route: 'GET /v1/tokens', path: '/v1/tokens', status: 200, check: page(2) },
  { route: 'GET /v1/accounts', path: '/v1/accounts', token: null, status: 401 },
  { route: 'DELETE /v1/tokens/:id', path: '/v1/tokens/Tid4Docs001', method: 'DELETE', status: 404 },
  { route: 'GET /v1/mutations', path: '/v1/mutations?from=2026-13-01', status: 422 },
]

describe('documented responses match what the server answers', () => {
  it.each(REPLAYS.map((r, i) => [`${r.route} → ${r.status} (${r.path})`, i] as const))('%s', async (_name, i) => {
    const r = REPLAYS[i]!
    // Placeholders resolved now that the accounts exist.
    const path = r.path.replace('=SANDBOX', `=${sandbox.publicId}`).replace('=BCA', `=${bca.publicId}`)
    const token = r.token === null ? undefined : r.token === 'weak' ? weakToken : (r.token ?? a.token)
    const res = await t.request(r.method ?? 'GET', path, { ...(token ? { token } : {}), ...(r.json === undefined ? {} : { json: r.json() }) })
    expect(res.status, await res.clone().text()).toBe(r.status)
    const body = (await res.json()) as Record<string, unknown>
    const validate = documented(r.route, r.status, res.headers.get('content-type') ?? '')
    expect(validate(body) ? [] : validate.errors, JSON.stringify(body).slice(0, 500)).toEqual([])
    r.check?.(body)
  })

  it('the schemas are strict: a changed type, a missing field or an undocumented field is caught', async () => {
    const body = (await (await t.request('GET', '/api/v2/mutation', { token: a.token })).json()) as {
      data: Record<string, unknown>[]
    }
    const validate = documented('GET /api/v2/mutation', 200, 'application/json')
    expect(validate(body)).toBe(true)
    const first = body.data[0]!
    const variants = [
      { ...first, amount: 150123 }, // money as a number, not Moota's decimal string
      { ...first, date: '2026-11-20T00:00:00Z' }, // not WIB `Y-m-d H:i:s`
      Object.fromEntries(Object.entries(first).filter(([k]) => k !== 'mutation_id')),
      { ...first, internal_id: 7 },
    ]
    for (const changed of variants) expect(validate({ ...body, data: [changed] }), JSON.stringify(changed).slice(0, 80)).toBe(false)
  })

  it('webhook history, deliveries and attempts, with real attempts behind them, match their strict schemas', async () => {
    // The replays' endpoints point at made-up hosts: removed, so nothing here reaches beyond 127.0.0.1.
    const others = (await (await t.request('GET', '/v1/webhooks', { token: a.token })).json()) as { data: { id: string }[] }
    for (const w of others.data) expect((await t.request('DELETE', `/v1/webhooks/${w.id}`, { token: a.token })).status).toBe(204)
    const rx = await startReceiver()
    try {
      rx.script.push([503, 'sibuk'])
      const created = await t.request('POST', '/v1/webhooks', { token: a.token, json: { url: rx.url, secret: 's', account: bca.publicId } })
      const hook = ((await created.json()) as { id: string }).id
      const { inserted } = await ingest(t.app.db, a.workspace, {
        accountId: bca.publicId,
        source: 'csv',
        rows: [{ date: '2026-11-22', type: 'CR', amount: '75500', description: 'TRSF ANI' }],
      })
      const mutation = inserted[0]!.publicId
      const pushed = await t.request('POST', `/api/v2/mutation/${mutation}/webhook`, { token: a.token })
      const tested = await t.request('POST', `/v1/webhooks/${hook}/test`, { token: a.token })
      expect([pushed.status, tested.status]).toEqual([200, 202])
      expect(await deliverDue(t.app.db, t.app.secretKey)).toBe(3) // one 503, two 200
      const delivery = ((await tested.clone().json()) as { id: string }).id
      const checks: [string, string, number, (body: Record<string, unknown>) => void][] = [
        ['POST /v1/webhooks/:id/test', '', 202, () => {}],
        ['GET /api/v2/integration/webhook/history/:webhook_id', `/api/v2/integration/webhook/history/${hook}`, 200, page(3)],
        ['GET /v1/webhooks/:id/deliveries', `/v1/webhooks/${hook}/deliveries`, 200, page(3)],
        ['GET /v1/mutations/:id/deliveries', `/v1/mutations/${mutation}/deliveries`, 200, page(2)],
        ['GET /v1/webhooks/:id/deliveries/:delivery_id/attempts', `/v1/webhooks/${hook}/deliveries/${delivery}/attempts`, 200, page(1)],
        ['GET /v1/webhooks/:id', `/v1/webhooks/${hook}`, 200, () => {}],
      ]
      for (const [route, path, status, check] of checks) {
        const res = path ? await t.request('GET', path, { token: a.token }) : tested
        expect(res.status, route).toBe(status)
        const body = (await res.json()) as Record<string, unknown>
        const validate = documented(route, status, res.headers.get('content-type') ?? '')
        expect(validate(body) ? [] : validate.errors, `${route}: ${JSON.stringify(body).slice(0, 300)}`).toEqual([])
        check(body)
      }
    } finally {
      await rx.close()
    }
  })
})
