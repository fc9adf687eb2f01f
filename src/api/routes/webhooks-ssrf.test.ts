/**
 * What a merchant sees when a webhook URL points into the operator's network: over real HTTP, "Send test" to a name
 * that resolves to loopback (real DNS: `localhost`) or to the LAN (an injected answer, as split-horizon DNS would
 * give), delivered by the real worker step with the default SSRF policy. Every answer says "blocked: private address"
 * and the name typed, never the addresses the name resolved to: those describe the operator's internal network.
 */
import { lookup as dnsLookup } from 'node:dns'
import type { LookupFunction } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLogger } from '../../shared/log.ts'
import { claimDue } from '../../webhooks/deliveries.ts'
import { createWebhookAgent } from '../../webhooks/send.ts'
import { attemptDelivery } from '../../webhooks/worker.ts'
import { addTestAccount, createTenant, startTestServer, type Tenant, type TestServer } from '../test-support.ts'

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are arbitrary JSON, read loosely
type Json = any

let t: TestServer
let a: Tenant

beforeAll(async () => {
  t = await startTestServer()
  a = await createTenant(t.app.db)
  await addTestAccount(t.app.db, a.workspace, 'bca')
})
afterAll(async () => {
  await agent.close()
  await t?.close()
})

/** Real DNS, except the name the operator's internal resolver would answer with a LAN address. */
const lookup: LookupFunction = (hostname, options, callback) => {
  if (hostname !== 'vm.internal') return dnsLookup(hostname, options, callback)
  if (options.all) callback(null, [{ address: '10.20.30.40', family: 4 }])
  else callback(null, '10.20.30.40', 4)
}
// The default policy: nothing opened.
const agent = createWebhookAgent({ lookup })

async function deliverDue(): Promise<number> {
  const claimed = await claimDue(t.app.db, 100, 60)
  for (const d of claimed)
    await attemptDelivery(
      {
        db: t.app.db,
        key: t.app.secretKey,
        log: createLogger('silent'),
        agent,
        concurrency: 1,
        leaseSeconds: 60,
        timeoutMs: 5000,
        schedule: [60_000],
        disableAfterMs: 5 * 86_400_000,
        pollMs: 1000,
        version: '0.0.0-test',
        workerId: 'test',
      },
      d,
    )
  return claimed.length
}

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; text: string; json: Json }> {
  const res = await t.request(method, path, { token: a.token, ...(body === undefined ? {} : { json: body }) })
  const text = await res.text()
  return { status: res.status, text, json: text ? JSON.parse(text) : null }
}

/** The addresses the two names resolve to: none may appear in any answer. */
const revealsAddress = (text: string) => /127\.0\.0\.1|10\.20\.30\.40|\(::1\)|"::1"|\[::1\]/.test(text)

describe('Send test to a host in the operator’s network', () => {
  it.each([
    ['localhost', 'loopback, real DNS'],
    ['vm.internal', 'a LAN address'],
  ])('%s (%s): blocked, and no answer names the address it resolved to', async (host) => {
    const hook = (await call('POST', '/v1/webhooks', { url: `http://${host}:9/hook`, secret: 'rahasia-toko' })).json
    expect(hook.id).toBeTruthy()
    const sent = await call('POST', `/v1/webhooks/${hook.id}/test`)
    expect(sent.status).toBe(202)
    expect(revealsAddress(sent.text)).toBe(false)
    expect(await deliverDue()).toBe(1)

    const expected = `blocked: private address (${host}); LUNAS_WEBHOOK_ALLOW_NETWORKS can allow it`
    const deliveries = await call('GET', `/v1/webhooks/${hook.id}/deliveries`)
    expect(deliveries.json.data[0]).toMatchObject({ id: sent.json.id, last_error: expected })
    const attempts = await call('GET', `/v1/webhooks/${hook.id}/deliveries/${sent.json.id}/attempts`)
    expect(attempts.json.data[0]).toMatchObject({ status_code: null, error: expected })
    // Moota's history shows the same text as its `response`.
    const moota = (await call('GET', '/api/v2/integration/webhook')).json.data.find(
      (w: Json) => w.webhook_id === hook.id,
    )
    const history = await call('GET', `/api/v2/integration/webhook/history/${moota.webhook_id}`)
    expect(history.json.data[0]).toMatchObject({ status: 'failed', response: expected })
    // (The Moota page's links name this server's own 127.0.0.1 listen address, so its rows are checked.)
    for (const text of [deliveries.text, attempts.text, JSON.stringify(history.json.data)])
      expect(revealsAddress(text), text).toBe(false)
  })
})
