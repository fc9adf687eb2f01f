import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { onPostgres, openTestDb, type TestDb } from '../../test/db.ts'
import { type Account, addAccount, requestRefresh } from '../accounts/accounts.ts'
import type { App } from '../app.ts'
import type { FetchContext } from '../connectors/connector.ts'
import { sandboxFeed } from '../connectors/sandbox/feed.ts'
import type { Db } from '../db/db.ts'
import { openPostgres } from '../db/postgres.ts'
import { randomBase62 } from '../shared/ids.ts'
import { ensureWorkspace, type Workspace } from '../workspaces/workspaces.ts'
import { type Scheduler, startScheduler } from './scheduler.ts'
import { feedSettings, testApp, waitFor } from './testing.ts'

let t: TestDb
let app: App
let ws: Workspace
const started: Scheduler[] = []
const realFetch = sandboxFeed.fetch.bind(sandboxFeed)

beforeAll(async () => {
  t = await openTestDb()
  app = testApp(t.db)
  ws = await ensureWorkspace(t.db, 'scheduler')
})
afterAll(() => t.close())
// The scheduler claims every due account in the database: each test starts with only its own accounts active.
beforeEach(async () => {
  await t.db.query('update accounts set active = false')
})
afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.stop()))
  vi.restoreAllMocks()
})

const start = (a: App = app, worker = 'w1') => {
  const s = startScheduler(a, { worker })
  started.push(s)
  return s
}

const sandbox = (settings: Record<string, unknown> = feedSettings(), extra: { active?: boolean } = {}) =>
  addAccount(t.db, ws, {
    bankType: 'sandbox',
    accountNumber: randomBase62(8),
    holderName: 'TOKO',
    settings,
    ...extra,
  })

type RunRow = { account_id: string; status: string; trigger: string; error: string | null; worker: string }
const runsOf = (accounts: Account[], db: Db = t.db) =>
  db.query<RunRow>(
    'select account_id, status, trigger, error, worker from sync_runs where account_id = any($1::bigint[]) order by id',
    [accounts.map((a) => a.id)],
  )
const finished = async (accounts: Account[], n: number) =>
  (await runsOf(accounts)).filter((r) => r.status !== 'running').length >= n
const perAccount = (runs: RunRow[]) => {
  const counts = new Map<string, number>()
  for (const r of runs) counts.set(r.account_id, (counts.get(r.account_id) ?? 0) + 1)
  return counts
}

