/**
 * Mode isolation over the whole route table, as route-isolation.test.ts does for workspaces: a sandbox-mode token of
 * workspace W names, lists and tries to change W's live objects. Naming one answers exactly as an id that never
 * existed; lists and summaries show nothing live. A route without a row fails the test, so a route added later (the
 * payment requests, say) cannot forget the mode.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Account } from '../src/accounts/accounts.ts'
import {
  addTestAccount,
  createTenant,
  startTestServer,
  type Tenant,
  type TestServer,
} from '../src/api/test-support.ts'
import { ingest } from '../src/ledger/ingest.ts'
import { newPublicId } from '../src/shared/ids.ts'
import { createToken } from '../src/tokens/tokens.ts'
import { createEndpoint } from '../src/webhooks/endpoints.ts'

let t: TestServer
let w: Tenant
let sandboxToken: string
let bank: Account
let cash: Account
let sandbox: Account
let liveMutation: string
let sandboxMutation: string
let liveToken: string
let liveWebhook: string
let liveDelivery: string
const LIVE_TEXT = 'PEMBAYARAN LIVE'
const LIVE_HOOK = 'https://toko.example/live-hook'

beforeAll(async () => {
  t = await startTestServer()
  w = await createTenant(t.app.db)
  sandboxToken = (await createToken(t.app.db, { email: w.email, scopes: ['api'], mode: 'sandbox' })).token
  bank = await addTestAccount(t.app.db, w.workspace, 'bca')
  cash = await addTestAccount(t.app.db, w.workspace, 'cash')
  sandbox = await addTestAccount(t.app.db, w.workspace, 'sandbox')
  liveWebhook = (
    await createEndpoint(t.app.db, w.workspace, t.app.secretKey, { url: LIVE_HOOK, secret: 'rahasia', account: bank.publicId })
  ).publicId
  const live = await ingest(t.app.db, w.workspace, {
    accountId: bank.publicId,
    source: 'csv',
    rows: [
      { date: '2026-11-20', type: 'CR', amount: '150123', description: LIVE_TEXT, balance: '150123' },
      { date: '2026-11-21', type: 'CR', amount: '100', description: LIVE_TEXT, balance: '999999' },
    ],
  })
  liveMutation = live.inserted[0]!.publicId
  const sim = await ingest(t.app.db, w.workspace, {
    accountId: sandbox.publicId,
    source: 'sandbox',
    rows: [{ date: '2026-11-20', type: 'CR', amount: '70000', description: 'SIMULASI' }],
  })
  sandboxMutation = sim.inserted[0]!.publicId
  const [tok] = await t.app.db.query<{ public_id: string }>(
    "select public_id from api_tokens where workspace_id = $1 and mode = 'live' order by id limit 1",
    [w.workspace.id],
  )
  liveToken = tok!.public_id
  const [d] = await t.app.db.query<{ public_id: string }>('select public_id from webhook_deliveries where workspace_id = $1', [
    w.workspace.id,
  ])
  liveDelivery = d!.public_id
})
afterAll(() => t?.close())

type Probe = () => Promise<void>

const call = (method: string, path: string, json?: unknown) =>
  t.request(method, path, { token: sandboxToken, ...(json === undefined ? {} : { json }) })

function expectNothingLive(body: string): void {
  for (const live of [bank.publicId, cash.publicId, liveMutation, liveToken, liveWebhook, liveDelivery, LIVE_TEXT, LIVE_HOOK])
    expect(body).not.toContain(live)
  // Rp150.123 in every spelling the surfaces use.
  for (const amount of ['150123', '150.123']) expect(body).not.toContain(amount)
}

/** Naming a live object answers exactly as an id that never existed. */
const notFound =
  (method: string, id: () => string, path: (id: string) => string, json?: (id: string) => unknown): Probe =>
  async () => {
    const live = id()
    const never = newPublicId()
    const resL = await call(method, path(live), json?.(live))
    const resX = await call(method, path(never), json?.(never))
    expect(resL.status, `${method} ${path(live)}`).toBe(resX.status)
    expect([404, 422]).toContain(resL.status)
    const body = (await resL.text()).replaceAll(live, '<id>')
    expect(body).toBe((await resX.text()).replaceAll(never, '<id>'))
    expectNothingLive(body)
  }

