import { register } from 'prom-client'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { openTestDb, type TestDb } from '../../test/db.ts'
import { type Account, addAccount } from '../accounts/accounts.ts'
import type { App } from '../app.ts'
import { ConnectorError } from '../connectors/connector.ts'
import { sandboxFeed } from '../connectors/sandbox/feed.ts'
import { encryptSecret } from '../shared/crypto.ts'
import { AppError } from '../shared/errors.ts'
import { randomBase62 } from '../shared/ids.ts'
import { ensureWorkspace, type Workspace } from '../workspaces/workspaces.ts'
import { failureText, formatSeconds, refreshAccount } from './refresh.ts'
import { finishedStatus, finishRun, interruptRuns, listRuns, startRun } from './runs.ts'
import { feedSettings, testApp } from './testing.ts'

let t: TestDb
let app: App
let ws: Workspace
beforeAll(async () => {
  t = await openTestDb()
  app = testApp(t.db, { LUNAS_SYNC_TIMEOUT_MS: '200' })
  ws = await ensureWorkspace(t.db, 'refresh')
})
afterAll(() => t.close())
afterEach(() => {
  vi.restoreAllMocks()
})

const sandbox = (settings: Record<string, unknown> = feedSettings(), bankType = 'sandbox') =>
  addAccount(t.db, ws, { bankType, accountNumber: randomBase62(8), holderName: 'TOKO SANDBOX', settings })

const count = async (a: Account, where = 'true') =>
  Number(
    (
      await t.db.query<{ n: string }>(
        `select count(*) as n from mutations where account_id = $1 and ${where}`,
        [a.id],
      )
    )[0]!.n,
  )

