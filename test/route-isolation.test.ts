/**
 * Tenant isolation over the whole route table. For every registered route, a token of workspace A tries to read,
 * change or learn about workspace B's objects; the expected outcome per route is written out here by hand. A route
 * without a row fails the test, so routes added later cannot slip through unexamined.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Account } from '../src/accounts/accounts.ts'
import {
  addTestAccount,
  createTenant,
  startTestServer,
  type Tenant,
  type TestServer,
  tokenWithScopes,
} from '../src/api/test-support.ts'
import { ingest } from '../src/ledger/ingest.ts'
import { newPublicId } from '../src/shared/ids.ts'
import { attachTags } from '../src/tags/tags.ts'
import { createEndpoint } from '../src/webhooks/endpoints.ts'

let t: TestServer
let a: Tenant
let b: Tenant
let bBank: Account
let bSandbox: Account
let bCash: Account
let bToken: string
let bMutation: string
let bTag: string
let bWebhook: string
let bDelivery: string
const B_TAG = 'rahasia-b'
const B_HOOK_URL = 'https://toko-b.example/moota-hook'
const B_HOOK_SECRET = 'rahasia-webhook-b'

beforeAll(async () => {
  t = await startTestServer()
  a = await createTenant(t.app.db)
  b = await createTenant(t.app.db)
  bBank = await addTestAccount(t.app.db, b.workspace, 'bca')
  bSandbox = await addTestAccount(t.app.db, b.workspace, 'sandbox')
  bCash = await addTestAccount(t.app.db, b.workspace, 'cash')
  const r = await ingest(t.app.db, b.workspace, {
    accountId: bBank.publicId,
    source: 'csv',
    rows: [{ date: '2026-11-20', type: 'CR', amount: '150123', description: 'PEMBAYARAN B' }],
  })
  bMutation = r.inserted[0]!.publicId
  await attachTags(t.app.db, b.workspace, bMutation, [B_TAG])
  const [tag] = await t.app.db.query<{ public_id: string }>('select public_id from tags where workspace_id = $1', [
    b.workspace.id,
  ])
  bTag = tag!.public_id
  const [tok] = await t.app.db.query<{ public_id: string }>(
    'select public_id from api_tokens where workspace_id = $1 order by id limit 1',
    [b.workspace.id],
  )
  bToken = tok!.public_id
  bWebhook = (
    await createEndpoint(t.app.db, b.workspace, t.app.secretKey, {
      url: B_HOOK_URL,
      secret: B_HOOK_SECRET,
      account: bBank.publicId,
    })
  ).publicId
  // A delivery of B's (fan-out of a new mutation to B's webhook), for the delivery routes.
  await ingest(t.app.db, b.workspace, {
    accountId: bBank.publicId,
    source: 'csv',
    rows: [{ date: '2026-11-19', type: 'CR', amount: '99123', description: 'PEMBAYARAN B' }],
  })
  const [d] = await t.app.db.query<{ public_id: string }>('select public_id from webhook_deliveries where workspace_id = $1', [
    b.workspace.id,
  ])
  bDelivery = d!.public_id
})
afterAll(() => t?.close())

type Probe = () => Promise<void>

const call = (method: string, path: string, json?: unknown, token = a.token) =>
  t.request(method, path, { token, ...(json === undefined ? {} : { json }) })

/**
 * A's request naming one of B's objects (`id`): 404, answered exactly as for an id that never existed (so nothing
 * is learned), and nothing else of B's in the body.
 */
const notFound =
  (method: string, id: () => string, path: (id: string) => string, json?: (id: string) => unknown): Probe =>
  async () => {
    const theirs = id()
    const never = newPublicId()
    const resB = await call(method, path(theirs), json?.(theirs))
    const resX = await call(method, path(never), json?.(never))
    expect(resB.status, `${method} ${path(theirs)}`).toBe(404)
    expect(resX.status).toBe(404)
    const bodyB = (await resB.text()).replaceAll(theirs, '<id>')
    expect(bodyB).toBe((await resX.text()).replaceAll(never, '<id>'))
    expectNoTraceOfB(bodyB)
  }

/** A route refused to everyone alike (a self-hosted stub): the status, and nothing of B's in the body. */
const refused =
  (method: string, path: string, status: number, json?: unknown): Probe =>
  async () => {
    const res = await call(method, path, json)
    expect(res.status, `${method} ${path}`).toBe(status)
    expectNoTraceOfB(await res.text())
  }

