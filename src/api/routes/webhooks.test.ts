/**
 * /v1 webhook routes over real HTTP, with deliveries made by the real worker step against a receiver on 127.0.0.1:
 * endpoints (create, read, patch, delete, re-enable), Send test, deliveries and attempts, retry, replay, and the
 * deliveries of a mutation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Account } from '../../accounts/accounts.ts'
import { ingest } from '../../ledger/ingest.ts'
import { disableEndpoint } from '../../webhooks/health.ts'
import { deliverDue, type Receiver, startReceiver } from '../../webhooks/test-receiver.ts'
import { addTestAccount, createTenant, startTestServer, type Tenant, type TestServer } from '../test-support.ts'

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are arbitrary JSON, read loosely
type Json = any

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

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; type: string; json: Json }> {
  const res = await t.request(method, path, { token: a.token, ...(body === undefined ? {} : { json: body }) })
  const text = await res.text()
  return { status: res.status, type: res.headers.get('content-type') ?? '', json: text ? JSON.parse(text) : null }
}

const deliver = () => deliverDue(t.app.db, t.app.secretKey)

async function credit(amount: string, description = 'TRF BUDI'): Promise<string> {
  const r = await ingest(t.app.db, a.workspace, {
    accountId: bca.publicId,
    source: 'csv',
    rows: [{ date: '2026-11-20 09:15:00', type: 'CR', amount, description }],
  })
  return r.inserted[0]!.publicId
}

describe('/v1/webhooks endpoints', () => {
  it('creates (the secret shown once, with its Standard Webhooks form), reads and lists without the secret', async () => {
    const created = await call('POST', '/v1/webhooks', { url: rx.url, secret: 'rahasia-toko', account: bca.publicId, kinds: 'credit' })
    expect(created.status).toBe(201)
    expect(created.json).toMatchObject({
      url: rx.url,
      account_id: bca.publicId,
      kinds: 'credit',
      start_unique_code: 0,
      end_unique_code: 999,
      event_types: ['mutation.created'],
      format: 'moota',
      active: true,
      secret: 'rahasia-toko',
      standard_webhooks_secret: `whsec_${Buffer.from('rahasia-toko').toString('base64')}`,
    })
    const id = created.json.id as string
    const one = await call('GET', `/v1/webhooks/${id}`)
    const { secret: _s, standard_webhooks_secret: _w, ...shown } = created.json
    expect(one.json).toEqual(shown)
    expect(JSON.stringify(one.json)).not.toContain('rahasia-toko')
    const list = await call('GET', '/v1/webhooks')
    expect(list.json.data.map((w: Json) => w.id)).toContain(id)
    expect(JSON.stringify(list.json)).not.toContain('rahasia-toko')
    expect(t.logs()).not.toContain('rahasia-toko')
    await call('DELETE', `/v1/webhooks/${id}`)
  })

  it('refuses bad input with problem+json 422 naming the field', async () => {
    const good = { url: 'https://toko.id/hook', secret: 's' }
    const cases: [Record<string, unknown>, string][] = [
      [{ ...good, url: 'bukan url' }, 'url'],
      [{ ...good, url: 'ftp://toko.id/hook' }, 'url'],
      [{ ...good, secret: '' }, 'secret_token'],
      [{ ...good, start_unique_code: 500, end_unique_code: 300 }, 'end_unique_code'],
      [{ ...good, end_unique_code: 1000 }, 'end_unique_code'],
      [{ ...good, event_types: ['endpoint.disabled'] }, 'event_types'],
      [{ ...good, account: 'NoSuchBank1' }, 'account'],
      [{ ...good, format: 'xml' }, 'format'],
    ]
    for (const [input, field] of cases) {
      const r = await call('POST', '/v1/webhooks', input)
      expect(r.status, JSON.stringify(input)).toBe(422)
      expect(r.type).toMatch(/^application\/problem\+json/)
      expect(r.json.field, JSON.stringify(r.json)).toBe(field)
    }
    expect((await call('GET', '/v1/webhooks')).json.data).toEqual([])
  })

  it('patches with the same rules, checked against the stored values', async () => {
    const { json: w } = await call('POST', '/v1/webhooks', { url: 'https://toko.id/a', secret: 's', start_unique_code: 100, end_unique_code: 500 })
    const r = await call('PATCH', `/v1/webhooks/${w.id}`, { url: 'https://toko.id/b', kinds: 'debit', account: bca.publicId })
    expect(r.status).toBe(200)
    expect(r.json).toMatchObject({ url: 'https://toko.id/b', kinds: 'debit', account_id: bca.publicId, start_unique_code: 100 })
    const inverted = await call('PATCH', `/v1/webhooks/${w.id}`, { start_unique_code: 600 })
    expect([inverted.status, inverted.json.field]).toEqual([422, 'end_unique_code'])
    expect((await call('PATCH', `/v1/webhooks/${w.id}`, { url: 'gopher://x' })).status).toBe(422)
    expect((await call('PATCH', `/v1/webhooks/${w.id}`, { account: null })).json.account_id).toBeNull()
    const paused = await call('PATCH', `/v1/webhooks/${w.id}`, { active: false })
    expect(paused.json.active).toBe(false)
    // A new secret signs from now on (Moota's list shows it to its owner).
    await call('PATCH', `/v1/webhooks/${w.id}`, { secret: 'baru' })
    const moota = await t.request('GET', '/api/v2/integration/webhook', { token: a.token })
    const listed = ((await moota.json()) as Json).data.find((x: Json) => x.webhook_id === w.id)
    expect(listed.secret_token).toBe('baru')
    expect((await call('DELETE', `/v1/webhooks/${w.id}`)).status).toBe(204)
    expect((await call('GET', `/v1/webhooks/${w.id}`)).status).toBe(404)
    expect((await call('PATCH', `/v1/webhooks/${w.id}`, { active: true })).status).toBe(404)
  })

  it('re-enables an endpoint that was disabled automatically', async () => {
    const { json: w } = await call('POST', '/v1/webhooks', { url: 'https://toko.id/c', secret: 's' })
    const [row] = await t.app.db.query<{ id: string }>('select id from webhook_endpoints where public_id = $1', [w.id])
    await disableEndpoint(t.app.db, row!.id, 'the receiver answered 410 Gone')
    const off = await call('GET', `/v1/webhooks/${w.id}`)
    expect(off.json).toMatchObject({ active: false, disabled_reason: 'the receiver answered 410 Gone' })
    expect(off.json.disabled_at).not.toBeNull()
    const on = await call('POST', `/v1/webhooks/${w.id}/enable`)
    expect(on.status).toBe(200)
    expect(on.json).toMatchObject({ active: true, disabled_at: null, disabled_reason: null, failing_since: null })
    expect((await call('POST', '/v1/webhooks/NoSuchHook1/enable')).status).toBe(404)
    await call('DELETE', `/v1/webhooks/${w.id}`)
  })
})

describe('deliveries', () => {
  let hook: string
  beforeAll(async () => {
    hook = (await call('POST', '/v1/webhooks', { url: rx.url, secret: 'rahasia-toko' })).json.id
  })

  it('Send test: a delivery of Moota’s dummy Rp10.000 credit, listed with its attempt', async () => {
    const sent = await call('POST', `/v1/webhooks/${hook}/test`)
    expect(sent.status).toBe(202)
    expect(sent.json).toMatchObject({ endpoint_id: hook, trigger: 'test', status: 'pending', attempts: 0, mutation_ids: [] })
    expect(sent.json.webhook_id).toBe(`msg_${sent.json.id}`)
    rx.got.length = 0
    expect(await deliver()).toBe(1)
    const body = JSON.parse(rx.got[0]!.body)
    expect(body[0]).toMatchObject({ amount: 10000, type: 'CR', bank_id: bca.publicId })
    expect(rx.got[0]!.headers['webhook-id']).toBe(sent.json.webhook_id)
    const list = await call('GET', `/v1/webhooks/${hook}/deliveries`)
    expect(list.json.data[0]).toMatchObject({ id: sent.json.id, status: 'succeeded', attempts: 1, last_status: 200, next_attempt_at: null })
    const attempts = await call('GET', `/v1/webhooks/${hook}/deliveries/${sent.json.id}/attempts`)
    expect(attempts.json.data).toHaveLength(1)
    expect(attempts.json.data[0]).toMatchObject({ attempt: 1, succeeded: true, status_code: 200, response_body: '{"Status":"success"}' })
    expect(attempts.json.data[0].request_headers.Signature).toMatch(/^[0-9a-f]{64}$/)
    expect(JSON.stringify(attempts.json)).not.toContain('rahasia-toko')
  })

  it('retry now: a failed-for-now delivery is due at once, same webhook-id and body; a delivered one is refused', async () => {
    rx.script.push([500, 'rusak'])
    const mutation = await credit('150123')
    rx.got.length = 0
    await deliver()
    const [d] = (await call('GET', `/v1/mutations/${mutation}/deliveries`)).json.data
    expect(d).toMatchObject({ status: 'pending', attempts: 1, last_status: 500, mutation_ids: [mutation] })
    expect(Date.parse(d.next_attempt_at)).toBeGreaterThan(Date.now() + 30_000)
    expect(await deliver()).toBe(0) // not due yet
    const retried = await call('POST', `/v1/webhooks/${hook}/deliveries/${d.id}/retry`)
    expect(retried.status).toBe(202)
    expect(Date.parse(retried.json.next_attempt_at)).toBeLessThanOrEqual(Date.now() + 1000)
    expect(await deliver()).toBe(1)
    expect(rx.got.map((g) => g.headers['webhook-id'])).toEqual([d.webhook_id, d.webhook_id])
    expect(rx.got[1]!.body).toBe(rx.got[0]!.body)
    const again = await call('POST', `/v1/webhooks/${hook}/deliveries/${d.id}/retry`)
    expect([again.status, again.json.code]).toEqual([409, 'conflict'])
    expect((await call('POST', `/v1/webhooks/${hook}/deliveries/NoSuchDeli1/retry`)).status).toBe(404)
  })

  it('replay: every delivery of the range is sent again with the same webhook-ids and bodies', async () => {
    const from = new Date(Date.now() - 60_000).toISOString()
    const before = (await call('GET', `/v1/webhooks/${hook}/deliveries`)).json.data as Json[]
    const r = await call('POST', `/v1/webhooks/${hook}/replay`, { from, to: new Date(Date.now() + 1000).toISOString() })
    expect(r).toMatchObject({ status: 202, json: { replayed: before.length } })
    rx.got.length = 0
    expect(await deliver()).toBe(before.length)
    expect(rx.got.map((g) => g.headers['webhook-id']).sort()).toEqual(before.map((d) => d.webhook_id).sort())
    const empty = await call('POST', `/v1/webhooks/${hook}/replay`, { from: '2020-01-01', to: '2020-01-02' })
    expect(empty.json).toEqual({ replayed: 0 })
    expect((await call('POST', `/v1/webhooks/${hook}/replay`, { from })).status).toBe(422)
    expect((await call('POST', `/v1/webhooks/${hook}/replay`, { from: '2026-11-02', to: '2026-11-01' })).status).toBe(422)
  })

  it('pages deliveries newest first with a cursor', async () => {
    const all = (await call('GET', `/v1/webhooks/${hook}/deliveries?limit=200`)).json.data.map((d: Json) => d.id)
    expect(all.length).toBeGreaterThanOrEqual(2)
    const seen: string[] = []
    let cursor: string | null = null
    do {
      const page: Json = (await call('GET', `/v1/webhooks/${hook}/deliveries?limit=1${cursor ? `&cursor=${cursor}` : ''}`)).json
      seen.push(...page.data.map((d: Json) => d.id))
      cursor = page.next_cursor
    } while (cursor)
    expect(seen).toEqual(all)
    expect((await call('GET', `/v1/webhooks/${hook}/deliveries?cursor=NoSuchDeli1`)).status).toBe(422)
  })

  it('lists the deliveries carrying a mutation; an unknown mutation is 404', async () => {
    const mutation = await credit('20000', 'TRF SITI')
    const r = await call('GET', `/v1/mutations/${mutation}/deliveries`)
    expect(r.json.data).toHaveLength(1)
    expect(r.json.data[0]).toMatchObject({ endpoint_id: hook, trigger: 'event', mutation_ids: [mutation] })
    expect((await call('GET', '/v1/mutations/NoSuchMut01/deliveries')).status).toBe(404)
  })
})
