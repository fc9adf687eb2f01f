// Deleting an account once left its webhooks active but never firing, and tag counts still counting its mutations.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Account } from '../../accounts/accounts.ts'
import {
  addTestAccount,
  createTenant,
  insertMutations,
  startTestServer,
  type Tenant,
  type TestServer,
} from '../test-support.ts'

let t: TestServer
let a: Tenant
let doomed: Account
let kept: Account

beforeAll(async () => {
  t = await startTestServer()
  a = await createTenant(t.app.db)
  doomed = await addTestAccount(t.app.db, a.workspace, 'bca')
  kept = await addTestAccount(t.app.db, a.workspace, 'bni')
})
afterAll(() => t?.close())

const json = async (res: Response) => (await res.json()) as Record<string, unknown>

describe('deleting an account', () => {
  it('disables the endpoints that name it, with an alert and an event, and refuses to switch them back on', async () => {
    const named = await t.request('POST', '/v1/webhooks', {
      token: a.token,
      json: { url: 'https://example.com/named', secret: 's', account: doomed.publicId },
    })
    expect(named.status, await named.clone().text()).toBe(201)
    const namedId = (await json(named)).id as string
    const all = await t.request('POST', '/v1/webhooks', {
      token: a.token,
      json: { url: 'https://example.com/all', secret: 's' },
    })
    const allId = (await json(all)).id as string

    const destroy = await t.request('POST', `/api/v2/bank/${doomed.publicId}/destroy`, { token: a.token })
    expect(destroy.status).toBe(200)

    const after = await json(await t.request('GET', `/v1/webhooks/${namedId}`, { token: a.token }))
    expect(after).toMatchObject({ active: false, disabled_reason: 'its account was deleted' })
    expect(await json(await t.request('GET', `/v1/webhooks/${allId}`, { token: a.token }))).toMatchObject({ active: true })
    const alerts = await t.app.db.query<{ kind: string; message: string }>(
      'select kind, message from alerts where workspace_id = $1',
      [a.workspace.id],
    )
    expect(alerts).toEqual([
      { kind: 'endpoint.disabled', message: 'Webhook https://example.com/named dinonaktifkan: its account was deleted' },
    ])
    const events = await json(await t.request('GET', '/v1/events', { token: a.token }))
    expect((events.data as { type: string }[]).map((e) => e.type)).toContain('endpoint.disabled')

    const enable = await t.request('POST', `/v1/webhooks/${namedId}/enable`, { token: a.token })
    expect(enable.status).toBe(422)
    expect(await enable.text()).toContain('bank_account_id')
    const patch = await t.request('PATCH', `/v1/webhooks/${namedId}`, { token: a.token, json: { active: true } })
    expect(patch.status).toBe(422)
    // Pointed at a live account, it may run again.
    const moved = await t.request('PATCH', `/v1/webhooks/${namedId}`, {
      token: a.token,
      json: { account: kept.publicId, active: true },
    })
    expect(moved.status, await moved.clone().text()).toBe(200)
    expect(await json(moved)).toMatchObject({ active: true })
  })

  it('leaves the deleted account’s mutations out of tag counts, as the lists do', async () => {
    const gone = await addTestAccount(t.app.db, a.workspace, 'mandiriOnline')
    const [m1] = await insertMutations(t.app.db, a.workspace, gone, [{ occurredAt: '2026-11-01T10:00:00+07:00', amount: 100n }])
    const [m2] = await insertMutations(t.app.db, a.workspace, kept, [{ occurredAt: '2026-11-01T10:00:00+07:00', amount: 100n }])
    for (const id of [m1, m2])
      expect((await t.request('POST', `/api/v2/tagging/mutation/${id}`, { token: a.token, json: { name: ['lunas'] } })).status).toBe(200)
    const usage = async () =>
      ((await json(await t.request('GET', '/v1/tags', { token: a.token }))).data as { name: string; usage: number }[]).find(
        (x) => x.name === 'lunas',
      )?.usage
    expect(await usage()).toBe(2)
    expect((await t.request('POST', `/api/v2/bank/${gone.publicId}/destroy`, { token: a.token })).status).toBe(200)
    const listed = await json(await t.request('GET', '/api/v2/mutation?tag=lunas', { token: a.token }))
    expect(listed.total).toBe(1)
    expect(await usage()).toBe(1)
  })
})
