/**
 * Property-based proof of the ledger's invariants, on whichever engine the suite runs (PGlite, or PostgreSQL in CI):
 * random statements with identical twins, read as random overlapping windows of whole days (the last day possibly
 * only from its start up to "now"), arriving in any order and any number of times.
 */
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestDb, type TestDb } from '../../test/db.ts'
import { seedAccount, seedWorkspace } from '../../test/fixtures.ts'
import { parseRupiah } from '../shared/money.ts'
import type { Workspace } from '../workspaces/workspaces.ts'
import { ingest } from './ingest.ts'
import type { SourceRow } from './types.ts'

let t: TestDb
let ws: Workspace
beforeAll(async () => {
  t = await openTestDb()
  ws = await seedWorkspace(t.db)
})
afterAll(() => t.close())

// A small alphabet makes identical twins (same day, amount, description) common.
const txArb = fc.record({
  type: fc.constantFrom<'CR' | 'DB'>('CR', 'CR', 'DB'),
  amount: fc.constantFrom('150123', '150123.50', '99000', '1000'),
  description: fc.constantFrom('TRSF BUDI', 'TRSF SITI', 'BIAYA ADM'),
})
const statementArb = fc.array(fc.array(txArb, { maxLength: 6 }), { minLength: 1, maxLength: 4 })

type Tx = { type: 'CR' | 'DB'; amount: string; description: string }

function dayName(i: number): string {
  return new Date(Date.UTC(2026, 10, 10 + i)).toISOString().slice(0, 10)
}

/** Rows of a statement with a continuous running balance (balance in sen, rendered as rupiah text). */
function withBalances(days: Tx[][], withBalance: boolean): SourceRow[][] {
  let balance = 100_000_000n
  return days.map((txs, d) =>
    txs.map((tx) => {
      const sen = parseRupiah(tx.amount)
      balance += tx.type === 'CR' ? sen : -sen
      const b = `${balance / 100n}.${(balance % 100n).toString().padStart(2, '0')}`
      return { date: dayName(d), ...tx, ...(withBalance ? { balance: b } : {}) }
    }),
  )
}

/** A read: whole days from..to; the last one possibly cut at some point in the day (a read "now"). */
const readArb = (days: number) =>
  fc
    .tuple(fc.nat(days - 1), fc.nat(days - 1), fc.option(fc.nat(6), { nil: undefined }))
    .map(([a, b, cut]) => ({ from: Math.min(a, b), to: Math.max(a, b), cut }))

function render(
  statement: SourceRow[][],
  read: { from: number; to: number; cut: number | undefined },
): SourceRow[] {
  const rows: SourceRow[] = []
  for (let d = read.from; d <= read.to; d++) {
    const day = statement[d]!
    rows.push(...(d === read.to && read.cut !== undefined ? day.slice(0, read.cut) : day))
  }
  return rows
}

const key = (r: { date: unknown; type: string; amount: string; description: string }) =>
  `${r.date}|${r.type}|${r.amount}|${r.description}`

async function stored(accountId: string): Promise<string[]> {
  const rows = await t.db.query<{ wib_date: string; direction: string; amount: string; description: string }>(
    'select wib_date, direction, amount, description from mutations where account_id = $1 order by occurred_at, position',
    [accountId],
  )
  return rows.map((r) => {
    const sen = BigInt(r.amount)
    const frac = sen % 100n
    const amount = frac === 0n ? `${sen / 100n}` : `${sen / 100n}.${frac.toString().padStart(2, '0')}`
    return key({ date: r.wib_date, type: r.direction, amount, description: r.description })
  })
}

describe('ingest invariants (property-based)', () => {
  it('never duplicates, never loses, whatever the overlap, repetition and order of whole-day reads', async () => {
    await fc.assert(
      fc.asyncProperty(
        statementArb.chain((days) =>
          fc.record({
            days: fc.constant(days),
            withBalance: fc.boolean(),
            reads: fc.array(readArb(days.length), { minLength: 1, maxLength: 6 }),
          }),
        ),
        async ({ days, withBalance, reads }) => {
          const statement = withBalances(days, withBalance)
          const acc = await seedAccount(t.db, ws)
          // Expected: for each day, the longest prefix any read delivered.
          const seenPerDay = new Map<number, number>()
          for (const r of reads) {
            for (let d = r.from; d <= r.to; d++) {
              const len =
                d === r.to && r.cut !== undefined
                  ? Math.min(r.cut, statement[d]!.length)
                  : statement[d]!.length
              seenPerDay.set(d, Math.max(seenPerDay.get(d) ?? 0, len))
            }
          }
          for (const r of reads)
            await ingest(t.db, ws, { accountId: acc.publicId, source: 'csv', rows: render(statement, r) })
          const expected = [...seenPerDay.entries()]
            .sort(([a], [b]) => a - b)
            .flatMap(([d, len]) => statement[d]!.slice(0, len).map((r) => key(r as never)))
          expect(await stored(acc.id)).toEqual(expected)
        },
      ),
      { numRuns: 40 },
    )
  })

  it('finds no balance gap once every day has arrived, in any order', async () => {
    await fc.assert(
      fc.asyncProperty(
        statementArb.chain((days) =>
          fc.record({
            days: fc.constant(days),
            order: fc.shuffledSubarray(
              days.map((_, i) => i),
              { minLength: days.length },
            ),
          }),
        ),
        async ({ days, order }) => {
          const statement = withBalances(days, true)
          const acc = await seedAccount(t.db, ws)
          let last = { gaps: 0 }
          for (const d of order) {
            last = await ingest(t.db, ws, { accountId: acc.publicId, source: 'csv', rows: statement[d]! })
          }
          const [row] = await t.db.query<{ n: string }>(
            'select count(*) as n from balance_gaps where account_id = $1',
            [acc.id],
          )
          expect(Number(row!.n)).toBe(0)
          expect(last.gaps).toBe(0)
        },
      ),
      { numRuns: 25 },
    )
  })

  it('flags a gap when a day with money in it never arrives', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(txArb, { minLength: 1, maxLength: 4 }), { minLength: 3, maxLength: 4 }),
        fc.nat(),
        async (days, pick) => {
          const statement = withBalances(days, true)
          const missing = 1 + (pick % (days.length - 2)) // never the first or last day
          const acc = await seedAccount(t.db, ws)
          for (let d = 0; d < days.length; d++) {
            if (d !== missing)
              await ingest(t.db, ws, { accountId: acc.publicId, source: 'csv', rows: statement[d]! })
          }
          // The skipped day always moves the balance (amounts are all non-zero) unless its credits and debits cancel.
          const net = statement[missing]!.reduce(
            (s, r) => s + (r.type === 'CR' ? 1n : -1n) * parseRupiah(r.amount),
            0n,
          )
          const [row] = await t.db.query<{ n: string }>(
            'select count(*) as n from balance_gaps where account_id = $1',
            [acc.id],
          )
          expect(Number(row!.n)).toBe(net === 0n ? 0 : 1)
        },
      ),
      { numRuns: 20 },
    )
  })
})
