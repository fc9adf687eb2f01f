/**
 * The delivery loop end to end on a real receiver on 127.0.0.1: ingest → fan-out → claim → signed POST → attempt
 * recorded; retry then success with the same webhook-id and body; 410 disables the endpoint and raises its alert.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Webhook } from 'standardwebhooks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestDb, type TestDb } from '../../test/db.ts'
import { seedAccount, seedWorkspace } from '../../test/fixtures.ts'
import { ingest } from '../ledger/ingest.ts'
import { createLogger } from '../shared/log.ts'
import type { Workspace } from '../workspaces/workspaces.ts'
import { createEndpoint } from './endpoints.ts'
import { createWebhookAgent } from './send.ts'
import { mootaSignature, standardWebhooksSecret } from './sign.ts'
import { replayDeliveries } from './control.ts'
import { type DeliveryWorker, startDeliveryWorker } from './worker.ts'

const KEY = Buffer.alloc(32, 9)
const SECRET = 'rahasia-toko'
type Got = { headers: IncomingHttpHeaders; body: string }

let t: TestDb
let server: Server
let url: string
const got: Got[] = []
// What the receiver answers next (status, extra headers); then 200.
const script: [number, Record<string, string>?][] = []

beforeAll(async () => {
  t = await openTestDb()
  server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      got.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') })
      const [status, headers] = script.shift() ?? [200]
      res.writeHead(status, headers).end(status === 200 ? '{"Status":"success"}' : 'nope')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/moota-callback`
})
afterAll(async () => {
  server.closeAllConnections()
  await new Promise((r) => server.close(r))
  await t.close()
})

function worker(schedule = [50, 50, 50], disableAfterMs = 5 * 86_400_000): DeliveryWorker {
  return startDeliveryWorker({
    db: t.db,
    key: KEY,
    log: createLogger('silent'),
    agent: createWebhookAgent({ allow: ['127.0.0.0/8'] }),
    concurrency: 4,
    leaseSeconds: 60,
    timeoutMs: 2000,
    schedule,
    disableAfterMs,
    pollMs: 20,
    version: '0.0.0-test',
    workerId: 'test',
  })
}

async function until(check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out waiting')
    await new Promise((r) => setTimeout(r, 20))
  }
}

async function setup(): Promise<{ ws: Workspace; accountId: string; endpointId: string; internalId: string }> {
  const ws = await seedWorkspace(t.db)
  const acc = await seedAccount(t.db, ws)
  const e = await createEndpoint(t.db, ws, KEY, { url, secret: SECRET })
  return { ws, accountId: acc.publicId, endpointId: e.publicId, internalId: e.id }
}

describe('delivery worker', () => {
  it('delivers new mutations signed both ways, and records the attempt', async () => {
    got.length = 0
    const { ws, accountId, endpointId } = await setup()
    const w = worker()
    try {
      await ingest(t.db, ws, {
        accountId,
        source: 'csv',
        rows: [{ date: '2026-11-20 09:15:00', type: 'CR', amount: '150123', description: 'TRF BUDI' }],
      })
      await until(() => got.length === 1)
      const [{ headers, body }] = got as [Got]
      expect(headers.signature).toBe(mootaSignature(SECRET, Buffer.from(body)))
      expect(headers['x-moota-user']).toBe(ws.publicId)
      expect(headers['x-moota-webhook']).toBe(endpointId)
      expect(headers['user-agent']).toContain('MootaBot')
      expect(headers['webhook-sequence']).toBe('1')
      const verified = new Webhook(standardWebhooksSecret(SECRET)).verify(body, {
        'webhook-id': headers['webhook-id'] as string,
        'webhook-timestamp': headers['webhook-timestamp'] as string,
        'webhook-signature': headers['webhook-signature'] as string,
      })
      expect(verified).toEqual(JSON.parse(body))
      expect(JSON.parse(body)[0]).toMatchObject({ amount: 150123, description: 'TRF BUDI', date: '2026-11-20 09:15:00' })
      await until(async () => {
        const [d] = await t.db.query<{ status: string }>(
          `select d.status from webhook_deliveries d join webhook_endpoints e on e.id = d.endpoint_id where e.public_id = $1`,
          [endpointId],
        )
        return d?.status === 'succeeded'
      })
      const [a] = await t.db.query<{ status_code: number; response_body: string; request_headers: Record<string, string> }>(
        `select a.status_code, a.response_body, a.request_headers from webhook_attempts a
         join webhook_endpoints e on e.id = a.endpoint_id where e.public_id = $1`,
        [endpointId],
      )
      expect(a).toMatchObject({ status_code: 200, response_body: '{"Status":"success"}' })
      expect(a!.request_headers.Signature).toBe(headers.signature)
      expect(JSON.stringify(a)).not.toContain(SECRET)
    } finally {
      await w.stop()
    }
  })

  it('retries a failing receiver with the same webhook-id and bytes, honouring Retry-After', async () => {
    got.length = 0
    script.push([500], [500, { 'retry-after': '1' }])
    const { ws, accountId } = await setup()
    const w = worker()
    try {
      await ingest(t.db, ws, {
        accountId,
        source: 'csv',
        rows: [{ date: '2026-11-20 09:15:00', type: 'CR', amount: '99000', description: 'TRF SITI' }],
      })
      await until(() => got.length === 3)
      const ids = got.map((g) => g.headers['webhook-id'])
      expect(new Set(ids).size).toBe(1)
      expect(new Set(got.map((g) => g.body)).size).toBe(1)
      // The schedule here is 50 ms; the second failure asked for 1 s, and the third attempt waited for it.
      const [, second, third] = got as [Got, Got, Got]
      expect(Number(third.headers['webhook-timestamp']) - Number(second.headers['webhook-timestamp'])).toBeGreaterThanOrEqual(1)
      expect(got.map((g) => g.headers['webhook-sequence'])).toEqual(['1', '1', '1'])
    } finally {
      await w.stop()
    }
  })

  it('disables the endpoint on 410 Gone and raises an alert and an event', async () => {
    got.length = 0
    script.push([410])
    const { ws, accountId, internalId } = await setup()
    const w = worker()
    try {
      await ingest(t.db, ws, {
        accountId,
        source: 'csv',
        rows: [{ date: '2026-11-20 09:15:00', type: 'CR', amount: '5000', description: 'X' }],
      })
      await until(async () => {
        const [e] = await t.db.query<{ active: boolean }>('select active from webhook_endpoints where id = $1', [internalId])
        return e?.active === false
      })
      const alerts = await t.db.query<{ kind: string }>('select kind from alerts where endpoint_id = $1', [internalId])
      expect(alerts).toEqual([{ kind: 'endpoint.disabled' }])
      const events = await t.db.query<{ type: string; seq: string }>(
        "select type, seq from events where workspace_id = $1 and type = 'endpoint.disabled'",
        [ws.id],
      )
      expect(events).toEqual([{ type: 'endpoint.disabled', seq: '2' }])
      const [d] = await t.db.query<{ status: string; last_error: string }>(
        'select status, last_error from webhook_deliveries where endpoint_id = $1',
        [internalId],
      )
      expect(d).toEqual({ status: 'failed', last_error: 'the receiver answered 410 Gone' })
    } finally {
      await w.stop()
    }
  })

  it('disables an endpoint that has failed for longer than the window, and tells the endpoints subscribed to alerts', async () => {
    got.length = 0
    script.push([500])
    const { ws, accountId, internalId, endpointId } = await setup()
    const monitor = await createEndpoint(t.db, ws, KEY, {
      url: `${url}?alerts`,
      secret: SECRET,
      format: 'lunas',
      eventTypes: ['endpoint.disabled'],
    })
    // It has been failing since six days ago; the window is five.
    await t.db.query("update webhook_endpoints set failing_since = now() - interval '6 days' where id = $1", [internalId])
    const w = worker([50, 50, 50], 5 * 86_400_000)
    try {
      await ingest(t.db, ws, {
        accountId,
        source: 'csv',
        rows: [{ date: '2026-11-20 09:15:00', type: 'CR', amount: '5000', description: 'X' }],
      })
      await until(() => got.some((g) => g.headers['x-moota-webhook'] === monitor.publicId))
      const alert = got.find((g) => g.headers['x-moota-webhook'] === monitor.publicId)!
      expect(JSON.parse(alert.body)).toMatchObject({
        type: 'endpoint.disabled',
        data: { webhook_id: endpointId, reason: 'no successful delivery for 120 hours' },
      })
      const [e] = await t.db.query<{ active: boolean; disabled_reason: string }>(
        'select active, disabled_reason from webhook_endpoints where id = $1',
        [internalId],
      )
      expect(e).toEqual({ active: false, disabled_reason: 'no successful delivery for 120 hours' })
      expect(await t.db.query('select kind from alerts where endpoint_id = $1', [internalId])).toEqual([
        { kind: 'endpoint.disabled' },
      ])
    } finally {
      await w.stop()
    }
  })

  it('delivers to each receiver exactly what its filters select: account, kinds, unique-code edges 0, 999 and 000', async () => {
    got.length = 0
    const ws = await seedWorkspace(t.db)
    const acc = await seedAccount(t.db, ws)
    const other = await seedAccount(t.db, ws)
    const make = (name: string, input: Partial<Parameters<typeof createEndpoint>[3]>) =>
      createEndpoint(t.db, ws, KEY, { url: `${url}?${name}`, secret: SECRET, ...input })
    const endpoints = {
      all: await make('all', {}),
      credit: await make('credit', { kinds: 'credit' }),
      debit: await make('debit', { kinds: 'debit' }),
      codes1to999: await make('codes1to999', { startUniqueCode: 1, endUniqueCode: 999 }),
      code999: await make('code999', { startUniqueCode: 999, endUniqueCode: 999 }),
      code0: await make('code0', { startUniqueCode: 0, endUniqueCode: 0 }),
      otherAccount: await make('otherAccount', { account: other.publicId }),
    }
    const w = worker()
    try {
      await ingest(t.db, ws, {
        accountId: acc.publicId,
        source: 'csv',
        rows: [
          { date: '2026-11-20 09:00:00', type: 'CR', amount: '25000', description: 'ends in 000' },
          { date: '2026-11-20 09:01:00', type: 'CR', amount: '10999', description: 'ends in 999' },
          { date: '2026-11-20 09:02:00', type: 'DB', amount: '10001.50', description: 'ends in 001' },
        ],
      })
      await ingest(t.db, ws, {
        accountId: other.publicId,
        source: 'csv',
        rows: [{ date: '2026-11-20 09:03:00', type: 'CR', amount: '7000', description: 'other account' }],
      })
      // Every endpoint that should receive something has; give stragglers a moment, then compare.
      const ours = new Set(Object.values(endpoints).map((e) => e.publicId))
      const reached = () => new Set(got.map((g) => String(g.headers['x-moota-webhook'])).filter((id) => ours.has(id)))
      // Ten deliveries through four slots: the worker must keep claiming as slots free up (a worker that stopped
      // claiming once every slot was busy failed here).
      await until(() => reached().size === 7)
      await new Promise((r) => setTimeout(r, 300))
      const amountsOf = (id: string) =>
        got
          .filter((g) => g.headers['x-moota-webhook'] === id)
          .flatMap((g) => (JSON.parse(g.body) as { amount: number }[]).map((m) => m.amount))
          .sort((a, b) => a - b)
      expect(amountsOf(endpoints.all.publicId)).toEqual([7000, 10001.5, 10999, 25000])
      expect(amountsOf(endpoints.credit.publicId)).toEqual([7000, 10999, 25000])
      expect(amountsOf(endpoints.debit.publicId)).toEqual([10001.5])
      expect(amountsOf(endpoints.codes1to999.publicId)).toEqual([10001.5, 10999])
      expect(amountsOf(endpoints.code999.publicId)).toEqual([10999])
      expect(amountsOf(endpoints.code0.publicId)).toEqual([7000, 25000])
      expect(amountsOf(endpoints.otherAccount.publicId)).toEqual([7000])
      // Each endpoint numbers its own deliveries from 1.
      const seqs = got
        .filter((g) => g.headers['x-moota-webhook'] === endpoints.all.publicId)
        .map((g) => g.headers['webhook-sequence'])
      expect(seqs.sort()).toEqual(['1', '2'])
    } finally {
      await w.stop()
    }
  })

  it('gives a replayed delivery whose schedule had run out the whole schedule again', async () => {
    got.length = 0
    script.push([500], [500], [500], [500])
    const { ws, accountId, endpointId, internalId } = await setup()
    const w = worker([50])
    const status = async () =>
      (await t.db.query<{ status: string; attempts: number }>(
        'select status, attempts from webhook_deliveries where endpoint_id = $1',
        [internalId],
      ))[0]
    try {
      await ingest(t.db, ws, {
        accountId,
        source: 'csv',
        rows: [{ date: '2026-11-20 09:15:00', type: 'CR', amount: '5000', description: 'X' }],
      })
      await until(async () => (await status())?.status === 'failed')
      expect(await status()).toEqual({ status: 'failed', attempts: 2 })
      const day = { from: new Date(Date.now() - 3_600_000), to: new Date(Date.now() + 3_600_000) }
      expect(await replayDeliveries(t.db, ws, endpointId, day)).toBe(1)
      await until(async () => (await status())?.status === 'failed')
      // One try and one retry again, not a single try that is failed at once.
      expect(await status()).toEqual({ status: 'failed', attempts: 4 })
      expect(new Set(got.map((g) => g.headers['webhook-id'])).size).toBe(1)
    } finally {
      await w.stop()
    }
  })
})
