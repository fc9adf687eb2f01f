/**
 * Each path that changes the live set of mutations keeps the per-day rollup exact: ingest (and its re-reads),
 * tombstones (once, even when two deletes race), account deletes (by how readers join accounts), sandbox rows, the
 * migration's backfill and the bench seed's rebuild.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPgDatabase, openTestDb, TEST_PG_URL, type TestDb } from '../../test/db.ts'
import { seedAccount, seedWorkspace } from '../../test/fixtures.ts'
import { deleteAccount } from '../accounts/accounts.ts'
import type { Db } from '../db/db.ts'
import { listMigrations, migrate } from '../db/migrate.ts'
import { openPglite } from '../db/pglite.ts'
import { openPostgres } from '../db/postgres.ts'
import type { Workspace } from '../workspaces/workspaces.ts'
import { dayCountTotals, rebuildDayCounts } from './day-counts.ts'
import { ingest } from './ingest.ts'
import { listMootaMutations, summarizeMootaMutations } from './moota-list.ts'
import { deleteMutations } from './mutations.ts'

let t: TestDb
beforeAll(async () => {
  t = await openTestDb()
})
afterAll(() => t.close())

type DayRow = { wib_date: string; direction: string; sandbox: boolean; n: string; amount_sum: string }

/** The workspace's rollup rows, as text (dates as WIB days). */
async function rollup(db: Db, ws: Workspace): Promise<DayRow[]> {
  return db.query<DayRow>(
    `select to_char(wib_date, 'YYYY-MM-DD') as wib_date, direction, sandbox, n::text, amount_sum::text
     from mutation_day_counts where workspace_id = $1 order by account_id, wib_date, direction`,
    [ws.id],
  )
}

/** The same rows recounted from the live mutations. */
async function recounted(db: Db, ws: Workspace): Promise<DayRow[]> {
  return db.query<DayRow>(
    `select to_char((occurred_at at time zone 'Asia/Jakarta')::date, 'YYYY-MM-DD') as wib_date, direction::text,
       sandbox, count(*)::text as n, sum(amount)::text as amount_sum
     from mutations where workspace_id = $1 and deleted_at is null
     group by account_id, 1, 2, 3 order by account_id, 1, 2`,
    [ws.id],
  )
}

