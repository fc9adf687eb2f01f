/**
 * Property-based proof that the per-day rollup (day-counts.ts) stays exact, on whichever engine the suite runs:
 * after random ingests (rows at WIB and UTC day boundaries, sandbox accounts included), re-reads, deletes (some of
 * rows already deleted) and account deletes, the list total and the summary read from the rollup equal a plain
 * count(*) and sum(amount) over the mutations, for random account / type / date filters; and the list's total equals
 * the count when the filter also names a description or an amount (which the rollup cannot answer).
 */
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestDb, type TestDb } from '../../test/db.ts'
import { seedAccount, seedWorkspace } from '../../test/fixtures.ts'
import { type Account, deleteAccount } from '../accounts/accounts.ts'
import type { Workspace } from '../workspaces/workspaces.ts'
import { dayCountTotals, wibDayOf } from './day-counts.ts'
import { ingest } from './ingest.ts'
import { listMootaMutations, type MootaMutationFilter, summarizeMootaMutations } from './moota-list.ts'
import { deleteMutations } from './mutations.ts'
import type { SourceRow } from './types.ts'
import { dayEnd, dayStart } from './where.ts'

let t: TestDb
beforeAll(async () => {
  t = await openTestDb()
})
afterAll(() => t.close())

const DAYS = ['2026-11-09', '2026-11-10', '2026-11-11', '2026-11-12']
// WIB hours at and around both day boundaries: WIB midnight, and 07:00 WIB = UTC midnight.
const HOURS = [0, 0, 6, 7, 12, 23]

const rowArb = fc.record({
  day: fc.nat(DAYS.length - 1),
  hour: fc.constantFrom(...HOURS),
  second: fc.constantFrom(0, 59 * 60 + 59),
  type: fc.constantFrom<'CR' | 'DB'>('CR', 'CR', 'DB'),
  amount: fc.constantFrom('1000', '150123.50', '99000', '0.01'),
  description: fc.constantFrom('TRSF BUDI', 'BIAYA ADM'),
})

type RowDraw = typeof rowArb extends fc.Arbitrary<infer T> ? T : never

const opArb = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('ingest' as const),
      account: fc.nat(2),
      rows: fc.array(rowArb, { minLength: 1, maxLength: 6 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reread' as const), which: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('delete' as const),
      picks: fc.array(fc.nat(), { minLength: 1, maxLength: 4 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('deleteAccount' as const), account: fc.nat(2) }) },
)

const dayArb = fc.option(fc.integer({ min: -1, max: DAYS.length }), { nil: undefined })
const filterArb = fc.record({
  account: fc.option(fc.nat(2), { nil: undefined }),
  type: fc.option(fc.constantFrom<'CR' | 'DB'>('CR', 'DB'), { nil: undefined }),
  from: dayArb,
  to: dayArb,
  // Conditions the rollup cannot answer: the list then counts, leaving out deleted accounts its own way.
  description: fc.option(fc.constantFrom('budi', 'adm', ''), { nil: undefined }),
  amount: fc.option(fc.constantFrom(100000n, 1n), { nil: undefined }),
})

const dayName = (i: number) => new Date(Date.UTC(2026, 10, 9 + i)).toISOString().slice(0, 10)

function sourceRow(r: RowDraw): SourceRow {
  const pad = (n: number) => String(n).padStart(2, '0')
  const hms = `${pad(r.hour)}:${pad(Math.floor(r.second / 60))}:${pad(r.second % 60)}`
  return { date: `${DAYS[r.day]} ${hms}`, type: r.type, amount: r.amount, description: r.description }
}

/** The oracle: count(*) and sum(amount) over the table, with the lists' own meaning of the filter. */
async function counted(ws: Workspace, f: MootaMutationFilter) {
  const params: unknown[] = [ws.id]
  const where = ['m.workspace_id = $1', 'm.deleted_at is null', 'a.deleted_at is null']
  const add = (sql: string, v: unknown) => {
    params.push(v)
    where.push(sql.replace('?', `$${params.length}`))
  }
  if (f.account) add('m.account_id = ?', f.account.id)
  else where.push('not m.sandbox')
  if (f.type) add('m.direction = ?', f.type)
  if (f.from) add('m.occurred_at >= ?', dayStart(f.from))
  if (f.to) add('m.occurred_at < ?', dayEnd(f.to))
  if (f.description) add('m.description ilike ?', `%${f.description}%`)
  if (f.amount !== undefined) add('m.amount = ?', f.amount.toString())
  const rows = await t.db.query<{ direction: string; n: string; s: string }>(
    `select m.direction, count(*) as n, sum(m.amount) as s from mutations m join accounts a on a.id = m.account_id
     where ${where.join(' and ')} group by m.direction`,
    params,
  )
  const of = (d: string) => rows.find((r) => r.direction === d)
  return {
    creditCount: Number(of('CR')?.n ?? 0),
    creditAmount: BigInt(of('CR')?.s ?? 0),
    debitCount: Number(of('DB')?.n ?? 0),
    debitAmount: BigInt(of('DB')?.s ?? 0),
  }
}