describe('refreshAccount', () => {
  it('stores what the feed read as an ok run, then no_new when nothing changed', async () => {
    const a = await sandbox()
    const now = new Date()
    const first = await refreshAccount(app, a, 'manual', { now, worker: 'w1' })
    expect(first).toMatchObject({ status: 'ok', trigger: 'manual', worker: 'w1', error: null })
    expect(first.rowsNew).toBeGreaterThan(0)
    expect(first.rowsSeen).toBe(first.rowsNew)
    expect(first.finishedAt).toBeInstanceOf(Date)
    expect(await count(a)).toBe(first.rowsNew)
    expect(await count(a, `sync_run_id = ${Number(first.id)} and source = 'sandbox-feed'`)).toBe(
      first.rowsNew,
    )

    const second = await refreshAccount(app, a, 'schedule', { now })
    expect(second).toMatchObject({ status: 'no_new', rowsSeen: first.rowsSeen, rowsNew: 0, error: null })
    const runs = await listRuns(t.db, ws, a.publicId)
    expect(runs.map((r) => r.status)).toEqual(['no_new', 'ok'])
  })

  it('never stores a row twice, however often whole days are re-read', async () => {
    const a = await sandbox(feedSettings({ ratePerHour: 60, seed: 99 }, 30))
    const base = Date.now()
    const times = [0, 60_000, 60_000, 600_000, 3_600_000, 600_000, 0].map((ms) => new Date(base + ms))
    for (const now of times) await refreshAccount(app, a, 'schedule', { now })
    const full = await sandboxFeed.fetch({
      account: a,
      settings: a.settings,
      now: new Date(base + 3_600_000),
      signal: new AbortController().signal,
    })
    const days = new Set(full.map((r) => String(r.date).slice(0, 10)))
    const [dayRows] = await t.db.query<{ n: string }>(
      'select count(*) as n from mutations where account_id = $1 and wib_date = any($2::date[])',
      [a.id, [...days]],
    )
    expect(Number(dayRows!.n)).toBe(full.length)
    const [dupes] = await t.db.query<{ n: string }>(
      `select count(*) as n from (select identity from mutations where account_id = $1 group by identity having count(*) > 1) d`,
      [a.id],
    )
    expect(Number(dupes!.n)).toBe(0)
    const [gaps] = await t.db.query<{ n: string }>(
      'select count(*) as n from balance_gaps where account_id = $1',
      [a.id],
    )
    expect(Number(gaps!.n)).toBe(0)
  })

  it('records a refused login as a failed run with the reason', async () => {
    const a = await sandbox(feedSettings({ fail: 'login' }))
    const run = await refreshAccount(app, a, 'schedule')
    expect(run).toMatchObject({
      status: 'failed',
      rowsNew: 0,
      error: 'reading failed: login refused by the bank (login ditolak)',
    })
  })

  it('records a source that does not answer as a timeout', async () => {
    const a = await sandbox(feedSettings({ fail: 'timeout' }))
    const started = Date.now()
    const run = await refreshAccount(app, a, 'schedule')
    expect(run).toMatchObject({ status: 'failed', error: 'timeout after 0.2 s' })
    expect(Date.now() - started).toBeLessThan(5_000)
  })

  it('times out a connector that ignores its signal', async () => {
    vi.spyOn(sandboxFeed, 'fetch').mockImplementation(() => new Promise(() => {}))
    const run = await refreshAccount(app, await sandbox(), 'schedule')
    expect(run).toMatchObject({ status: 'failed', error: 'timeout after 0.2 s' })
  })

  it('stores nothing of a malformed read and names the row', async () => {
    const a = await sandbox(feedSettings({ fail: 'malformed' }))
    const run = await refreshAccount(app, a, 'schedule')
    expect(run.status).toBe('failed')
    expect(run.rowsSeen).toBeGreaterThan(3)
    expect(run.error).toMatch(/^malformed data: rows\[3\]\.amount: .*"\d{1,3}(\.\d{3})+,\d{2}"/)
    expect(await count(a)).toBe(0)
  })

  it('explains settings it cannot use and unexpected errors', async () => {
    const bad = await refreshAccount(app, await sandbox({ feed: { seed: 'x' } }), 'schedule')
    expect(bad.error).toMatch(/^reading failed: sandbox feed settings are invalid \(feed\.seed: /)
    vi.spyOn(sandboxFeed, 'fetch').mockRejectedValue(new TypeError('boom'))
    const broken = await refreshAccount(app, await sandbox(), 'schedule')
    expect(broken).toMatchObject({ status: 'failed', error: 'internal error: boom' })
  })

  it('hands decrypted credentials to the connector', async () => {
    const spy = vi.spyOn(sandboxFeed, 'fetch').mockResolvedValue([])
    const a = await sandbox()
    await t.db.query('update accounts set credentials_enc = $2 where id = $1', [
      a.id,
      encryptSecret(app.secretKey, 'user:pass'),
    ])
    const run = await refreshAccount(app, a, 'schedule')
    expect(run.status).toBe('no_new')
    expect(spy.mock.calls[0]![0].credentials).toBe('user:pass')
    await t.db.query("update accounts set credentials_enc = 'v1.x.y.z' where id = $1", [a.id])
    expect((await refreshAccount(app, a, 'schedule')).error).toMatch(/credentials cannot be decrypted/)
  })

  it('refuses accounts without a source to read', async () => {
    const bank = await addAccount(t.db, ws, { bankType: 'bca', accountNumber: '123', holderName: 'X' })
    await expect(refreshAccount(app, bank, 'manual')).rejects.toBeInstanceOf(AppError)
    await expect(refreshAccount(app, await sandbox({}), 'manual')).rejects.toMatchObject({
      code: 'validation',
    })
  })

  it('counts runs by status in the metrics', async () => {
    const text = await register.getSingleMetricAsString('lunas_sync_runs_total')
    expect(text).toMatch(/lunas_sync_runs_total\{status="failed",trigger="schedule"\} [1-9]/)
    expect(text).toMatch(/lunas_sync_runs_total\{status="ok",trigger="manual"\} [1-9]/)
    expect(await register.getSingleMetricAsString('lunas_sync_duration_seconds')).toMatch(
      /_count\{status="no_new"\} [1-9]/,
    )
  })
})

describe('failureText', () => {
  const p = { timeoutMs: 30_000, timedOut: false }
  it('says what went wrong in words a merchant can act on', () => {
    expect(failureText(new ConnectorError('timeout', 'x'), { ...p, timedOut: true })).toBe(
      'timeout after 30 s',
    )
    expect(failureText(new ConnectorError('timeout', 'bank took too long'), p)).toBe(
      'timeout: bank took too long',
    )
    expect(failureText(new ConnectorError('login_failed', 'login ditolak'), p)).toBe(
      'reading failed: login refused by the bank (login ditolak)',
    )
    expect(failureText(new ConnectorError('malformed', 'no header'), p)).toBe('malformed data: no header')
    expect(failureText(new ConnectorError('unavailable', 'bank down'), p)).toBe('reading failed: bank down')
    expect(failureText(AppError.validation('rows[3].amount: bad', 'rows[3].amount'), p)).toBe(
      'malformed data: rows[3].amount: bad',
    )
    expect(failureText(AppError.notFound('account x not found'), p)).toBe(
      'reading failed: account x not found',
    )
    expect(failureText('weird', p)).toBe('internal error: weird')
    expect([formatSeconds(1500), formatSeconds(100), formatSeconds(250)]).toEqual([
      '1.5 s',
      '0.1 s',
      '0.25 s',
    ])
  })
})

describe('sync runs', () => {
  it('names a finished run by its outcome', () => {
    expect(finishedStatus(3, null)).toBe('ok')
    expect(finishedStatus(0, null)).toBe('no_new')
    expect(finishedStatus(0, 'timeout after 30 s')).toBe('failed')
  })

  it('keeps a run that was already closed as interrupted, and lists runs only in their workspace', async () => {
    const a = await sandbox()
    const run = await startRun(t.db, { accountId: a.id, trigger: 'manual', worker: 'w' })
    expect(run).toMatchObject({ status: 'running', finishedAt: null, accountId: a.id })
    expect(await interruptRuns(t.db, [a.id])).toBe(1)
    const after = await finishRun(t.db, run.id, { rowsSeen: 5, rowsNew: 5, error: null })
    expect(after).toMatchObject({
      status: 'failed',
      rowsNew: 0,
      error: expect.stringMatching(/^interrupted/),
    })

    const long = await startRun(t.db, { accountId: a.id, trigger: 'manual', worker: 'w' })
    const closed = await finishRun(t.db, long.id, { rowsSeen: 0, rowsNew: 0, error: 'x'.repeat(5000) })
    expect(closed.error).toHaveLength(1000)

    expect((await listRuns(t.db, ws, a.publicId, { limit: 1 })).map((r) => r.id)).toEqual([long.id])
    const other = await ensureWorkspace(t.db, 'someone else')
    expect(await listRuns(t.db, other, a.publicId)).toEqual([])
  })
})