describe('per-day rollup maintenance', () => {
  it('counts ingested rows into their WIB day (not the UTC one), and a re-read adds nothing', async () => {
    const ws = await seedWorkspace(t.db)
    const acc = await seedAccount(t.db, ws)
    const rows = [
      // 23:59:59 WIB on the 9th and 00:00 WIB on the 10th: one second apart, two WIB days, the same UTC day.
      { date: '2026-11-09 23:59:59', type: 'CR' as const, amount: '1000.50', description: 'A' },
      { date: '2026-11-10 00:00:00', type: 'CR' as const, amount: '2000', description: 'B' },
      // 06:59 and 07:00 WIB: either side of UTC midnight, the same WIB day.
      { date: '2026-11-10 06:59:59', type: 'DB' as const, amount: '300', description: 'C' },
      { date: '2026-11-10T00:00:00Z', type: 'DB' as const, amount: '400', description: 'D' },
    ]
    await ingest(t.db, ws, { accountId: acc.publicId, source: 'csv', rows })
    const expected = [
      { wib_date: '2026-11-09', direction: 'CR', sandbox: false, n: '1', amount_sum: '100050' },
      { wib_date: '2026-11-10', direction: 'CR', sandbox: false, n: '1', amount_sum: '200000' },
      { wib_date: '2026-11-10', direction: 'DB', sandbox: false, n: '2', amount_sum: '70000' },
    ]
    expect(await rollup(t.db, ws)).toEqual(expected)
    await ingest(t.db, ws, { accountId: acc.publicId, source: 'csv', rows })
    expect(await rollup(t.db, ws)).toEqual(expected)
    expect((await listMootaMutations(t.db, ws, { from: '2026-11-10', to: '2026-11-10' }, 1, 10)).total).toBe(3)
    expect((await listMootaMutations(t.db, ws, { to: '2026-11-09' }, 1, 10)).total).toBe(1)
  })

  it('takes a tombstoned mutation out once, however often (and however concurrently) it is deleted', async () => {
    const ws = await seedWorkspace(t.db)
    const acc = await seedAccount(t.db, ws)
    const r = await ingest(t.db, ws, {
      accountId: acc.publicId,
      source: 'csv',
      rows: [
        { date: '2026-11-10 10:00:00', type: 'CR', amount: '1000', description: 'A' },
        { date: '2026-11-10 11:00:00', type: 'CR', amount: '250', description: 'B' },
        { date: '2026-11-11 11:00:00', type: 'CR', amount: '5', description: 'C' },
      ],
    })
    const [a, b] = r.inserted.map((m) => m.publicId) as [string, string]
    // On PostgreSQL these run on separate connections; the loser's update finds the row already deleted.
    const deleted = await Promise.all([deleteMutations(t.db, ws, [a, b]), deleteMutations(t.db, ws, [a])])
    expect(deleted.flat().sort()).toEqual([a, b].sort())
    await deleteMutations(t.db, ws, [a, b])
    expect(await rollup(t.db, ws)).toEqual([
      { wib_date: '2026-11-10', direction: 'CR', sandbox: false, n: '0', amount_sum: '0' },
      { wib_date: '2026-11-11', direction: 'CR', sandbox: false, n: '1', amount_sum: '500' },
    ])
    expect(await summarizeMootaMutations(t.db, ws, {})).toMatchObject({ creditCount: 1, creditAmount: 500n })
  })

  it('leaves a deleted account out of totals and summaries, as the lists leave out its mutations', async () => {
    const ws = await seedWorkspace(t.db)
    const kept = await seedAccount(t.db, ws)
    const gone = await seedAccount(t.db, ws)
    for (const [acc, amount] of [
      [kept, '100'],
      [gone, '7'],
    ] as const)
      await ingest(t.db, ws, {
        accountId: acc.publicId,
        source: 'csv',
        rows: [{ date: '2026-11-10', type: 'CR', amount, description: 'X' }],
      })
    expect((await listMootaMutations(t.db, ws, {}, 1, 10)).total).toBe(2)
    await deleteAccount(t.db, ws, gone.publicId)
    const list = await listMootaMutations(t.db, ws, {}, 1, 10)
    expect(list.total).toBe(1)
    expect(list.rows).toHaveLength(1)
    expect(await summarizeMootaMutations(t.db, ws, {})).toMatchObject({ creditCount: 1, creditAmount: 10000n })
    expect((await listMootaMutations(t.db, ws, { account: { id: gone.id } }, 1, 10)).total).toBe(0)
    // Its rollup rows stay, as its mutations do.
    expect(await rollup(t.db, ws)).toEqual(await recounted(t.db, ws))
  })

  it('keeps sandbox rows apart: out of workspace totals, in when their account is named', async () => {
    const ws = await seedWorkspace(t.db)
    const real = await seedAccount(t.db, ws)
    const sandbox = await seedAccount(t.db, ws, { bankType: 'sandbox' })
    for (const acc of [real, sandbox])
      await ingest(t.db, ws, {
        accountId: acc.publicId,
        source: 'csv',
        rows: [{ date: '2026-11-10', type: 'DB', amount: '3', description: 'X' }],
      })
    expect(await rollup(t.db, ws)).toEqual([
      { wib_date: '2026-11-10', direction: 'DB', sandbox: false, n: '1', amount_sum: '300' },
      { wib_date: '2026-11-10', direction: 'DB', sandbox: true, n: '1', amount_sum: '300' },
    ])
    expect(await dayCountTotals(t.db, ws, {})).toMatchObject({ debitCount: 1 })
    expect(await dayCountTotals(t.db, ws, { accountId: sandbox.id })).toMatchObject({ debitCount: 1 })
    expect((await listMootaMutations(t.db, ws, { account: { id: sandbox.id } }, 1, 10)).total).toBe(1)
  })

  it('counts only the workspace asked about', async () => {
    const ws = await seedWorkspace(t.db)
    const other = await seedWorkspace(t.db)
    await ingest(t.db, other, {
      accountId: (await seedAccount(t.db, other)).publicId,
      source: 'csv',
      rows: [{ date: '2026-11-10', type: 'CR', amount: '1', description: 'X' }],
    })
    expect(await dayCountTotals(t.db, ws, {})).toEqual({
      creditCount: 0,
      creditAmount: 0n,
      debitCount: 0,
      debitAmount: 0n,
    })
  })

  it('falls back to counting for filters the rollup cannot answer, with the same meaning', async () => {
    const ws = await seedWorkspace(t.db)
    const acc = await seedAccount(t.db, ws)
    await ingest(t.db, ws, {
      accountId: acc.publicId,
      source: 'csv',
      rows: [
        { date: '2026-11-10', type: 'CR', amount: '1', description: 'TRSF BUDI' },
        { date: '2026-11-10', type: 'CR', amount: '2', description: 'TRSF SITI' },
      ],
    })
    // A stale rollup row would show in a rollup-answered total, never in a counted one.
    await t.db.query('update mutation_day_counts set n = n + 10 where workspace_id = $1', [ws.id])
    expect((await listMootaMutations(t.db, ws, {}, 1, 10)).total).toBe(12)
    expect((await listMootaMutations(t.db, ws, { description: 'budi' }, 1, 10)).total).toBe(1)
    expect((await listMootaMutations(t.db, ws, { amount: 200n }, 1, 10)).total).toBe(1)
    expect((await listMootaMutations(t.db, ws, { description: '' }, 1, 10)).total).toBe(12)
  })

  it('is rebuilt from the mutations for loaders that bypass the ledger (the bench seed)', async () => {
    const ws = await seedWorkspace(t.db)
    const acc = await seedAccount(t.db, ws)
    const r = await ingest(t.db, ws, {
      accountId: acc.publicId,
      source: 'csv',
      rows: [
        { date: '2026-11-10', type: 'CR', amount: '1', description: 'A' },
        { date: '2026-11-11', type: 'DB', amount: '2', description: 'B' },
      ],
    })
    await deleteMutations(t.db, ws, [r.inserted[0]!.publicId])
    await t.db.query('update mutation_day_counts set n = 99 where workspace_id = $1', [ws.id])
    await rebuildDayCounts(t.db, ws)
    expect(await rollup(t.db, ws)).toEqual(await recounted(t.db, ws))
  })
})