/** A's own view: success, and nothing of B's in it. */
const ownOnly =
  (method: string, path: string, json?: unknown): Probe =>
  async () => {
    const res = await call(method, path, json)
    expect(res.status, `${method} ${path}`).toBeLessThan(300)
    expectNoTraceOfB(await res.text())
  }

function expectNoTraceOfB(body: string): void {
  const ofB = [b.workspace.publicId, bBank.publicId, bSandbox.publicId, bCash.publicId, bMutation, bTag, bToken, bWebhook, bDelivery]
  for (const secret of [...ofB, 'PEMBAYARAN B', b.email, B_HOOK_URL, B_HOOK_SECRET])
    expect(body).not.toContain(secret)
}

/** A mutation of A's own, on a fresh account of A's (for probes that need one to act on). */
async function ownMutation(amount: string): Promise<string> {
  const aBank = await addTestAccount(t.app.db, a.workspace, 'bca')
  const r = await ingest(t.app.db, a.workspace, {
    accountId: aBank.publicId,
    source: 'csv',
    rows: [{ date: '2026-11-20', type: 'CR', amount, description: 'PEMBAYARAN A' }],
  })
  return r.inserted[0]!.publicId
}

const PROBES: Record<string, Probe> = {
  'GET /health': ownOnly('GET', '/health'),
  'GET /metrics': ownOnly('GET', '/metrics'),
  'GET /openapi.json': ownOnly('GET', '/openapi.json'),
  'GET /docs': ownOnly('GET', '/docs'),
  'POST /api/v2/auth/login': async () => {
    // A wrong password for B's e-mail answers exactly like an unknown e-mail: nothing learned about B.
    const known = await call('POST', '/api/v2/auth/login', { email: b.email, password: 'tebakan-salah' }, '')
    const unknown = await call('POST', '/api/v2/auth/login', { email: 'tidak-ada@contoh.id', password: 'tebakan-salah' }, '')
    expect(known.status).toBe(422)
    expect(await known.text()).toBe(await unknown.text())
  },
  'POST /api/v2/auth/logout': async () => {
    const own = await tokenWithScopes(t.app.db, a, ['api'])
    expect((await call('POST', '/api/v2/auth/logout', [], own)).status).toBe(200)
    // B's token is untouched (checked again at the end).
    expect((await call('GET', '/api/v2/user', undefined, b.token)).status).toBe(200)
  },
  'POST /api/v2/auth/register': async () => {
    expect((await call('POST', '/api/v2/auth/register', { email: b.email, password: 'x' }, '')).status).toBe(403)
  },
  'GET /api/v2/user': async () => {
    const res = await call('GET', '/api/v2/user')
    const text = await res.text()
    expect(JSON.parse(text).user_id).toBe(a.workspace.publicId)
    expectNoTraceOfB(text)
  },
  'GET /api/v2/bank': ownOnly('GET', '/api/v2/bank?sandbox=1'),
  'GET /api/v2/accounts': ownOnly('GET', '/api/v2/accounts?sandbox=1'),
  'GET /api/v2/bank/available': ownOnly('GET', '/api/v2/bank/available'),
  // The same bank and number as B's account is A's own business: no "already exists" that would reveal B.
  'POST /api/v2/bank/store': async () => {
    const res = await call('POST', '/api/v2/bank/store', {
      bank_type: 'bca',
      account_number: bBank.accountNumber,
      name_holder: 'A',
    })
    expect(res.status).toBe(200)
    expectNoTraceOfB(await res.text())
  },
  'POST /api/v2/bank/update/:bank_id': notFound('POST', () => bBank.publicId, (id) => `/api/v2/bank/update/${id}`, () => ({ name_holder: 'A' })),
  'PUT /api/v2/bank/update/:bank_id': notFound('PUT', () => bBank.publicId, (id) => `/api/v2/bank/update/${id}`, () => ({ name_holder: 'A' })),
  'POST /api/v2/bank/:bank_id/refresh': notFound('POST', () => bBank.publicId, (id) => `/api/v2/bank/${id}/refresh`),
  'POST /api/v2/bank/:bank_id/destroy': notFound('POST', () => bBank.publicId, (id) => `/api/v2/bank/${id}/destroy`),
  'GET /api/v2/mutation': async () => {
    await notFound('GET', () => bBank.publicId, (id) => `/api/v2/mutation?bank=${id}`)()
    await notFound('GET', () => bSandbox.publicId, (id) => `/api/v2/mutation?bank_id=${id}`)()
    await ownOnly('GET', `/api/v2/mutation?tag=${B_TAG}`)()
    await ownOnly('GET', '/api/v2/mutation')()
  },
  'GET /api/v2/mutation/summary': async () => {
    await notFound('GET', () => bBank.publicId, (id) => `/api/v2/mutation/summary?bank=${id}`)()
    await ownOnly('GET', '/api/v2/mutation/summary')()
  },
  'POST /api/v2/mutation/:mutation_id/note': notFound('POST', () => bMutation, (id) => `/api/v2/mutation/${id}/note`, () => ({ note: 'A' })),
  'POST /api/v2/mutation/destroy': notFound('POST', () => bMutation, () => '/api/v2/mutation/destroy', (id) => ({ mutations: [id] })),
  'GET /api/v2/tagging': async () => {
    await ownOnly('GET', '/api/v2/tagging')()
    await ownOnly('GET', `/api/v2/tagging?tag=${B_TAG}`)()
  },
  // B's tag name is free in A: a duplicate-name error would reveal it.
  'POST /api/v2/tagging': ownOnly('POST', '/api/v2/tagging', { name: B_TAG }),
  'PUT /api/v2/tagging/:tag_id': notFound('PUT', () => bTag, (id) => `/api/v2/tagging/${id}`, () => ({ name: 'A' })),
  'POST /api/v2/tagging/:tag_id': notFound('POST', () => bTag, (id) => `/api/v2/tagging/${id}`, () => ({ name: 'A' })),
  'DELETE /api/v2/tagging/:tag_id': notFound('DELETE', () => bTag, (id) => `/api/v2/tagging/${id}`),
  'POST /api/v2/tagging/mutation/:mutation_id': notFound('POST', () => bMutation, (id) => `/api/v2/tagging/mutation/${id}`, () => ({ name: ['A'] })),
  'PUT /api/v2/tagging/mutation/:mutation_id': notFound('PUT', () => bMutation, (id) => `/api/v2/tagging/mutation/${id}`, () => ({ name: ['A'] })),
  'DELETE /api/v2/tagging/mutation/:mutation_id': notFound('DELETE', () => bMutation, (id) => `/api/v2/tagging/mutation/${id}`, () => ({
    name: [B_TAG],
  })),
  // P2 billing (moota-billing.ts): self-hosted reads carry nothing of anyone; top-up and voucher are refused (422).
  'GET /api/v2/payment': ownOnly('GET', '/api/v2/payment'),
  'GET /api/v2/topup/denom': ownOnly('GET', '/api/v2/topup/denom'),
  'GET /api/v2/topup': ownOnly('GET', '/api/v2/topup'),
  'GET /api/v2/transaction': ownOnly('GET', '/api/v2/transaction'),
  'POST /api/v2/topup': refused('POST', '/api/v2/topup', 422, { amount: 50000, payment_method: 'bca' }),
  'POST /api/v2/voucher/redeem': refused('POST', '/api/v2/voucher/redeem', 422, { code: 'test-sdk' }),
  // OTP: B's bank is 404 like an unknown one (A's own banks get 422 "OTP is not used").
  'POST /api/v2/bank/request/otp/:bank_id': notFound('POST', () => bBank.publicId, (id) => `/api/v2/bank/request/otp/${id}`),
  'POST /api/v2/bank/verification/otp/:bank_id': notFound(
    'POST',
    () => bBank.publicId,
    (id) => `/api/v2/bank/verification/otp/${id}`,
    () => ({ otp_code: '1234' }),
  ),
  // MootaPay contract: 403 "not available" for everyone, so nothing to learn.
  'POST /api/v2/contract': refused('POST', '/api/v2/contract', 403, { invoice_number: 'INV-1' }),
  'GET /api/v2/contract': refused('GET', '/api/v2/contract', 403),
  'POST /api/v2/contract/cancel/:trx_id': refused('POST', '/api/v2/contract/cancel/trx-123', 403, {}),
  'GET /api/v2/payment-method': refused('GET', '/api/v2/payment-method', 403),
  'GET /api/v2/plugin/token': refused('GET', '/api/v2/plugin/token', 403),
  // A cash account of B's: manual entries refused exactly like an unknown account.
  'POST /api/v2/mutation/store/:bank_id': async () => {
    await notFound('POST', () => bSandbox.publicId, (id) => `/api/v2/mutation/store/${id}`, () => ({ amount: '1000', type: 'CR' }))()
    await notFound('POST', () => bCash.publicId, (id) => `/api/v2/mutation/store/${id}`, () => ({ amount: '1000', type: 'CR' }))()
  },
  // Webhooks (moota-webhooks.ts): B's webhook is unknown to A, B's account cannot be named in A's, B's mutation
  // cannot be pushed (its deliveries are counted at the end).
  'GET /api/v2/integration/webhook': async () => {
    await ownOnly('GET', '/api/v2/integration/webhook')()
    // Filtering by B's account answers like an unknown account (the page URLs echo A's own query, hence the swap).
    const never = newPublicId()
    const resB = await call('GET', `/api/v2/integration/webhook?bank_account_id=${bBank.publicId}`)
    const resX = await call('GET', `/api/v2/integration/webhook?bank_account_id=${never}`)
    const bodyB = (await resB.text()).replaceAll(bBank.publicId, '<id>')
    expect(bodyB).toBe((await resX.text()).replaceAll(never, '<id>'))
    expect(JSON.parse(bodyB).total).toBe(0)
    const byUrl = await call('GET', `/api/v2/integration/webhook?url=${encodeURIComponent(B_HOOK_URL)}`)
    const listed = (await byUrl.json()) as { data: { user_id: string }[] }
    expect(listed.data.filter((w) => w.user_id !== a.workspace.publicId)).toEqual([])
  },
  'POST /api/v2/integration/webhook': async () => {
    const store = (account: string) =>
      call('POST', '/api/v2/integration/webhook', { url: B_HOOK_URL, secret_token: 'a', bank_account_id: account })
    const never = newPublicId()
    const resB = await store(bBank.publicId)
    const resX = await store(never)
    expect([resB.status, resX.status]).toEqual([422, 422])
    const bodyB = (await resB.text()).replaceAll(bBank.publicId, '<id>')
    expect(bodyB).toBe((await resX.text()).replaceAll(never, '<id>'))
    expectNoTraceOfB(bodyB)
    // The same URL as B's is A's own business (removed again, so A's later lists stay free of B's URL).
    const own = await call('POST', '/api/v2/integration/webhook', { url: B_HOOK_URL, secret_token: 'a' })
    expect(own.status).toBe(200)
    const ownId = ((await own.json()) as { webhook_id: string }).webhook_id
    expect((await call('DELETE', `/api/v2/integration/webhook/${ownId}`)).status).toBe(200)
  },
  'DELETE /api/v2/integration/webhook/:webhook_id': notFound('DELETE', () => bWebhook, (id) => `/api/v2/integration/webhook/${id}`),
  'GET /api/v2/integration/webhook/history/:webhook_id': notFound(
    'GET',
    () => bWebhook,
    (id) => `/api/v2/integration/webhook/history/${id}`,
  ),
  'POST /api/v2/mutation/:mutation_id/webhook': notFound('POST', () => bMutation, (id) => `/api/v2/mutation/${id}/webhook`),
  // /v1 webhooks (webhooks.ts): the same rules as Moota's, plus B's delivery ids under A's own webhook.
  'GET /v1/webhooks': ownOnly('GET', '/v1/webhooks'),
  'POST /v1/webhooks': async () => {
    const never = newPublicId()
    const create = (account: string) => call('POST', '/v1/webhooks', { url: 'https://toko-a.example/h', secret: 'a', account })
    const resB = await create(bBank.publicId)
    const resX = await create(never)
    expect([resB.status, resX.status]).toEqual([422, 422])
    const bodyB = (await resB.text()).replaceAll(bBank.publicId, '<id>')
    expect(bodyB).toBe((await resX.text()).replaceAll(never, '<id>'))
    expectNoTraceOfB(bodyB)
  },
  'GET /v1/webhooks/:id': notFound('GET', () => bWebhook, (id) => `/v1/webhooks/${id}`),
  'PATCH /v1/webhooks/:id': async () => {
    await notFound('PATCH', () => bWebhook, (id) => `/v1/webhooks/${id}`, () => ({ url: 'https://toko-a.example/x', active: false }))()
    // B's account on A's own webhook is refused exactly like an unknown account.
    const own = await call('POST', '/v1/webhooks', { url: 'https://toko-a.example/own', secret: 'a' })
    const ownId = ((await own.json()) as { id: string }).id
    const never = newPublicId()
    const resB = await call('PATCH', `/v1/webhooks/${ownId}`, { account: bBank.publicId })
    const resX = await call('PATCH', `/v1/webhooks/${ownId}`, { account: never })
    expect([resB.status, resX.status]).toEqual([422, 422])
    expect((await resB.text()).replaceAll(bBank.publicId, '<id>')).toBe((await resX.text()).replaceAll(never, '<id>'))
    expect((await call('DELETE', `/v1/webhooks/${ownId}`)).status).toBe(204)
  },
  'DELETE /v1/webhooks/:id': notFound('DELETE', () => bWebhook, (id) => `/v1/webhooks/${id}`),
  'POST /v1/webhooks/:id/enable': notFound('POST', () => bWebhook, (id) => `/v1/webhooks/${id}/enable`),
  'POST /v1/webhooks/:id/test': notFound('POST', () => bWebhook, (id) => `/v1/webhooks/${id}/test`),
  'GET /v1/webhooks/:id/deliveries': async () => {
    await notFound('GET', () => bWebhook, (id) => `/v1/webhooks/${id}/deliveries`)()
    // B's delivery id as a cursor under A's own webhook: refused like any unknown cursor.
    const own = await call('POST', '/v1/webhooks', { url: 'https://toko-a.example/own', secret: 'a' })
    const ownId = ((await own.json()) as { id: string }).id
    const resB = await call('GET', `/v1/webhooks/${ownId}/deliveries?cursor=${bDelivery}`)
    const never = newPublicId()
    const resX = await call('GET', `/v1/webhooks/${ownId}/deliveries?cursor=${never}`)
    expect([resB.status, resX.status]).toEqual([422, 422])
    expect(await resB.text()).toBe(await resX.text())
    expect((await call('DELETE', `/v1/webhooks/${ownId}`)).status).toBe(204)
  },
  'GET /v1/webhooks/:id/deliveries/:delivery_id/attempts': async () => {
    await notFound('GET', () => bWebhook, (id) => `/v1/webhooks/${id}/deliveries/${bDelivery}/attempts`)()
    const own = await call('POST', '/v1/webhooks', { url: 'https://toko-a.example/own', secret: 'a' })
    const ownId = ((await own.json()) as { id: string }).id
    await notFound('GET', () => bDelivery, (id) => `/v1/webhooks/${ownId}/deliveries/${id}/attempts`)()
    expect((await call('DELETE', `/v1/webhooks/${ownId}`)).status).toBe(204)
  },
  'POST /v1/webhooks/:id/deliveries/:delivery_id/retry': async () => {
    await notFound('POST', () => bWebhook, (id) => `/v1/webhooks/${id}/deliveries/${bDelivery}/retry`)()
    const own = await call('POST', '/v1/webhooks', { url: 'https://toko-a.example/own', secret: 'a' })
    const ownId = ((await own.json()) as { id: string }).id
    await notFound('POST', () => bDelivery, (id) => `/v1/webhooks/${ownId}/deliveries/${id}/retry`)()
    expect((await call('DELETE', `/v1/webhooks/${ownId}`)).status).toBe(204)
  },
  'POST /v1/webhooks/:id/replay': notFound('POST', () => bWebhook, (id) => `/v1/webhooks/${id}/replay`, () => ({
    from: '2020-01-01',
    to: '2030-01-01',
  })),
  'GET /v1/mutations/:id/deliveries': notFound('GET', () => bMutation, (id) => `/v1/mutations/${id}/deliveries`),
  'GET /v1/mutations': async () => {
    await notFound('GET', () => bBank.publicId, (id) => `/v1/mutations?account=${id}`)()
    await ownOnly('GET', '/v1/mutations?include_sandbox=true')()
  },
  'GET /v1/accounts': ownOnly('GET', '/v1/accounts'),
  'GET /v1/tokens': ownOnly('GET', '/v1/tokens'),
  'POST /v1/tokens': ownOnly('POST', '/v1/tokens', { name: 'A', scopes: ['mutation_read'] }),
  'DELETE /v1/tokens/:id': async () => {
    await notFound('DELETE', () => bToken, (id) => `/v1/tokens/${id}`)()
    // B's token is not revoked by A's attempt.
    expect((await call('GET', '/api/v2/user', undefined, b.token)).status).toBe(200)
  },
  'POST /v1/accounts/:id/refresh': notFound('POST', () => bBank.publicId, (id) => `/v1/accounts/${id}/refresh`),
  'GET /v1/mutations/:id': notFound('GET', () => bMutation, (id) => `/v1/mutations/${id}`),
  'PATCH /v1/mutations/:id': notFound('PATCH', () => bMutation, (id) => `/v1/mutations/${id}`, () => ({ note: 'A' })),
  'DELETE /v1/mutations/:id': notFound('DELETE', () => bMutation, (id) => `/v1/mutations/${id}`),
  // B's sandbox, cash and bank accounts all answer like an unknown account: no simulated or manual entry lands in B.
  'POST /v1/mutations': async () => {
    for (const acc of [bSandbox, bCash, bBank])
      await notFound('POST', () => acc.publicId, () => '/v1/mutations', (id) => ({ account: id, amount: '1000', type: 'CR' }))()
  },
  'GET /v1/tags': ownOnly('GET', '/v1/tags'),
  // B's tag name is free in A (a duplicate-name error would reveal it); the Moota row may already have taken it in A.
  'POST /v1/tags': async () => {
    await t.app.db.query('delete from tags where workspace_id = $1 and lower(name) = $2', [a.workspace.id, B_TAG])
    await ownOnly('POST', '/v1/tags', { name: B_TAG })()
  },
  'PATCH /v1/tags/:id': notFound('PATCH', () => bTag, (id) => `/v1/tags/${id}`, () => ({ name: 'A' })),
  'DELETE /v1/tags/:id': notFound('DELETE', () => bTag, (id) => `/v1/tags/${id}`),
  'PUT /v1/mutations/:id/tags': async () => {
    await notFound('PUT', () => bMutation, (id) => `/v1/mutations/${id}/tags`, () => ({ names: ['A'] }))()
    // B's tag id on A's own mutation is refused exactly like an id that never existed.
    const mine = await ownMutation('1000')
    const never = newPublicId()
    const resB = await call('PUT', `/v1/mutations/${mine}/tags`, { tag_ids: [bTag] })
    const resX = await call('PUT', `/v1/mutations/${mine}/tags`, { tag_ids: [never] })
    expect(resB.status).toBe(422)
    expect(resX.status).toBe(422)
    const bodyB = (await resB.text()).replaceAll(bTag, '<id>')
    expect(bodyB).toBe((await resX.text()).replaceAll(never, '<id>'))
    expectNoTraceOfB(bodyB)
  },
  'DELETE /v1/mutations/:id/tags/:tag_id': async () => {
    await notFound('DELETE', () => bMutation, (id) => `/v1/mutations/${id}/tags/${bTag}`)()
    const mine = await ownMutation('2000')
    await notFound('DELETE', () => bTag, (id) => `/v1/mutations/${mine}/tags/${id}`)()
  },
  'GET /v1/accounts/:id': notFound('GET', () => bBank.publicId, (id) => `/v1/accounts/${id}`),
  'GET /v1/accounts/:id/sync-runs': notFound('GET', () => bBank.publicId, (id) => `/v1/accounts/${id}/sync-runs`),
  'GET /v1/balance-gaps': async () => {
    // Give B a real gap first, so "A sees none of B's gaps" is not true merely because B has none.
    await ingest(t.app.db, b.workspace, {
      accountId: bBank.publicId,
      source: 'csv',
      rows: [
        { date: '2026-11-21', type: 'CR', amount: '100', description: 'PEMBAYARAN B', balance: '100' },
        { date: '2026-11-22', type: 'CR', amount: '100', description: 'PEMBAYARAN B', balance: '500' },
      ],
    })
    const [gap] = await t.app.db.query('select 1 from balance_gaps where workspace_id = $1', [b.workspace.id])
    expect(gap).toBeDefined()
    await notFound('GET', () => bBank.publicId, (id) => `/v1/balance-gaps?account=${id}`)()
    await ownOnly('GET', '/v1/balance-gaps?include_sandbox=true')()
  },
  // B's events (its mutations) never appear in A's feed, whatever the cursor.
  'GET /v1/events': async () => {
    await ownOnly('GET', '/v1/events?include_sandbox=true')()
    await ownOnly('GET', '/v1/events?after=0&limit=500')()
  },
  // Last: A's own log legitimately names B's ids (the probes above sent them in A's paths), so this row checks that a
  // call only B made never shows, and that every listed call is one of A's tokens.
  'GET /v1/api-calls': async () => {
    expect((await call('GET', '/api/v2/user?probe=b-only', undefined, b.token)).status).toBe(200)
    await t.server.apiCallLog?.flush()
    const res = await call('GET', '/v1/api-calls?limit=200')
    expect(res.status).toBe(200)
    const text = await res.text()
    expect(text).not.toContain('probe=b-only')
    const aTokens = await t.app.db.query<{ public_id: string }>('select public_id from api_tokens where workspace_id = $1', [
      a.workspace.id,
    ])
    const listed = (JSON.parse(text) as { data: { token_id: string }[] }).data
    expect(listed.length).toBeGreaterThan(0)
    for (const c of listed) expect(aTokens.map((r) => r.public_id)).toContain(c.token_id)
    // Naming B's token as a filter finds nothing, exactly like a token that never existed.
    const byB = await call('GET', `/v1/api-calls?token=${bToken}`)
    const byX = await call('GET', `/v1/api-calls?token=${newPublicId()}`)
    expect(byB.status).toBe(200)
    expect(await byB.json()).toEqual(await byX.json())
  },
}

