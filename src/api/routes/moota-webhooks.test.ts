/**
 * Moota's webhook routes over real HTTP, compared with the SDK's fixtures (JSON types key by key): list, create (and
 * its 422s), delete, history built from real attempts against a receiver on 127.0.0.1, and "push again".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Account } from '../../accounts/accounts.ts'
import { ingest } from '../../ledger/ingest.ts'
import { deliverDue, type Receiver, startReceiver } from '../../webhooks/test-receiver.ts'
import {
  addTestAccount,
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
let bca: Account
let rx: Receiver

beforeAll(async () => {
  t = await startTestServer()
  a = await createTenant(t.app.db)
  bca = await addTestAccount(t.app.db, a.workspace, 'bca')
  rx = await startReceiver()
})
afterAll(async () => {
  await rx?.close()
  await t?.close()
})

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are arbitrary JSON, read loosely
type Json = any

/** A response's JSON, read loosely. */
const json = async (res: Response | Promise<Response>): Promise<Json> => (await res).json()

const call = (method: string, path: string, body?: unknown, token = a.token) =>
  t.request(method, path, { token, ...(body === undefined ? {} : { json: body }) })

async function store(input: Record<string, unknown>, token = a.token) {
  const res = await call('POST', '/api/v2/integration/webhook', input, token)
  return { status: res.status, body: await json(res) }
}

// Lunas' user_id is the workspace's 11-character id (as GET /user and X-MOOTA-USER show it), not Moota's integer.
const OUR_USER_ID = { user_id: 'string' }

describe('GET/POST /api/v2/integration/webhook', () => {
  let all: string
  let single: string
  beforeAll(async () => {
    const r1 = await store({ url: `${rx.url}?all`, secret_token: 'H7DboYtO', start_unique_code: '0', end_unique_code: '999', kinds: 'both', bank_account_id: '' })
    expect(r1).toEqual({ status: 200, body: { status: false, message: 'OK', webhook_id: expect.stringMatching(/^[0-9A-Za-z]{11}$/) } })
    all = r1.body.webhook_id as string
    const r2 = await store({ url: `${rx.url}?single`, secret_token: 'FcZnoVBN', start_unique_code: 0, end_unique_code: 999, kinds: 'credit', bank_account_id: bca.publicId })
    expect(r2.status).toBe(200)
    single = r2.body.webhook_id as string
  })

  it('lists Webhook objects with the fixture’s JSON types, newest first, secret shown to its owner', async () => {
    const res = await call('GET', '/api/v2/integration/webhook')
    expect(res.status).toBe(200)
    const body = await json(res)
    const fixture = mootaFixture('Webhook/MockingWebhookIndexResponse.json')
    expect(jsonShape({ ...body, data: [] })).toEqual(jsonShape({ ...fixture, data: [] }))
    expect(body.data.map(jsonShape)).toEqual(fixture.data.map((w: object) => jsonShape({ ...w, ...OUR_USER_ID })))
    expect(body.per_page).toBe(15)
    expect(body.data[1]).toMatchObject({
      id: 1,
      user_id: a.workspace.publicId,
      bank_account_id: '',
      type: 'all',
      url: `${rx.url}?all`,
      secret_token: 'H7DboYtO',
      start_unique_code: '0',
      end_unique_code: '999',
      kinds: 'both',
      token: all,
      webhook_id: all,
    })
    expect(body.data.map((w: { id: number }) => w.id)).toEqual([2, 1]) // the fixture's order: newest first
    expect(body.data[0]).toMatchObject({
      id: 2,
      type: 'single',
      bank_account_id: bca.publicId,
      kinds: 'credit',
      secret_token: 'FcZnoVBN',
      webhook_id: single,
    })
    expect(body.data[0].created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/)
  })

  it('filters by url and bank_account_id, and pages', async () => {
    const ids = async (q: string) =>
      ((await json(call('GET', `/api/v2/integration/webhook${q}`))).data as { webhook_id: string }[]).map((w) => w.webhook_id)
    expect(await ids(`?url=${encodeURIComponent(`${rx.url}?all`)}`)).toEqual([all])
    expect(await ids(`?bank_account_id=${bca.publicId}`)).toEqual([single])
    expect(await ids('?bank_account_id=')).toEqual([single, all])
    expect(await ids('?bank_account_id=NoSuchBank1')).toEqual([])
    const page2 = await json(call('GET', '/api/v2/integration/webhook?per_page=1&page=2'))
    expect(page2).toMatchObject({ current_page: 2, last_page: 2, total: 2, next_page_url: null })
    expect(page2.data.map((w: { webhook_id: string }) => w.webhook_id)).toEqual([all])
  })

  it('answers bad input with 422 in Laravel’s shape, storing nothing', async () => {
    const fixture = mootaFixture('Webhook/MockingInvalidStoreWebhookResponse.json')
    const good = { url: 'https://toko.id/hook', secret_token: 's3cret', start_unique_code: '0', end_unique_code: '999', kinds: 'both', bank_account_id: '' }
    const cases: [Record<string, unknown>, string][] = [
      [{ ...good, url: 'bukan url' }, 'url'],
      [{ ...good, url: 'ftp://toko.id/hook' }, 'url'],
      [{ ...good, url: undefined }, 'url'],
      [{ ...good, secret_token: '' }, 'secret_token'],
      [{ ...good, secret_token: '   ' }, 'secret_token'],
      [{ ...good, start_unique_code: '500', end_unique_code: '300' }, 'end_unique_code'],
      [{ ...good, end_unique_code: '1000' }, 'end_unique_code'],
      [{ ...good, kinds: 'semua' }, 'kinds'],
      [{ ...good, bank_account_id: 'NoSuchBank1' }, 'bank_account_id'],
    ]
    const before = (await json(call('GET', '/api/v2/integration/webhook'))).total
    for (const [json, field] of cases) {
      const r = await store(json)
      expect(r.status, JSON.stringify(json)).toBe(422)
      expect(r.body.message).toBe(fixture.message)
      expect(Object.keys(r.body.errors as object), JSON.stringify(r.body)).toEqual([field])
      expect(jsonShape(r.body)).toEqual({ message: 'string', errors: { [field]: 'array' } })
    }
    expect((await store({ ...good, kinds: 'semua' })).body.errors).toEqual({ kinds: fixture.errors.kinds })
    expect((await store({ ...good, bank_account_id: 'NoSuchBank1' })).body.errors).toEqual({
      bank_account_id: fixture.errors.bank_account_id,
    })
    expect((await json(call('GET', '/api/v2/integration/webhook'))).total).toBe(before)
  })

  it('needs the api scope: a mutation-only token is refused', async () => {
    const weak = await tokenWithScopes(t.app.db, a, ['mutation', 'bank', 'user'])
    expect((await call('GET', '/api/v2/integration/webhook', undefined, weak)).status).toBe(403)
    expect((await store({ url: 'https://toko.id', secret_token: 'x' }, weak)).status).toBe(403)
  })

  it('never writes the secret to the logs', () => {
    expect(t.logs()).not.toContain('FcZnoVBN')
    expect(t.logs()).not.toContain('H7DboYtO')
  })
})

