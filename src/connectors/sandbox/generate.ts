/**
 * The sandbox feed's pseudo-bank, as pure functions. Whether a second carries a transaction, and what that
 * transaction looks like, derive only from (seed, second) and the transactions earlier that day. So re-reading a day
 * gives exactly the same rows in the same order, a later read of today only appends rows, and a rate change only
 * affects seconds after it.
 */
import type { SourceRow } from '../../ledger/types.ts'
import { formatDecimal } from '../../shared/money.ts'
import { formatWib, startOfWibDay } from '../../shared/time.ts'

export const DAY_SECONDS = 86_400
/**
 * At most one transaction per second, and two days of the fastest feed (the read returns yesterday and today)
 * must fit in one ingest batch (ledger MAX_BATCH, 50 000 rows): 1000 an hour is 48 000 rows.
 */
export const MAX_RATE_PER_HOUR = 1000

export interface RateChange {
  from: Date
  perHour: number
}

export interface FeedPlan {
  seed: number
  /** Nothing is generated before this instant (the feed's start, or a later day start after a rebase). */
  baseAt: Date
  /** Balance in sen at `baseAt`. */
  baseBalance: bigint
  /** Rate history, ascending; the first entry applies from `baseAt`. */
  rates: readonly RateChange[]
  /** A bank account reports a running balance and has debits; a virtual account only receives payments. */
  kind: 'bank' | 'va'
  accountNumber: string
}

export interface FeedTx {
  at: Date
  type: 'CR' | 'DB'
  /** sen */
  amount: bigint
  description: string
  /** sen after this transaction; null where the account kind reports none (VA). */
  balance: bigint | null
}