/** A database migrated up to `version` only, on the suite's engine. */
async function openAt(version: number): Promise<{ db: Db; close: () => Promise<void> }> {
  const upTo = listMigrations().filter((m) => m.version <= version)
  if (TEST_PG_URL) {
    const { url, drop } = await createPgDatabase()
    const db = openPostgres(url, 2)
    await migrate(db, upTo)
    return { db, close: async () => (await db.close(), await drop()) }
  }
  const db = await openPglite(null)
  await migrate(db, upTo)
  return { db, close: () => db.close() }
}

describe('migration 0007', () => {
  it('backfills the rollup from the live mutations already stored', async () => {
    const old = await openAt(6)
    try {
      const ws = await seedWorkspace(old.db)
      const acc = await seedAccount(old.db, ws)
      const sandbox = await seedAccount(old.db, ws, { bankType: 'sandbox' })
      // Written as 0006's ingest did (no rollup yet): two rows either side of WIB midnight, a tombstone, a sandbox row.
      const rows: [string, string, string, string, boolean, boolean][] = [
        [acc.id, '2026-11-09T16:59:59Z', 'CR', '100', false, false],
        [acc.id, '2026-11-09T17:00:00Z', 'CR', '200', false, false],
        [acc.id, '2026-11-09T17:00:01Z', 'DB', '50', false, true],
        [sandbox.id, '2026-11-09T18:00:00Z', 'CR', '7', true, false],
      ]
      for (const [i, [accountId, at, direction, amount, isSandbox, deleted]] of rows.entries())
        await old.db.query(
          `insert into mutations (public_id, workspace_id, account_id, identity, occurred_at, wib_date, position,
             direction, amount, description, source, raw, sandbox, deleted_at)
           values ($1, $2, $3, $1, $4, ($4::timestamptz at time zone 'Asia/Jakarta')::date, $5, $6, $7, 'X', 'csv',
             '{}', $8, case when $9::boolean then now() end)`,
          [`backfill${i}`.padEnd(11, '0'), ws.id, accountId, at, i, direction, amount, isSandbox, deleted],
        )
      expect(await migrate(old.db)).toContain('0007_mutation_counts')
      expect(await rollup(old.db, ws)).toEqual([
        { wib_date: '2026-11-09', direction: 'CR', sandbox: false, n: '1', amount_sum: '100' },
        { wib_date: '2026-11-10', direction: 'CR', sandbox: false, n: '1', amount_sum: '200' },
        { wib_date: '2026-11-10', direction: 'CR', sandbox: true, n: '1', amount_sum: '7' },
      ])
      expect((await listMootaMutations(old.db, ws, { from: '2026-11-10' }, 1, 10)).total).toBe(1)
    } finally {
      await old.close()
    }
  })
})