/** The sandbox's own view: success, nothing live in it. */
const ownOnly =
  (method: string, path: string, json?: unknown): Probe =>
  async () => {
    const res = await call(method, path, json)
    expect(res.status, `${method} ${path}`).toBeLessThan(300)
    expectNothingLive(await res.text())
  }

/** Routes that carry no workspace data at all (or refuse everyone alike): they answer the same in both modes. */
const modeless =
  (method: string, path: string, json?: unknown, docs = false): Probe =>
  async () => {
    const res = await call(method, path, json)
    expect(res.status, `${method} ${path}`).toBeLessThan(500)
    // The API's documentation has example amounts of its own; it holds no workspace data either way.
    if (!docs) expectNothingLive(await res.text())
  }

const ownWebhook = async () => {
  const res = await call('POST', '/v1/webhooks', { url: 'https://toko.example/sandbox', secret: 's' })
  expect(res.status).toBe(201)
  return ((await res.json()) as { id: string }).id
}

const PROBES: Record<string, Probe> = {
  'GET /health': modeless('GET', '/health'),
  'GET /metrics': modeless('GET', '/metrics'),
  'GET /openapi.json': modeless('GET', '/openapi.json', undefined, true),
  'GET /docs': modeless('GET', '/docs', undefined, true),
  'POST /api/v2/auth/login': modeless('POST', '/api/v2/auth/login', { email: 'x@contoh.id', password: 'tebakan-salah' }),
  'POST /api/v2/auth/logout': async () => {
    const other = (await createToken(t.app.db, { email: w.email, mode: 'sandbox' })).token
    const res = await t.request('POST', '/api/v2/auth/logout', { token: other, json: [] })
    expect(res.status).toBe(200)
  },
  'POST /api/v2/auth/register': modeless('POST', '/api/v2/auth/register', { email: 'x@contoh.id', password: 'x' }),
  'GET /api/v2/user': modeless('GET', '/api/v2/user'),
  'GET /api/v2/bank': ownOnly('GET', '/api/v2/bank'),
  'GET /api/v2/accounts': ownOnly('GET', '/api/v2/accounts'),
  'GET /api/v2/bank/available': ownOnly('GET', '/api/v2/bank/available'),
  'POST /api/v2/bank/store': async () => {
    const res = await call('POST', '/api/v2/bank/store', { bank_type: 'bca', account_number: '42', name_holder: 'S' })
    expect(res.status).toBe(422)
  },
  'POST /api/v2/bank/update/:bank_id': notFound('POST', () => bank.publicId, (id) => `/api/v2/bank/update/${id}`, () => ({ name_holder: 'S' })),
  'PUT /api/v2/bank/update/:bank_id': notFound('PUT', () => bank.publicId, (id) => `/api/v2/bank/update/${id}`, () => ({ name_holder: 'S' })),
  'POST /api/v2/bank/:bank_id/refresh': notFound('POST', () => bank.publicId, (id) => `/api/v2/bank/${id}/refresh`),
  'POST /api/v2/bank/:bank_id/destroy': notFound('POST', () => bank.publicId, (id) => `/api/v2/bank/${id}/destroy`),
  'GET /api/v2/mutation': async () => {
    await notFound('GET', () => bank.publicId, (id) => `/api/v2/mutation?bank=${id}`)()
    const res = await call('GET', '/api/v2/mutation')
    const text = await res.text()
    expect(text).toContain(sandboxMutation)
    expectNothingLive(text)
  },
  'GET /api/v2/mutation/summary': async () => {
    await notFound('GET', () => bank.publicId, (id) => `/api/v2/mutation/summary?bank=${id}`)()
    await ownOnly('GET', '/api/v2/mutation/summary')()
  },
  'POST /api/v2/mutation/:mutation_id/note': notFound('POST', () => liveMutation, (id) => `/api/v2/mutation/${id}/note`, () => ({ note: 'S' })),
  'POST /api/v2/mutation/destroy': async () => {
    const res = await call('POST', '/api/v2/mutation/destroy', { mutations: [liveMutation] })
    expect(res.status).toBeLessThan(500)
    expectNothingLive(await res.text())
  },
  'GET /api/v2/tagging': ownOnly('GET', '/api/v2/tagging'),
  'POST /api/v2/tagging': ownOnly('POST', '/api/v2/tagging', { name: 'uji-sandbox' }),
  // Tag names are shared by both modes (the workspace's vocabulary), so tag ids are reachable: no row of data.
  'PUT /api/v2/tagging/:tag_id': notFound('PUT', () => newPublicId(), (id) => `/api/v2/tagging/${id}`, () => ({ name: 'S' })),
  'POST /api/v2/tagging/:tag_id': notFound('POST', () => newPublicId(), (id) => `/api/v2/tagging/${id}`, () => ({ name: 'S' })),
  'DELETE /api/v2/tagging/:tag_id': notFound('DELETE', () => newPublicId(), (id) => `/api/v2/tagging/${id}`),
  'POST /api/v2/tagging/mutation/:mutation_id': notFound('POST', () => liveMutation, (id) => `/api/v2/tagging/mutation/${id}`, () => ({ name: ['S'] })),
  'PUT /api/v2/tagging/mutation/:mutation_id': notFound('PUT', () => liveMutation, (id) => `/api/v2/tagging/mutation/${id}`, () => ({ name: ['S'] })),
  'DELETE /api/v2/tagging/mutation/:mutation_id': notFound('DELETE', () => liveMutation, (id) => `/api/v2/tagging/mutation/${id}`, () => ({ name: ['S'] })),
  'GET /api/v2/payment': modeless('GET', '/api/v2/payment'),
  'GET /api/v2/topup/denom': modeless('GET', '/api/v2/topup/denom'),
  'GET /api/v2/topup': modeless('GET', '/api/v2/topup'),
  'GET /api/v2/transaction': modeless('GET', '/api/v2/transaction'),
  'POST /api/v2/topup': modeless('POST', '/api/v2/topup', { amount: 50000, payment_method: 'bca' }),
  'POST /api/v2/voucher/redeem': modeless('POST', '/api/v2/voucher/redeem', { code: 'x' }),
  'POST /api/v2/bank/request/otp/:bank_id': notFound('POST', () => bank.publicId, (id) => `/api/v2/bank/request/otp/${id}`),
  'POST /api/v2/bank/verification/otp/:bank_id': notFound('POST', () => bank.publicId, (id) => `/api/v2/bank/verification/otp/${id}`, () => ({ otp_code: '1234' })),
  'POST /api/v2/contract': modeless('POST', '/api/v2/contract', { invoice_number: 'INV-1' }),
  'GET /api/v2/contract': modeless('GET', '/api/v2/contract'),
  'POST /api/v2/contract/cancel/:trx_id': modeless('POST', '/api/v2/contract/cancel/trx-1', {}),
  'GET /api/v2/payment-method': modeless('GET', '/api/v2/payment-method'),
  'GET /api/v2/plugin/token': modeless('GET', '/api/v2/plugin/token'),
  'POST /api/v2/mutation/store/:bank_id': async () => {
    for (const acc of [bank, cash])
      await notFound('POST', () => acc.publicId, (id) => `/api/v2/mutation/store/${id}`, () => ({ amount: '1000', type: 'CR' }))()
  },
  'GET /api/v2/integration/webhook': ownOnly('GET', '/api/v2/integration/webhook'),
  'POST /api/v2/integration/webhook': async () => {
    const store = (account: string) =>
      call('POST', '/api/v2/integration/webhook', { url: 'https://toko.example/s', secret_token: 's', bank_account_id: account })
    const never = newPublicId()
    const resL = await store(bank.publicId)
    const resX = await store(never)
    expect([resL.status, resX.status]).toEqual([422, 422])
    expect((await resL.text()).replaceAll(bank.publicId, '<id>')).toBe((await resX.text()).replaceAll(never, '<id>'))
  },
  'DELETE /api/v2/integration/webhook/:webhook_id': notFound('DELETE', () => liveWebhook, (id) => `/api/v2/integration/webhook/${id}`),
  'GET /api/v2/integration/webhook/history/:webhook_id': notFound('GET', () => liveWebhook, (id) => `/api/v2/integration/webhook/history/${id}`),
  'POST /api/v2/mutation/:mutation_id/webhook': notFound('POST', () => liveMutation, (id) => `/api/v2/mutation/${id}/webhook`),
  'GET /v1/webhooks': ownOnly('GET', '/v1/webhooks'),
  'POST /v1/webhooks': async () => {
    const never = newPublicId()
    const create = (account: string) => call('POST', '/v1/webhooks', { url: 'https://toko.example/s', secret: 's', account })
    const resL = await create(bank.publicId)
    const resX = await create(never)
    expect([resL.status, resX.status]).toEqual([422, 422])
    expect((await resL.text()).replaceAll(bank.publicId, '<id>')).toBe((await resX.text()).replaceAll(never, '<id>'))
  },
  'GET /v1/webhooks/:id': notFound('GET', () => liveWebhook, (id) => `/v1/webhooks/${id}`),
  'PATCH /v1/webhooks/:id': async () => {
    await notFound('PATCH', () => liveWebhook, (id) => `/v1/webhooks/${id}`, () => ({ active: false }))()
    const own = await ownWebhook()
    const never = newPublicId()
    const resL = await call('PATCH', `/v1/webhooks/${own}`, { account: bank.publicId })
    const resX = await call('PATCH', `/v1/webhooks/${own}`, { account: never })
    expect([resL.status, resX.status]).toEqual([422, 422])
  },
  'DELETE /v1/webhooks/:id': notFound('DELETE', () => liveWebhook, (id) => `/v1/webhooks/${id}`),
  'POST /v1/webhooks/:id/enable': notFound('POST', () => liveWebhook, (id) => `/v1/webhooks/${id}/enable`),
  'POST /v1/webhooks/:id/test': notFound('POST', () => liveWebhook, (id) => `/v1/webhooks/${id}/test`),
  'GET /v1/webhooks/:id/deliveries': notFound('GET', () => liveWebhook, (id) => `/v1/webhooks/${id}/deliveries`),
  'GET /v1/webhooks/:id/deliveries/:delivery_id/attempts': async () => {
    await notFound('GET', () => liveWebhook, (id) => `/v1/webhooks/${id}/deliveries/${liveDelivery}/attempts`)()
    const own = await ownWebhook()
    await notFound('GET', () => liveDelivery, (id) => `/v1/webhooks/${own}/deliveries/${id}/attempts`)()
  },
  'POST /v1/webhooks/:id/deliveries/:delivery_id/retry': notFound(
    'POST',
    () => liveWebhook,
    (id) => `/v1/webhooks/${id}/deliveries/${liveDelivery}/retry`,
  ),
  'POST /v1/webhooks/:id/replay': notFound('POST', () => liveWebhook, (id) => `/v1/webhooks/${id}/replay`, () => ({
    from: '2020-01-01',
    to: '2030-01-01',
  })),
  'GET /v1/mutations/:id/deliveries': notFound('GET', () => liveMutation, (id) => `/v1/mutations/${id}/deliveries`),
  'GET /v1/mutations': async () => {
    await notFound('GET', () => bank.publicId, (id) => `/v1/mutations?account=${id}`)()
    const text = await (await call('GET', '/v1/mutations')).text()
    expect(text).toContain(sandboxMutation)
    expectNothingLive(text)
    await ownOnly('GET', '/v1/mutations?include_sandbox=false')()
  },
  'GET /v1/accounts': ownOnly('GET', '/v1/accounts'),
  'GET /v1/tokens': ownOnly('GET', '/v1/tokens'),
  'POST /v1/tokens': async () => {
    expect((await call('POST', '/v1/tokens', { mode: 'live' })).status).toBe(403)
    await ownOnly('POST', '/v1/tokens', { name: 'S' })()
  },
  'DELETE /v1/tokens/:id': notFound('DELETE', () => liveToken, (id) => `/v1/tokens/${id}`),
  'POST /v1/accounts/:id/refresh': notFound('POST', () => bank.publicId, (id) => `/v1/accounts/${id}/refresh`),
  'GET /v1/mutations/:id': notFound('GET', () => liveMutation, (id) => `/v1/mutations/${id}`),
  'PATCH /v1/mutations/:id': notFound('PATCH', () => liveMutation, (id) => `/v1/mutations/${id}`, () => ({ note: 'S' })),
  'DELETE /v1/mutations/:id': notFound('DELETE', () => liveMutation, (id) => `/v1/mutations/${id}`),
  'POST /v1/mutations': async () => {
    for (const acc of [bank, cash])
      await notFound('POST', () => acc.publicId, () => '/v1/mutations', (id) => ({ account: id, amount: '1000', type: 'CR' }))()
  },
  'GET /v1/tags': ownOnly('GET', '/v1/tags'),
  'POST /v1/tags': ownOnly('POST', '/v1/tags', { name: 'uji-sandbox-2' }),
  'PATCH /v1/tags/:id': notFound('PATCH', () => newPublicId(), (id) => `/v1/tags/${id}`, () => ({ name: 'S' })),
  'DELETE /v1/tags/:id': notFound('DELETE', () => newPublicId(), (id) => `/v1/tags/${id}`),
  'PUT /v1/mutations/:id/tags': notFound('PUT', () => liveMutation, (id) => `/v1/mutations/${id}/tags`, () => ({ names: ['S'] })),
  'DELETE /v1/mutations/:id/tags/:tag_id': notFound('DELETE', () => liveMutation, (id) => `/v1/mutations/${id}/tags/${newPublicId()}`),
  'GET /v1/accounts/:id': notFound('GET', () => bank.publicId, (id) => `/v1/accounts/${id}`),
  'GET /v1/accounts/:id/sync-runs': notFound('GET', () => bank.publicId, (id) => `/v1/accounts/${id}/sync-runs`),
  'GET /v1/balance-gaps': async () => {
    const [gap] = await t.app.db.query('select 1 from balance_gaps where account_id = $1', [bank.id])
    expect(gap).toBeDefined() // the live account really has one to hide
    await notFound('GET', () => bank.publicId, (id) => `/v1/balance-gaps?account=${id}`)()
    await ownOnly('GET', '/v1/balance-gaps')()
  },
  'GET /v1/events': async () => {
    const res = await call('GET', '/v1/events?limit=500')
    const text = await res.text()
    expect(text).toContain(sandboxMutation)
    expectNothingLive(text)
  },
  // The probes above put live ids in the sandbox token's own paths, so this row checks what matters: a call made
  // with a live token never shows, and every listed call is a sandbox-mode token's.
  'GET /v1/api-calls': async () => {
    expect((await t.request('GET', '/api/v2/user?probe=live-only', { token: w.token })).status).toBe(200)
    await t.server.apiCallLog?.flush()
    const res = await call('GET', '/v1/api-calls?limit=200')
    expect(res.status).toBe(200)
    const text = await res.text()
    expect(text).not.toContain('probe=live-only')
    const sandboxTokens = await t.app.db.query<{ public_id: string }>(
      "select public_id from api_tokens where workspace_id = $1 and mode = 'sandbox'",
      [w.workspace.id],
    )
    const listed = (JSON.parse(text) as { data: { token_id: string }[] }).data
    expect(listed.length).toBeGreaterThan(0)
    for (const c of listed) expect(sandboxTokens.map((r) => r.public_id)).toContain(c.token_id)
  },
}

