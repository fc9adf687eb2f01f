/**
 * The sandbox automatic feed: the first polling connector. A deterministic pseudo-bank (generate.ts) read like a
 * statement source without ids: every read returns yesterday and today (from its start up to `now`), whole, in the
 * bank's order, so the ledger's day + occurrence identity is exercised for real. Failures can be injected from the
 * account's settings (`feed.fail`) to show each state of a sync run.
 *
 * Settings (`accounts.settings.feed`): `{ seed, ratePerHour, startedAt, fail }` plus the generation origin
 * (`baseAt`, `baseBalance`) and the rate history (`rates`), which keep past rows unchanged when the rate changes.
 * The feed's balance starts from the account's balance when it is switched on; transactions simulated on the same
 * account afterwards are not part of it and show up as balance gaps, as two sources on one real account would.
 */
import { randomBytes } from 'node:crypto'
import { setImmediate as yieldToLoop } from 'node:timers/promises'
import { z } from 'zod'
import { type Account, getAccount, requestRefresh, updateAccountSettings } from '../../accounts/accounts.ts'
import type { Db } from '../../db/db.ts'
import type { SourceRow } from '../../ledger/types.ts'
import { AppError } from '../../shared/errors.ts'
import { formatDecimal } from '../../shared/money.ts'
import { formatWib, startOfWibDay, wibDate } from '../../shared/time.ts'
import type { Workspace } from '../../workspaces/workspaces.ts'
import { type Connector, ConnectorError, checkAborted, untilAborted } from '../connector.ts'
import {
  DAY_SECONDS,
  dayTransactions,
  type FeedPlan,
  type FeedTx,
  MAX_RATE_PER_HOUR,
  rebasePlan,
  toSourceRow,
} from './generate.ts'
import { latestBalance } from '../../ledger/queries.ts'

export const FEED_FAILURES = ['none', 'timeout', 'login', 'malformed'] as const
export type FeedFailure = (typeof FEED_FAILURES)[number]

const MAX_RATE_CHANGES = 200

/** Transactions per hour when a feed is switched on without a rate. */
export const DEFAULT_RATE_PER_HOUR = 12

const instant = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO 8601 instant')
const rate = z.number().int().min(0).max(MAX_RATE_PER_HOUR)
const FeedSettings = z.object({
  seed: z.number().int().min(0).max(0xffffffff),
  ratePerHour: rate,
  startedAt: instant,
  fail: z.enum(FEED_FAILURES).default('none'),
  baseAt: instant.optional(),
  baseBalance: z
    .string()
    .regex(/^-?\d{1,15}\.\d{2}$/)
    .optional(),
  rates: z.array(z.object({ from: instant, perHour: rate })).optional(),
})
type FeedSettings = z.infer<typeof FeedSettings>

function readFeed(settings: Record<string, unknown>): FeedSettings {
  const parsed = FeedSettings.safeParse(settings.feed)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const where = issue?.path.length ? `feed.${issue.path.join('.')}: ` : ''
    throw new ConnectorError(
      'unavailable',
      `sandbox feed settings are invalid (${where}${issue?.message ?? 'missing'})`,
      { retryable: false },
    )
  }
  return parsed.data
}

const senOf = (text: string): bigint => {
  const neg = text.startsWith('-')
  const [whole, frac] = text.replace('-', '').split('.')
  const sen = BigInt(whole!) * 100n + BigInt(frac!)
  return neg ? -sen : sen
}

const kindOf = (account: Pick<Account, 'bankType'>): FeedPlan['kind'] =>
  account.bankType === 'sandboxVA' ? 'va' : 'bank'

function planOf(feed: FeedSettings, account: Pick<Account, 'bankType' | 'accountNumber'>): FeedPlan {
  const baseAt = new Date(feed.baseAt ?? feed.startedAt)
  return {
    seed: feed.seed,
    baseAt,
    baseBalance: feed.baseBalance ? senOf(feed.baseBalance) : 0n,
    rates: (feed.rates ?? [{ from: baseAt.toISOString(), perHour: feed.ratePerHour }])
      .map((r) => ({ from: new Date(r.from), perHour: r.perHour }))
      .sort((a, b) => a.from.getTime() - b.from.getTime()),
    kind: kindOf(account),
    accountNumber: account.accountNumber,
  }
}