describe('scheduler', () => {
  it('refreshes due accounts that have a source, once per due time', async () => {
    const due = [await sandbox(), await sandbox(), await sandbox()]
    const bank = await addAccount(t.db, ws, {
      bankType: 'bca',
      accountNumber: randomBase62(8),
      holderName: 'X',
    })
    const noFeed = await sandbox({})
    const inactive = await sandbox(feedSettings(), { active: false })
    const leased = await sandbox()
    await t.db.query("update accounts set sync_lease_until = now() + interval '1 hour' where id = $1", [
      leased.id,
    ])

    start()
    await waitFor(() => finished(due, 3), 15_000, 'three runs')
    await sleep(400) // several more ticks: nothing is due again before its refresh interval
    const runs = await runsOf([...due, bank, noFeed, inactive, leased])
    expect(runs.map((r) => [r.account_id, r.status])).toEqual(
      expect.arrayContaining(due.map((a) => [a.id, 'ok'])),
    )
    expect(runs).toHaveLength(3)
    expect(runs.every((r) => r.worker === 'w1')).toBe(true)

    const state = await t.db.query<{ id: string; lease: Date | null; next_in_s: number }>(
      `select id, sync_lease_until as lease, extract(epoch from next_sync_at - now())::float8 as next_in_s
       from accounts where id = any($1::bigint[])`,
      [[...due, bank, noFeed].map((a) => a.id)],
    )
    const byId = new Map(state.map((s) => [s.id, s]))
    for (const a of due) {
      expect(byId.get(a.id)!.lease).toBeNull()
      expect(byId.get(a.id)!.next_in_s).toBeGreaterThan(14 * 60)
      expect(byId.get(a.id)!.next_in_s).toBeLessThanOrEqual(15 * 60)
    }
    // Claimed (its bank type is polled) but without a feed: rescheduled, no run.
    expect(byId.get(noFeed.id)!.next_in_s).toBeGreaterThan(14 * 60)
    // Never claimed: no connector polls bca.
    expect(byId.get(bank.id)!.next_in_s).toBeLessThanOrEqual(0)
  })

  it('wakes up at once when an account is marked for a refresh now', async () => {
    const a = await sandbox()
    start(testApp(t.db, { LUNAS_SCHEDULER_TICK_MS: '600000' }))
    await waitFor(() => finished([a], 1), 15_000, 'the first run')
    await sleep(200)
    expect(await runsOf([a])).toHaveLength(1)
    await requestRefresh(t.db, ws, a.publicId)
    started[0]!.wake()
    await waitFor(() => finished([a], 2), 5_000, 'the run after wake()')
    expect((await runsOf([a])).map((r) => [r.status, r.trigger])).toEqual([
      ['ok', 'schedule'],
      ['no_new', 'manual'],
    ])
  })

  it('waits for runs in flight when stopped', async () => {
    vi.spyOn(sandboxFeed, 'fetch').mockImplementation(async (ctx: FetchContext) => {
      await sleep(400)
      return realFetch(ctx)
    })
    const a = await sandbox()
    const s = start()
    await waitFor(
      async () => (await runsOf([a])).some((r) => r.status === 'running'),
      15_000,
      'a running run',
    )
    await s.stop()
    expect((await runsOf([a])).map((r) => r.status)).toEqual(['ok'])
    const [row] = await t.db.query<{ lease: Date | null }>(
      'select sync_lease_until as lease from accounts where id = $1',
      [a.id],
    )
    expect(row!.lease).toBeNull()
  })

  it('runs at most syncConcurrency refreshes at once', async () => {
    let running = 0
    let most = 0
    vi.spyOn(sandboxFeed, 'fetch').mockImplementation(async (ctx: FetchContext) => {
      most = Math.max(most, ++running)
      await sleep(100)
      running--
      return realFetch(ctx)
    })
    const accounts = await Promise.all([1, 2, 3, 4, 5].map(() => sandbox(feedSettings({ ratePerHour: 2 }))))
    start(testApp(t.db, { LUNAS_SYNC_CONCURRENCY: '2' }))
    await waitFor(() => finished(accounts, 5), 20_000, 'five runs')
    expect(most).toBe(2)
  })

  it('closes a run left running by a worker that died once its lease has expired', async () => {
    const a = await sandbox()
    await t.db.query(
      `insert into sync_runs (public_id, workspace_id, account_id, trigger, status, started_at, worker)
       values ($1, $2, $3, 'schedule', 'running', now() - interval '10 minutes', 'dead')`,
      [randomBase62(11), ws.id, a.id],
    )
    await t.db.query("update accounts set sync_lease_until = now() - interval '1 second' where id = $1", [
      a.id,
    ])
    start()
    await waitFor(() => finished([a], 2), 15_000, 'the new run')
    expect((await runsOf([a])).map((r) => [r.worker, r.status, r.error])).toEqual([
      ['dead', 'failed', 'interrupted: the worker stopped before the run finished'],
      ['w1', 'ok', null],
    ])
  })

  it('keeps going when a run or a claim fails', async () => {
    vi.spyOn(sandboxFeed, 'fetch').mockRejectedValue(new Error('boom'))
    const a = await sandbox()
    start()
    await waitFor(() => finished([a], 1), 15_000, 'the failed run')
    expect((await runsOf([a]))[0]).toMatchObject({ status: 'failed', error: 'internal error: boom' })
  })
})

/** Two schedulers over many due accounts, twice: each account must get exactly one run per due time. */
async function twoWorkers(dbs: [Db, Db]): Promise<void> {
  vi.spyOn(sandboxFeed, 'fetch').mockImplementation(async (ctx: FetchContext) => {
    await sleep(10 + Math.floor(Math.random() * 30))
    return realFetch(ctx)
  })
  const accounts: Account[] = []
  for (let i = 0; i < 40; i++) accounts.push(await sandbox(feedSettings({ ratePerHour: 2, seed: i })))
  const [w1, w2] = [
    start(testApp(dbs[0], { LUNAS_SYNC_CONCURRENCY: '4' }), 'w1'),
    start(testApp(dbs[1], { LUNAS_SYNC_CONCURRENCY: '4' }), 'w2'),
  ]
  await waitFor(() => finished(accounts, 40), 60_000, 'one run per account')
  await sleep(300)
  const first = await runsOf(accounts)
  expect(first).toHaveLength(40)
  expect([...perAccount(first).values()].every((n) => n === 1)).toBe(true)
  expect(first.every((r) => r.status !== 'failed')).toBe(true)

  // The next due time, for all of them at once.
  await t.db.query('update accounts set next_sync_at = now() where id = any($1::bigint[])', [
    accounts.map((a) => a.id),
  ])
  w1.wake()
  w2.wake()
  await waitFor(() => finished(accounts, 80), 60_000, 'a second run per account')
  await sleep(300)
  const both = await runsOf(accounts)
  expect(both).toHaveLength(80)
  expect([...perAccount(both).values()].every((n) => n === 2)).toBe(true)
  const workers = new Set(both.map((r) => r.worker))
  expect(workers).toEqual(new Set(['w1', 'w2']))
}

describe('several schedulers', () => {
  it('share one database without refreshing an account twice', async () => {
    await twoWorkers([t.db, t.db])
  })

  describe.skipIf(!onPostgres)('on PostgreSQL', () => {
    let pools: [Db, Db] | undefined
    afterEach(async () => {
      await Promise.all(started.splice(0).map((s) => s.stop()))
      await Promise.all((pools ?? []).map((db) => db.close()))
    })

    it('on separate connection pools, as separate processes do', async () => {
      pools = [openPostgres(t.url!, 5), openPostgres(t.url!, 5)]
      await twoWorkers(pools)
    })
  })
})
