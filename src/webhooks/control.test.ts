/**
 * The hand controls on a real database: who a push reaches (filters, sandbox, active, format), replay's half-open
 * range, and Moota's history `response` wording.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestDb, type TestDb } from '../../test/db.ts'
import { seedAccount, seedWorkspace } from '../../test/fixtures.ts'
import { addAccount } from '../accounts/accounts.ts'
import { ingest } from '../ledger/ingest.ts'
import { AppError } from '../shared/errors.ts'
import { pushMutation, replayDeliveries, sendTest } from './control.ts'
import { createEndpoint, updateEndpoint } from './endpoints.ts'
import { responseText } from './history.ts'

const KEY = Buffer.alloc(32, 5)
let t: TestDb
beforeAll(async () => {
  t = await openTestDb()
})
afterAll(() => t.close())

const deliveriesOf = async (endpointPublicId: string) =>
  t.db.query<{ trigger: string; status: string }>(
    `select d.trigger, d.status from webhook_deliveries d join webhook_endpoints e on e.id = d.endpoint_id
     where e.public_id = $1 order by d.id`,
    [endpointPublicId],
  )

describe('pushMutation', () => {
  it('reaches active moota endpoints whose filters take the mutation; sandbox only where named', async () => {
    const ws = await seedWorkspace(t.db)
    const sandbox = await addAccount(t.db, ws, { bankType: 'sandbox', accountNumber: '77', holderName: 'S' })
    const all = await createEndpoint(t.db, ws, KEY, { url: 'https://toko.id/all', secret: 's', active: false })
    const named = await createEndpoint(t.db, ws, KEY, { url: 'https://toko.id/sb', secret: 's', account: sandbox.publicId })
    const narrow = await createEndpoint(t.db, ws, KEY, { url: 'https://toko.id/n', secret: 's', account: sandbox.publicId, startUniqueCode: 500 })
    const lunas = await createEndpoint(t.db, ws, KEY, { url: 'https://toko.id/l', secret: 's', account: sandbox.publicId, format: 'lunas' })
    await updateEndpoint(t.db, ws, KEY, all.publicId, { active: true })
    const r = await ingest(t.db, ws, {
      accountId: sandbox.publicId,
      source: 'csv',
      rows: [{ date: '2026-11-20', type: 'CR', amount: '150123', description: 'SIM' }],
    })
    const fannedOut = (await deliveriesOf(named.publicId)).length
    expect(await pushMutation(t.db, ws, r.inserted[0]!.publicId)).toBe(1)
    expect(await deliveriesOf(named.publicId)).toHaveLength(fannedOut + 1)
    expect((await deliveriesOf(named.publicId)).at(-1)).toEqual({ trigger: 'push', status: 'pending' })
    for (const e of [all, narrow]) expect(await deliveriesOf(e.publicId)).toEqual([])
    // The lunas-format endpoint got the event's envelope at ingest; Moota's push is for Moota receivers only.
    expect(await deliveriesOf(lunas.publicId)).toEqual([{ trigger: 'event', status: 'pending' }])
    const other = await seedWorkspace(t.db)
    await expect(pushMutation(t.db, other, r.inserted[0]!.publicId)).rejects.toThrow(AppError)
  })
})

describe('replayDeliveries and sendTest', () => {
  it('replays exactly the deliveries created in [from, to)', async () => {
    const ws = await seedWorkspace(t.db)
    await seedAccount(t.db, ws)
    const e = await createEndpoint(t.db, ws, KEY, { url: 'https://toko.id/r', secret: 's' })
    for (let i = 0; i < 3; i++) await sendTest(t.db, ws, e.publicId)
    await t.db.query(
      `update webhook_deliveries set status = 'succeeded', completed_at = now(),
         created_at = timestamptz '2026-11-20T00:00:00Z' + (seq - 1) * interval '1 hour'
       where endpoint_id = $1`,
      [e.id],
    )
    const range = (from: string, to: string) => ({ from: new Date(from), to: new Date(to) })
    expect(await replayDeliveries(t.db, ws, e.publicId, range('2026-11-20T01:00:00Z', '2026-11-20T02:00:00Z'))).toBe(1)
    expect((await deliveriesOf(e.publicId)).map((d) => d.status)).toEqual(['succeeded', 'pending', 'succeeded'])
    expect(await replayDeliveries(t.db, ws, e.publicId, range('2026-11-19T00:00:00Z', '2026-11-21T00:00:00Z'))).toBe(3)
    await expect(replayDeliveries(t.db, ws, e.publicId, range('2026-11-21T00:00:00Z', '2026-11-20T00:00:00Z'))).rejects.toThrow(
      /after/,
    )
  })

  it('Send test works before the workspace has any account', async () => {
    const ws = await seedWorkspace(t.db)
    const e = await createEndpoint(t.db, ws, KEY, { url: 'https://toko.id/t', secret: 's' })
    await sendTest(t.db, ws, e.publicId)
    const [d] = await t.db.query<{ body: string }>('select body from webhook_deliveries where endpoint_id = $1', [e.id])
    expect(JSON.parse(d!.body)[0]).toMatchObject({ amount: 10000, type: 'CR', account_number: '0000000000' })
  })
})

describe('responseText', () => {
  const url = 'https://toko.id/hook'
  it('words an answer as Moota’s Guzzle did, keeps a 2xx body, and an error as is', () => {
    expect(responseText({ statusCode: 503, error: null, responseBody: 'x'.repeat(500) }, url)).toBe(
      `Server error: \`POST ${url}\` resulted in a \`503 Service Unavailable\` response:\n${'x'.repeat(120)}`,
    )
    expect(responseText({ statusCode: 418, error: null, responseBody: null }, url)).toBe(
      `Client error: \`POST ${url}\` resulted in a \`418\` response:\n`,
    )
    expect(responseText({ statusCode: 200, error: null, responseBody: 'OK' }, url)).toBe('OK')
    expect(responseText({ statusCode: null, error: 'timeout: no answer in 15000 ms', responseBody: null }, url)).toBe(
      'timeout: no answer in 15000 ms',
    )
  })
})