describe('DELETE /api/v2/integration/webhook/:webhook_id', () => {
  it('deletes: OK, then gone from the list; an unknown id is Moota’s 404', async () => {
    const { body } = await store({ url: 'https://toko.id/hapus', secret_token: 'x' })
    const id = body.webhook_id as string
    const res = await call('DELETE', `/api/v2/integration/webhook/${id}`)
    expect([res.status, await res.json()]).toEqual([200, { message: 'OK' }])
    const list = await json(call('GET', '/api/v2/integration/webhook'))
    expect(list.data.map((w: { webhook_id: string }) => w.webhook_id)).not.toContain(id)
    const again = await call('DELETE', `/api/v2/integration/webhook/${id}`)
    expect(again.status).toBe(404)
    expect(await again.json()).toMatchObject({ error: true, message: 'Data tidak ditemukan' })
  })
})

describe('history and push', () => {
  let hook: string
  let debitOnly: string
  let mutation: string
  beforeAll(async () => {
    // Only this block's endpoints take part: the receiver's scripted 404 must reach `hook`.
    const listed = await json(call('GET', '/api/v2/integration/webhook'))
    for (const w of listed.data as { webhook_id: string }[]) await call('DELETE', `/api/v2/integration/webhook/${w.webhook_id}`)
    const acc = await addTestAccount(t.app.db, a.workspace, 'bca')
    hook = (await store({ url: rx.url, secret_token: 'FcZnoVBN', kinds: 'credit', bank_account_id: acc.publicId })).body.webhook_id as string
    debitOnly = (await store({ url: `${rx.url}?debit`, secret_token: 'x', kinds: 'debit', bank_account_id: acc.publicId })).body
      .webhook_id as string
    const r = await ingest(t.app.db, a.workspace, {
      accountId: acc.publicId,
      source: 'csv',
      rows: [{ date: '2026-11-20 10:25:16', type: 'CR', amount: '100123', description: 'buy other food' }],
    })
    mutation = r.inserted[0]!.publicId
    rx.script.push([404, '{"message":"","exception":"NotFoundHttpException"}'])
  })

  it('lists an endpoint’s attempts as WebhookHistory objects with the fixture’s types, newest first', async () => {
    // First attempt 404 (re-scheduled a minute out), made due again by hand, second attempt 200.
    await deliverDue(t.app.db, t.app.secretKey)
    await t.app.db.query(`update webhook_deliveries set next_attempt_at = now()
      where endpoint_id = (select id from webhook_endpoints where public_id = $1)`, [hook])
    await deliverDue(t.app.db, t.app.secretKey)
    const res = await call('GET', `/api/v2/integration/webhook/history/${hook}`)
    expect(res.status).toBe(200)
    const body = await json(res)
    const fixture = mootaFixture('Webhook/MockingWebhookHistoryResponse.json')
    expect(jsonShape({ ...body, data: [] })).toEqual(jsonShape({ ...fixture, data: [] }))
    expect(body.per_page).toBe(20)
    expect(body.total).toBe(2)
    const [ok, failed] = body.data
    // Lunas' user_id and bank_id are the 11-character ids clients see everywhere else (Moota shows raw integers).
    const typesOf = (h: object) => jsonShape({ ...h, payload: [], headers: {} })
    expect(typesOf(failed)).toEqual(typesOf({ ...fixture.data[0], user_id: 'x', bank_id: 'x' }))
    expect(failed).toMatchObject({
      id: 1,
      user_id: a.workspace.publicId,
      status: 'failed',
      trigger: 'new-mutation',
      http_verb: 'post',
      webhook_url: rx.url,
      attempt: 1,
      meta: [],
      tags: { webhook: failed.webhook_id, trigger: 'new-mutation' },
    })
    expect(failed.response).toBe(
      `Client error: \`POST ${rx.url}\` resulted in a \`404 Not Found\` response:\n{"message":"","exception":"NotFoundHttpException"}`,
    )
    expect(ok).toMatchObject({ id: 2, status: 'success', attempt: 2, response: '{"Status":"success"}' })
    expect(failed.payload[0]).toMatchObject({ mutation_id: mutation, amount: 100123, type: 'CR' })
    expect(Object.keys(failed.payload[0])).toEqual(Object.keys(fixture.data[0].payload[0]))
    expect(failed.headers).toMatchObject({ 'Content-Type': 'application/json', 'X-MOOTA-WEBHOOK': hook, 'X-MOOTA-USER': a.workspace.publicId })
    expect(failed.headers.Signature).toMatch(/^[0-9a-f]{64}$/)
    expect(JSON.stringify(body)).not.toContain('FcZnoVBN')
  })

  it('history of an unknown webhook is 404', async () => {
    expect((await call('GET', '/api/v2/integration/webhook/history/NoSuchHook1')).status).toBe(404)
  })

  it('push again creates a new delivery with a new id, only to endpoints whose filters take the mutation', async () => {
    const deliveries = async (endpoint: string) =>
      t.app.db.query<{ public_id: string; trigger: string; body: string; status: string }>(
        `select d.public_id, d.trigger, d.body, d.status from webhook_deliveries d
         join webhook_endpoints e on e.id = d.endpoint_id where e.public_id = $1 order by d.id`,
        [endpoint],
      )
    const before = await deliveries(hook)
    const res = await call('POST', `/api/v2/mutation/${mutation}/webhook`, [])
    expect([res.status, await res.json()]).toEqual([200, { status: 'OK' }])
    const after = await deliveries(hook)
    expect(after).toHaveLength(before.length + 1)
    const pushed = after.at(-1)!
    expect(pushed).toMatchObject({ trigger: 'push', status: 'pending' })
    expect(before.map((d) => d.public_id)).not.toContain(pushed.public_id)
    expect(JSON.parse(pushed.body)[0]).toMatchObject({ mutation_id: mutation, amount: 100123 })
    expect(await deliveries(debitOnly)).toEqual([])
    await deliverDue(t.app.db, t.app.secretKey)
    expect(rx.got.at(-1)!.headers['webhook-id']).toBe(`msg_${pushed.public_id}`)
  })

  it('push of an unknown mutation is 404', async () => {
    const res = await call('POST', '/api/v2/mutation/NoSuchMut01/webhook')
    expect(res.status).toBe(404)
    expect(await res.json()).toMatchObject({ error: true, message: 'Data tidak ditemukan' })
  })
})