describe('mode isolation over every route', () => {
  it('has a hand-written expectation for every registered route', () => {
    const missing = t.server.routeList().filter((r) => !(r in PROBES))
    expect(missing, 'routes with no row in PROBES').toEqual([])
  })

  it.each(Object.keys(PROBES))('%s: a sandbox-mode token cannot read, change or detect live data', async (route) => {
    expect(t.server.routeList()).toContain(route)
    await PROBES[route]!()
  })

  it('left every live object as it was', async () => {
    const [acc] = await t.app.db.query('select holder_name, deleted_at from accounts where id = $1', [bank.id])
    expect(acc).toMatchObject({ holder_name: bank.holderName, deleted_at: null })
    const [m] = await t.app.db.query('select note, deleted_at from mutations where public_id = $1', [liveMutation])
    expect(m).toEqual({ note: '', deleted_at: null })
    const tagged = await t.app.db.query(
      'select 1 from mutation_tags mt join mutations m on m.id = mt.mutation_id where not m.sandbox',
    )
    expect(tagged).toEqual([])
    expect(await t.app.db.query('select count(*)::int as n from mutations where account_id = $1', [cash.id])).toEqual([{ n: 0 }])
    const [hook] = await t.app.db.query('select active, deleted_at from webhook_endpoints where public_id = $1', [liveWebhook])
    expect(hook).toEqual({ active: true, deleted_at: null })
    const manual = await t.app.db.query(
      "select count(*)::int as n from webhook_deliveries d join webhook_endpoints e on e.id = d.endpoint_id where not e.sandbox and d.trigger <> 'event'",
    )
    expect(manual).toEqual([{ n: 0 }])
    const [tok] = await t.app.db.query('select revoked_at from api_tokens where public_id = $1', [liveToken])
    expect(tok).toEqual({ revoked_at: null })
  })
})
