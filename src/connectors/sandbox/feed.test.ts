import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestDb, type TestDb } from '../../../test/db.ts'
import { type Account, addAccount, getAccount, updateAccountSettings } from '../../accounts/accounts.ts'
import { AppError } from '../../shared/errors.ts'
import { randomBase62 } from '../../shared/ids.ts'
import { formatWib } from '../../shared/time.ts'
import { ensureWorkspace, type Workspace } from '../../workspaces/workspaces.ts'
import { ConnectorError } from '../connector.ts'
import { connectorContract } from '../contract.ts'
import { type ConfigureFeedParams, configureFeed, DEFAULT_RATE_PER_HOUR, sandboxFeed } from './feed.ts'
import { simulateTransaction } from './simulate.ts'

// 2026-11-21 12:30 WIB; the feed started at the beginning of 2026-11-20 WIB.
const NOW = new Date('2026-11-21T05:30:00Z')
const feed = (over: Record<string, unknown> = {}) => ({
  feed: { seed: 20261120, ratePerHour: 12, startedAt: '2026-11-19T17:00:00.000Z', fail: 'none', ...over },
})

connectorContract(sandboxFeed, () => ({
  settings: feed(),
  now: NOW,
  failures: [
    { name: 'login refused', settings: feed({ fail: 'login' }), code: 'login_failed' },
    { name: 'settings that make no sense', settings: feed({ ratePerHour: -5 }), code: 'unavailable' },
  ],
  rejected: feed({ fail: 'malformed' }),
  hanging: feed({ fail: 'timeout' }),
}))

let t: TestDb
let ws: Workspace
beforeAll(async () => {
  t = await openTestDb()
  ws = await ensureWorkspace(t.db, 'feed')
})
afterAll(() => t.close())

const sandbox = (settings: Record<string, unknown> = {}, bankType = 'sandbox') =>
  addAccount(t.db, ws, { bankType, accountNumber: randomBase62(8), holderName: 'TOKO SANDBOX', settings })

const read = (
  account: Account,
  now = NOW,
  settings = account.settings,
  signal = new AbortController().signal,
) => sandboxFeed.fetch({ account, settings, now, signal })

describe('sandbox feed', () => {
  it('returns yesterday and today up to now, nothing before the feed started', async () => {
    const account = await sandbox(feed({ startedAt: '2026-11-20T03:00:00.000Z' }))
    const rows = await read(account)
    const dates = rows.map((r) => String(r.date))
    expect(dates[0]! >= '2026-11-20 10:00:00').toBe(true)
    expect(dates.at(-1)! < formatWib(NOW)).toBe(true)
    expect(new Set(dates.map((d) => d.slice(0, 10)))).toEqual(new Set(['2026-11-20', '2026-11-21']))
    expect(rows.every((r) => r.reference === undefined && r.raw !== undefined)).toBe(true)
  })

  it('continues the balance across days of a long-running feed', async () => {
    const account = await sandbox(feed({ startedAt: '2026-11-01T00:00:00.000Z', ratePerHour: 30 }))
    const [today, tomorrow] = [await read(account), await read(account, new Date(NOW.getTime() + 86_400_000))]
    // Yesterday of the second read is today of the first: same rows, so the same balances.
    const todays = today.filter((r) => String(r.date).startsWith('2026-11-21'))
    expect(tomorrow.slice(0, todays.length)).toEqual(todays)
    let balance: bigint | null = null
    for (const r of tomorrow) {
      const sen = BigInt(String(r.balance).replace('.', ''))
      const amount = BigInt(String(r.amount).replace('.', ''))
      if (balance !== null) expect(sen).toBe(r.type === 'CR' ? balance + amount : balance - amount)
      balance = sen
    }
  })

  it('fails the ways it is told to', async () => {
    const account = await sandbox()
    await expect(read(account, NOW, feed({ fail: 'login' }))).rejects.toMatchObject({
      code: 'login_failed',
      message: 'login ditolak',
      retryable: false,
    })
    const malformed = await read(account, NOW, feed({ fail: 'malformed' }))
    expect(malformed[3]!.amount).toMatch(/^\d{1,3}(\.\d{3})+,\d{2}$/)
    const none = await read(account, NOW, feed({ fail: 'malformed', ratePerHour: 0 }))
    expect(none).toHaveLength(1)
    const deadline = new AbortController()
    setTimeout(() => deadline.abort(new ConnectorError('timeout', 'deadline')), 20)
    await expect(read(account, NOW, feed({ fail: 'timeout' }), deadline.signal)).rejects.toMatchObject({
      code: 'timeout',
      message: 'deadline',
    })
  })

  it('is polled only once its feed is configured', () => {
    expect(sandboxFeed.isEnabled({ settings: {} } as Account)).toBe(false)
    expect(sandboxFeed.isEnabled({ settings: feed() } as unknown as Account)).toBe(true)
  })
})