describe('tenant isolation over every route', () => {
  it('has a hand-written expectation for every registered route', () => {
    const missing = t.server.routeList().filter((r) => !(r in PROBES))
    expect(missing, 'routes with no row in PROBES').toEqual([])
  })

  it.each(Object.keys(PROBES))('%s: workspace A cannot read, change or detect workspace B’s objects', async (route) => {
    expect(t.server.routeList()).toContain(route)
    await PROBES[route]!()
  })

  it('left every one of B’s objects as it was', async () => {
    const [acc] = await t.app.db.query('select holder_name, deleted_at, next_sync_at from accounts where id = $1', [bBank.id])
    expect(acc).toMatchObject({ holder_name: bBank.holderName, deleted_at: null })
    const [m] = await t.app.db.query<{ note: string; deleted_at: Date | null }>(
      'select note, deleted_at from mutations where public_id = $1',
      [bMutation],
    )
    expect(m).toEqual({ note: '', deleted_at: null })
    const tags = await t.app.db.query(
      `select t.name from mutation_tags mt join tags t on t.id = mt.tag_id join mutations m on m.id = mt.mutation_id
       where m.public_id = $1`,
      [bMutation],
    )
    expect(tags).toEqual([{ name: B_TAG }])
    const sim = await t.app.db.query('select count(*)::int as n from mutations where account_id = any($1::bigint[])', [
      [bSandbox.id, bCash.id],
    ])
    expect(sim).toEqual([{ n: 0 }])
    const [hook] = await t.app.db.query('select url, active, deleted_at from webhook_endpoints where public_id = $1', [bWebhook])
    expect(hook).toEqual({ url: B_HOOK_URL, active: true, deleted_at: null })
    // Nothing A did created a delivery for B: no push, no test, no retry or replay.
    const manual = await t.app.db.query(
      "select count(*)::int as n from webhook_deliveries where workspace_id = $1 and trigger <> 'event'",
      [b.workspace.id],
    )
    expect(manual).toEqual([{ n: 0 }])
    // …and none of B's deliveries was attempted, retried into another state or given up.
    const states = await t.app.db.query(
      'select distinct status, attempts, completed_at from webhook_deliveries where workspace_id = $1',
      [b.workspace.id],
    )
    expect(states).toEqual([{ status: 'pending', attempts: 0, completed_at: null }])
    expect((await call('GET', '/api/v2/user', undefined, b.token)).status).toBe(200)
  })
})