// murmur3's finaliser: a cheap, well-mixed 32-bit hash, so each second gets an independent-looking draw.
function fmix32(x: number): number {
  let h = x >>> 0
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

export function hash3(a: number, b: number, c: number): number {
  return fmix32(Math.imul(fmix32(Math.imul(fmix32(a) ^ (b >>> 0), 0x9e3779b1)) ^ (c >>> 0), 0x85ebca77))
}

/** mulberry32: a small deterministic stream of floats in [0, 1) for one transaction's details. */
function stream(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const pick = <T>(rnd: () => number, list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!
const digits = (rnd: () => number, n: number): string => String(Math.floor(rnd() * 10 ** n)).padStart(n, '0')

const NAMES = [
  'BUDI SANTOSO',
  'SITI AMINAH',
  'DEWI LESTARI',
  'AGUS SETIAWAN',
  'RINA WULANDARI',
  'EKO PRASETYO',
  'SRI RAHAYU',
  'ANDI WIJAYA',
  'NUR HIDAYAH',
  'HENDRA GUNAWAN',
  'YULIA PUTRI',
  'RUDI HARTONO',
  'FITRI HANDAYANI',
  'DIMAS ANGGARA',
  'MEGA SARI',
  'JOKO SUSILO',
  'PUTU ARTAWAN',
  'CV MAJU JAYA',
  'TOKO BERKAH ABADI',
  'PT SUMBER REJEKI',
] as const
/** Bank codes that appear in interbank narratives (BRI, Mandiri, BNI, CIMB, BSI). */
const BANK_CODES = ['002', '008', '009', '022', '451'] as const
/** Typical shop prices in rupiah; payers add a unique code (kode unik) of 1–999 on top. */
const PRICES = [
  15_000, 25_000, 35_000, 49_000, 50_000, 75_000, 99_000, 100_000, 125_000, 150_000, 199_000, 250_000,
  350_000, 500_000, 750_000, 1_000_000, 1_500_000, 2_500_000,
] as const

/** Share of transactions that repeat an earlier one of the same day exactly: a real second, identical payment. */
const TWIN_RATE = 0.04
const CREDIT_RATE = 0.8

const rupiah = (n: number): bigint => BigInt(n) * 100n

function credit(rnd: () => number, plan: FeedPlan, ddmm: string): { amount: bigint; description: string } {
  const base = pick(rnd, PRICES)
  const code = rnd() < 0.85 ? 1 + Math.floor(rnd() * 999) : 0
  const amount = rupiah(base + code)
  const name = pick(rnd, NAMES)
  if (plan.kind === 'va') {
    // VA number: the bank's prefix, then the merchant's account, then the customer's number.
    const va = `8808${plan.accountNumber.replace(/\D/g, '').slice(-4).padStart(4, '0')}${digits(rnd, 8)}`
    return { amount, description: `PEMBAYARAN VA ${va} ${name}` }
  }
  const style = rnd()
  if (style < 0.55)
    return {
      amount,
      description: `TRSF E-BANKING CR ${ddmm}/FTSCY/WS95${digits(rnd, 3)} ${formatDecimal(amount)} ${name}`,
    }
  if (style < 0.8) return { amount, description: `SWITCHING CR TRANSFER DR ${pick(rnd, BANK_CODES)} ${name}` }
  if (style < 0.95)
    return { amount, description: `BI-FAST CR BIF TRANSFER DR ${pick(rnd, BANK_CODES)} ${name}` }
  return { amount, description: 'SETORAN TUNAI' }
}

function debit(rnd: () => number, ddmm: string): { amount: bigint; description: string } {
  const style = rnd()
  if (style < 0.45) {
    const amount = rupiah(50_000 + Math.floor(rnd() * 200) * 25_000)
    return {
      amount,
      description: `TRSF E-BANKING DB ${ddmm}/FTSCY/WS95${digits(rnd, 3)} ${formatDecimal(amount)} ${pick(rnd, NAMES)}`,
    }
  }
  if (style < 0.7)
    return {
      amount: rupiah(100_000 + Math.floor(rnd() * 20) * 50_000),
      description: `TARIKAN ATM ${ddmm.slice(0, 2)}/${ddmm.slice(2)}`,
    }
  if (style < 0.9)
    return {
      amount: rupiah(25_000 + Math.floor(rnd() * 100) * 10_000),
      description: `BI-FAST DB BIF TRANSFER KE ${pick(rnd, BANK_CODES)} ${pick(rnd, NAMES)}`,
    }
  return { amount: rupiah(2_500), description: 'BIAYA TXN BI-FAST' }
}

/** Draw threshold for a rate: a second carries a transaction when its 32-bit hash is below it. */
const threshold = (perHour: number): number =>
  Math.floor((Math.min(Math.max(0, perHour), MAX_RATE_PER_HOUR) * 2 ** 32) / 3600)

/**
 * The transactions of WIB day `day` (`YYYY-MM-DD`) strictly before `until`, in order, starting from balance
 * `opening` (sen); returns the balance after the last one. A generator, so a caller can pause between
 * transactions (a busy day is tens of thousands of them).
 */
export function* dayTransactions(
  plan: FeedPlan,
  day: string,
  until: Date,
  opening: bigint,
): Generator<FeedTx, bigint> {
  const dayStart = startOfWibDay(day).getTime() / 1000
  const from = Math.max(dayStart, Math.ceil(plan.baseAt.getTime() / 1000))
  const end = Math.min(dayStart + DAY_SECONDS, Math.ceil(until.getTime() / 1000))
  const ddmm = `${day.slice(8, 10)}${day.slice(5, 7)}`
  const changes = plan.rates.map((r) => ({
    at: Math.ceil(r.from.getTime() / 1000),
    limit: threshold(r.perHour),
  }))
  const txs: { type: 'CR' | 'DB'; amount: bigint; description: string }[] = []
  let balance = opening
  // Index of the rate in effect at second s; before the first entry nothing is generated.
  let ri = -1
  for (let s = from; s < end; s++) {
    while (ri + 1 < changes.length && changes[ri + 1]!.at <= s) ri++
    const limit = ri >= 0 ? changes[ri]!.limit : 0
    if (limit === 0) {
      // Nothing can happen until the next rate change: skip straight to it.
      const next = changes[ri + 1]?.at ?? end
      s = Math.max(s, Math.min(next, end) - 1)
      continue
    }
    if (hash3(plan.seed, s, 0) >= limit) continue
    const rnd = stream(hash3(plan.seed, s, 1))
    let tx: { type: 'CR' | 'DB'; amount: bigint; description: string } | undefined
    if (txs.length && rnd() < TWIN_RATE) {
      const earlier = txs[Math.floor(rnd() * txs.length)]!
      if (earlier.type === 'CR' || balance >= earlier.amount) tx = earlier
    }
    if (!tx && plan.kind === 'bank' && rnd() >= CREDIT_RATE) {
      const d = debit(rnd, ddmm)
      // A sandbox account never goes overdrawn: a debit it cannot cover becomes a payment received instead.
      if (balance >= d.amount) tx = { type: 'DB', ...d }
    }
    tx ??= { type: 'CR', ...credit(rnd, plan, ddmm) }
    balance += tx.type === 'CR' ? tx.amount : -tx.amount
    txs.push(tx)
    yield {
      at: new Date(s * 1000),
      type: tx.type,
      amount: tx.amount,
      description: tx.description,
      balance: plan.kind === 'bank' ? balance : null,
    }
  }
  return balance
}

/** `dayTransactions` collected: the day's transactions and the balance after them. */
export function generateDay(
  plan: FeedPlan,
  day: string,
  until: Date,
  opening: bigint,
): { txs: FeedTx[]; closing: bigint } {
  const txs: FeedTx[] = []
  const it = dayTransactions(plan, day, until, opening)
  for (let r = it.next(); ; r = it.next()) {
    if (r.done) return { txs, closing: r.value }
    txs.push(r.value)
  }
}

/** A transaction as the pseudo-bank's statement line and as the SourceRow the ledger ingests. */
export function toSourceRow(tx: FeedTx): SourceRow {
  const amount = formatDecimal(tx.amount)
  const balance = tx.balance === null ? null : formatDecimal(tx.balance)
  const date = formatWib(tx.at)
  return {
    date,
    amount,
    type: tx.type,
    description: tx.description,
    ...(balance === null ? {} : { balance }),
    raw: [date, tx.description, amount, tx.type, ...(balance === null ? [] : [balance])].join('\t'),
  }
}

/**
 * Moves the plan's origin forward to `at` (a WIB day start no later than any day still to be read) where the
 * balance is `balanceAt`, folding the rate history before it into one entry. Rows from `at` on are unchanged;
 * this keeps `rates` short and the balance catch-up after a restart cheap.
 */
export function rebasePlan(plan: FeedPlan, at: Date, balanceAt: bigint): FeedPlan {
  if (at <= plan.baseAt) return plan
  const before = plan.rates.filter((r) => r.from <= at)
  const current = before[before.length - 1]?.perHour ?? 0
  return {
    ...plan,
    baseAt: at,
    baseBalance: balanceAt,
    rates: [{ from: at, perHour: current }, ...plan.rates.filter((r) => r.from > at)],
  }
}