function settingsOf(plan: FeedPlan, rest: Pick<FeedSettings, 'fail' | 'startedAt'>): FeedSettings {
  return {
    seed: plan.seed,
    ratePerHour: plan.rates[plan.rates.length - 1]?.perHour ?? 0,
    startedAt: rest.startedAt,
    fail: rest.fail,
    baseAt: plan.baseAt.toISOString(),
    baseBalance: formatDecimal(plan.baseBalance),
    rates: plan.rates.map((r) => ({ from: r.from.toISOString(), perHour: r.perHour })),
  }
}

const dayAfter = (day: string): string => wibDate(new Date(startOfWibDay(day).getTime() + DAY_SECONDS * 1000))
const dayBefore = (day: string): string =>
  wibDate(new Date(startOfWibDay(day).getTime() - DAY_SECONDS * 1000))

// Closing balances of complete days, per plan: the balance of a day depends on every day before it since the
// feed started, so each process computes a day once. Bounded to the most recently used plans.
const MAX_PLANS = 256
const closings = new Map<string, Map<string, bigint>>()

function closingsFor(plan: FeedPlan): Map<string, bigint> {
  const key = JSON.stringify([plan.seed, plan.baseAt, String(plan.baseBalance), plan.rates, plan.kind])
  let days = closings.get(key)
  if (days) closings.delete(key)
  else days = new Map()
  closings.set(key, days)
  if (closings.size > MAX_PLANS) closings.delete(closings.keys().next().value!)
  return days
}

// A busy day is tens of thousands of transactions: hand the event loop back this often so the server stays responsive.
const SLICE = 2000

/** Runs one day's generator to its end, pausing every SLICE transactions; `onTx` sees each transaction. */
async function runDay(
  plan: FeedPlan,
  day: string,
  until: Date,
  opening: bigint,
  signal: AbortSignal | undefined,
  onTx: (tx: FeedTx) => void,
): Promise<bigint> {
  const it = dayTransactions(plan, day, until, opening)
  for (let n = 1, r = it.next(); ; n++, r = it.next()) {
    if (r.done) return r.value
    onTx(r.value)
    if (n % SLICE === 0) {
      if (signal) checkAborted(signal)
      await yieldToLoop()
    }
  }
}

/** The balance (sen) at the start of WIB day `day`, from memoised closings where it can. */
async function openingOf(plan: FeedPlan, day: string, signal?: AbortSignal): Promise<bigint> {
  const days = closingsFor(plan)
  let balance = plan.baseBalance
  for (let d = wibDate(plan.baseAt); d < day; d = dayAfter(d)) {
    let closing = days.get(d)
    if (closing === undefined) {
      if (signal) checkAborted(signal)
      await yieldToLoop()
      closing = await runDay(plan, d, startOfWibDay(dayAfter(d)), balance, signal, () => {})
      days.set(d, closing)
    }
    balance = closing
  }
  return balance
}

/** Yesterday (whole) and today from its start up to `now`, in the bank's order. */
async function readDays(plan: FeedPlan, now: Date, signal: AbortSignal): Promise<SourceRow[]> {
  const today = wibDate(now)
  const yesterday = dayBefore(today)
  const rows: SourceRow[] = []
  const keep = (tx: FeedTx) => rows.push(toSourceRow(tx))
  const opening = await openingOf(plan, yesterday, signal)
  const closing = await runDay(plan, yesterday, startOfWibDay(today), opening, signal, keep)
  await runDay(plan, today, now, closing, signal, keep)
  checkAborted(signal)
  return rows
}

/** `"150123.00"` → `"150.123,00"`: the Indonesian way of writing it, which the ledger rightly refuses. */
const indonesian = (amount: string): string => {
  const [whole, frac] = amount.split('.')
  // eslint-disable-next-line regexp/no-super-linear-move -- a row the generator made (never user input): a few digits
  return `${whole!.replace(/\B(?=(\d{3})+(?!\d))/g, '.')},${frac ?? '00'}`
}

/** Injected `malformed`: one row (the fourth, or the last) with an amount the ledger's validation rejects. */
function corrupt(rows: SourceRow[], now: Date): SourceRow[] {
  if (rows.length === 0)
    return [
      {
        date: formatWib(now),
        amount: '150.123,00',
        type: 'CR',
        description: 'TRSF E-BANKING CR BUDI SANTOSO',
      },
    ]
  const i = Math.min(3, rows.length - 1)
  return rows.map((r, j) => (j === i ? { ...r, amount: indonesian(String(r.amount)) } : r))
}