describe('per-day rollup (property-based)', () => {
  it('totals and sums as counting does, after any ingests, re-reads, deletes and account deletes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(opArb, { minLength: 1, maxLength: 12 }),
        fc.array(filterArb, { minLength: 1, maxLength: 8 }),
        async (ops, filters) => {
          const ws = await seedWorkspace(t.db)
          const accounts: Account[] = [
            await seedAccount(t.db, ws),
            await seedAccount(t.db, ws, { bankType: 'bni' }),
            await seedAccount(t.db, ws, { bankType: 'sandbox' }),
          ]
          const deleted = new Set<number>()
          const batches: { account: number; rows: SourceRow[] }[] = []
          const ids: string[] = []
          for (const op of ops) {
            if (op.kind === 'ingest' || op.kind === 'reread') {
              const batch =
                op.kind === 'ingest'
                  ? { account: op.account, rows: op.rows.map(sourceRow) }
                  : batches[op.which % (batches.length || 1)]
              if (!batch || deleted.has(batch.account)) continue
              if (op.kind === 'ingest') batches.push(batch)
              const accountId = accounts[batch.account]!.publicId
              const r = await ingest(t.db, ws, { accountId, source: 'csv', rows: batch.rows })
              ids.push(...r.inserted.map((m) => m.publicId))
            } else if (op.kind === 'delete') {
              // Picks may repeat and may name rows deleted earlier: those must not be subtracted again.
              if (ids.length) await deleteMutations(t.db, ws, op.picks.map((p) => ids[p % ids.length]!))
            } else if (!deleted.has(op.account)) {
              await deleteAccount(t.db, ws, accounts[op.account]!.publicId)
              deleted.add(op.account)
            }
          }
          for (const g of filters) {
            const f: MootaMutationFilter = {
              ...(g.account === undefined ? {} : { account: { id: accounts[g.account]!.id } }),
              ...(g.type ? { type: g.type } : {}),
              ...(g.from === undefined ? {} : { from: dayName(g.from) }),
              ...(g.to === undefined ? {} : { to: dayName(g.to) }),
            }
            const expected = await counted(ws, f)
            const rollup = await dayCountTotals(t.db, ws, {
              ...(f.account ? { accountId: f.account.id } : {}),
              ...(f.type ? { type: f.type } : {}),
              ...(f.from ? { from: f.from } : {}),
              ...(f.to ? { to: f.to } : {}),
            })
            expect(rollup).toEqual(expected)
            expect(await summarizeMootaMutations(t.db, ws, f)).toMatchObject(expected)
            const listed: MootaMutationFilter = {
              ...f,
              ...(g.description === undefined ? {} : { description: g.description }),
              ...(g.amount === undefined ? {} : { amount: g.amount }),
            }
            const all = await counted(ws, listed)
            const page = await listMootaMutations(t.db, ws, listed, 1, 1)
            expect(page.total).toBe(all.creditCount + all.debitCount)
          }
          // Row for row, the rollup is what recounting the live mutations (deleted accounts' too) gives.
          const key = `account_id, ${wibDayOf('occurred_at')} as wib_date, direction, sandbox`
          expect(
            await t.db.query(
              `select account_id, wib_date, direction, sandbox, n, amount_sum from mutation_day_counts
               where workspace_id = $1 and n <> 0 order by 1, 2, 3, 4`,
              [ws.id],
            ),
          ).toEqual(
            await t.db.query(
              `select ${key}, count(*) as n, sum(amount)::bigint as amount_sum from mutations
               where workspace_id = $1 and deleted_at is null group by 1, 2, 3, 4 order by 1, 2, 3, 4`,
              [ws.id],
            ),
          )
        },
      ),
      { numRuns: 60 },
    )
  })
})