describe('configureFeed', () => {
  it('switches the feed on from now, with a seed, the default rate and a refresh request', async () => {
    const account = await sandbox({ label: 'kept' })
    await t.db.query("update accounts set next_sync_at = now() + interval '1 hour' where id = $1", [
      account.id,
    ])
    const before = Date.now()
    const settings = await configureFeed(t.db, ws, { accountId: account.publicId })
    expect(settings).toMatchObject({ ratePerHour: DEFAULT_RATE_PER_HOUR, fail: 'none', baseBalance: '0.00' })
    expect(Date.parse(String(settings.startedAt))).toBeGreaterThanOrEqual(before)
    expect(Number.isInteger(settings.seed)).toBe(true)
    const stored = await getAccount(t.db, ws, account.publicId)
    expect(stored.settings).toEqual({ label: 'kept', feed: settings })
    expect(stored.nextSyncAt!.getTime()).toBeLessThanOrEqual(Date.now() + 1000)
  })

  it('changes the rate from now on, keeping the start and the seed; a new seed starts a new feed', async () => {
    const account = await sandbox()
    const first = await configureFeed(t.db, ws, { accountId: account.publicId, ratePerHour: 30, seed: 7 })
    const second = await configureFeed(t.db, ws, {
      accountId: account.publicId,
      ratePerHour: 0,
      fail: 'login',
    })
    expect(second).toMatchObject({ seed: 7, ratePerHour: 0, fail: 'login', startedAt: first.startedAt })
    expect((second.rates as unknown[]).length).toBe(2)
    const third = await configureFeed(t.db, ws, { accountId: account.publicId, seed: 8 })
    expect(third).toMatchObject({ seed: 8, ratePerHour: 0, fail: 'login', rates: [{ perHour: 0 }] })
  })

  it('keeps what a read returns when it folds old history away', async () => {
    const startedAt = new Date(Date.now() - 5 * 86_400_000).toISOString()
    const account = await sandbox(feed({ startedAt, ratePerHour: 20 }))
    const now = new Date()
    const before = await read(account, now)
    await configureFeed(t.db, ws, { accountId: account.publicId, fail: 'none' })
    const rebased = await getAccount(t.db, ws, account.publicId)
    expect(Date.parse(String((rebased.settings.feed as Record<string, unknown>).baseAt))).toBeGreaterThan(
      Date.parse(startedAt),
    )
    expect(await read(rebased, now)).toEqual(before)
  })

  it('continues from the balance the account already has', async () => {
    const account = await sandbox()
    await simulateTransaction(t.db, ws, { accountId: account.publicId, amount: '1000000', type: 'CR' })
    await configureFeed(t.db, ws, { accountId: account.publicId, ratePerHour: 600 })
    const configured = await getAccount(t.db, ws, account.publicId)
    const rows = await read(configured, new Date(Date.now() + 3_600_000))
    const first = rows[0]!
    const amount = BigInt(String(first.amount).replace('.', ''))
    const expected = first.type === 'CR' ? 1_000_000_00n + amount : 1_000_000_00n - amount
    expect(String(first.balance)).toBe(`${expected / 100n}.${String(expected % 100n).padStart(2, '0')}`)
  })

  it('refuses accounts that are not sandbox banks and values out of range', async () => {
    const bank = await addAccount(t.db, ws, { bankType: 'bca', accountNumber: '999', holderName: 'X' })
    const account = await sandbox()
    const attempts: ConfigureFeedParams[] = [
      { accountId: bank.publicId },
      { accountId: account.publicId, ratePerHour: 1001 },
      { accountId: account.publicId, ratePerHour: 1.5 },
      { accountId: account.publicId, seed: -1 },
      { accountId: account.publicId, fail: 'sometimes' as 'none' },
    ]
    for (const p of attempts)
      await expect(configureFeed(t.db, ws, p), JSON.stringify(p)).rejects.toMatchObject({
        code: 'validation',
      })
    await expect(configureFeed(t.db, ws, { accountId: 'nope' })).rejects.toBeInstanceOf(AppError)
    expect((await getAccount(t.db, ws, account.publicId)).settings).toEqual({})
  })

  it('also drives a sandbox virtual account', async () => {
    const va = await sandbox({}, 'sandboxVA')
    await updateAccountSettings(t.db, ws, va.publicId, feed())
    const rows = await read(await getAccount(t.db, ws, va.publicId))
    expect(rows.length).toBeGreaterThan(0)
    expect(rows.every((r) => r.type === 'CR' && r.balance === undefined)).toBe(true)
  })
})