export const sandboxFeed = {
  id: 'sandbox-feed',
  bankTypes: ['sandbox', 'sandboxVA'],
  source: 'sandbox-feed',
  identity: 'whole-days',
  // A sandbox account is polled only once its feed is switched on (configureFeed); simulated transactions alone
  // need no sync runs.
  isEnabled: (account: Account) =>
    typeof account.settings.feed === 'object' && account.settings.feed !== null,
  async fetch({ account, settings, now, signal }) {
    checkAborted(signal)
    const feed = readFeed(settings)
    if (feed.fail === 'login') throw new ConnectorError('login_failed', 'login ditolak')
    // Like a bank that stops answering: wait until the run's deadline aborts the read.
    if (feed.fail === 'timeout') return untilAborted(signal)
    const rows = await readDays(planOf(feed, account), now, signal)
    return feed.fail === 'malformed' ? corrupt(rows, now) : rows
  },
} satisfies Connector

export interface ConfigureFeedParams {
  accountId: string
  /** Transactions per hour, 0–1000 (MAX_RATE_PER_HOUR); 0 stops generating (rows already generated stay). */
  ratePerHour?: number
  fail?: FeedFailure
  /** Changing the seed starts a new feed from now. */
  seed?: number
}

/**
 * Switches a sandbox account's feed on or changes it, and asks for a refresh so the change shows at the next
 * scheduler tick. The first configuration (or a new seed) starts the feed now, continuing from the account's
 * latest balance so the running balance stays continuous. Returns the stored feed settings.
 */
export async function configureFeed(
  db: Db,
  ws: Workspace,
  p: ConfigureFeedParams,
): Promise<Record<string, unknown>> {
  const account = await getAccount(db, ws, p.accountId)
  if (!sandboxFeed.bankTypes.includes(account.bankType))
    throw AppError.validation(
      'the automatic feed runs only on sandbox accounts (bank_type sandbox or sandboxVA)',
      'bank_id',
    )
  if (p.ratePerHour !== undefined && !rate.safeParse(p.ratePerHour).success)
    throw AppError.validation(
      `ratePerHour must be a whole number from 0 to ${MAX_RATE_PER_HOUR}`,
      'ratePerHour',
    )
  if (p.fail !== undefined && !FEED_FAILURES.includes(p.fail))
    throw AppError.validation(`fail must be one of ${FEED_FAILURES.join(', ')}`, 'fail')
  if (p.seed !== undefined && (!Number.isInteger(p.seed) || p.seed < 0 || p.seed > 0xffffffff))
    throw AppError.validation('seed must be a whole number from 0 to 4294967295', 'seed')

  const now = new Date()
  const parsed = FeedSettings.safeParse(account.settings.feed)
  const current = parsed.success ? parsed.data : null
  let feed: FeedSettings
  if (!current || (p.seed !== undefined && p.seed !== current.seed)) {
    const seed = p.seed ?? randomBytes(4).readUInt32BE(0)
    const plan: FeedPlan = {
      seed,
      baseAt: now,
      baseBalance: await latestBalance(db, ws, account.id),
      rates: [{ from: now, perHour: p.ratePerHour ?? current?.ratePerHour ?? DEFAULT_RATE_PER_HOUR }],
      kind: kindOf(account),
      accountNumber: account.accountNumber,
    }
    feed = settingsOf(plan, {
      fail: p.fail ?? current?.fail ?? 'none',
      startedAt: now.toISOString(),
    })
  } else {
    let plan = planOf(current, account)
    // No read looks before yesterday again: fold the history before it into a new origin.
    const horizon = startOfWibDay(dayBefore(wibDate(now)))
    if (plan.baseAt < horizon) plan = rebasePlan(plan, horizon, await openingOf(plan, wibDate(horizon)))
    const perHour = plan.rates[plan.rates.length - 1]?.perHour
    if (p.ratePerHour !== undefined && p.ratePerHour !== perHour) {
      // The change applies from now on only, so rows already generated (and perhaps read) stay exactly as they were.
      const kept = plan.rates.filter((r) => r.from < now)
      // The history since yesterday cannot be folded away; bound it so the settings stay small.
      if (kept.length >= MAX_RATE_CHANGES)
        throw AppError.validation(
          'the feed rate was changed too often since yesterday; try again tomorrow',
          'ratePerHour',
        )
      plan = { ...plan, rates: [...kept, { from: now, perHour: p.ratePerHour }] }
    }
    feed = settingsOf(plan, { fail: p.fail ?? current.fail, startedAt: current.startedAt })
  }
  await updateAccountSettings(db, ws, account.publicId, { ...account.settings, feed })
  await requestRefresh(db, ws, account.publicId)
  return feed
}
