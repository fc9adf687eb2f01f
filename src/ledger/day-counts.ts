/**
 * The per-day rollup behind exact totals (migrations/0007_mutation_counts.sql): live mutations counted and summed per
 * (workspace, account, WIB day, direction, sandbox). Moota's paged list must return an exact `total`, and count(*)
 * over a year of mutations costs seconds where summing the rollup costs well under a millisecond.
 *
 * It stays exact because every statement that changes the live set changes the rollup in the same statement:
 * ingest adds what it inserted (queries.ts insertMutations), a tombstone subtracts what it deleted (queries.ts
 * tombstoneMutations). A deleted account keeps its rollup rows as it keeps its mutations; readers join accounts and
 * skip deleted ones, exactly as the lists do, so an account delete needs no maintenance (and an ingest racing it cannot
 * leave a stale row behind). `sandbox` never changes after insert.
 */
import type { Db, Sql } from '../db/db.ts'
import { unnamedRows } from '../workspaces/mode.ts'
import type { Workspace } from '../workspaces/workspaces.ts'

/**
 * The WIB day (UTC+7, no daylight saving) of a timestamptz expression. Computed from the instant itself, so it has the
 * same boundaries as the lists' date filter (where.ts dayStart/dayEnd) whatever the session time zone.
 */
export const wibDayOf = (ts: string): string => `((${ts} at time zone 'UTC') + interval '7 hours')::date`

/**
 * A data-modifying statement (for a CTE) that adds (`sign` 1) or removes (-1) the rows of `source` to or from the
 * rollup. `source` names a CTE with workspace_id, account_id, occurred_at, direction, sandbox and amount. Keys are
 * upserted in key order, so two statements touching the same days lock them in the same order.
 */
export function bumpDayCounts(source: string, sign: 1 | -1): string {
  const s = sign < 0 ? '-' : ''
  return `insert into mutation_day_counts as c (workspace_id, account_id, wib_date, direction, sandbox, n, amount_sum)
     select workspace_id, account_id, ${wibDayOf('occurred_at')}, direction, sandbox, ${s}count(*), ${s}sum(amount)
     from ${source} group by 1, 2, 3, 4, 5 order by 1, 2, 3, 4, 5
     on conflict (workspace_id, account_id, wib_date, direction, sandbox) do update
       set n = c.n + excluded.n, amount_sum = c.amount_sum + excluded.amount_sum`
}

/** What the rollup can answer: account, direction and whole WIB days. */
export interface DayCountFilter {
  /** An account of the workspace; its sandbox rows are then included, otherwise sandbox rows are left out. */
  accountId?: string
  type?: 'CR' | 'DB'
  /** First WIB day included, `YYYY-MM-DD`. */
  from?: string
  /** Last WIB day included, `YYYY-MM-DD`. */
  to?: string
}

export interface DayCountTotals {
  creditCount: number
  creditAmount: bigint
  debitCount: number
  debitAmount: bigint
}

/**
 * Counts and sums of the workspace's live mutations (of live accounts) matching `f`, from the rollup: the same
 * numbers as count(*) and sum(amount) over `mutations m join accounts a` with the lists' WHERE clause.
 */
export async function dayCountTotals(db: Sql, ws: Workspace, f: DayCountFilter): Promise<DayCountTotals> {
  const params: unknown[] = [ws.id]
  const where = ['c.workspace_id = $1', 'a.deleted_at is null']
  const add = (sql: (p: string) => string, value: unknown) => {
    params.push(value)
    where.push(sql(`$${params.length}`))
  }
  if (f.accountId) add((p) => `c.account_id = ${p}`, f.accountId)
  else where.push(unnamedRows(ws, 'c.sandbox'))
  if (f.type) add((p) => `c.direction = ${p}`, f.type)
  if (f.from) add((p) => `c.wib_date >= ${p}::date`, f.from)
  if (f.to) add((p) => `c.wib_date <= ${p}::date`, f.to)
  const [row] = await db.query<{ cr_n: string; cr_sum: string; db_n: string; db_sum: string }>(
    `select coalesce(sum(c.n) filter (where c.direction = 'CR'), 0) as cr_n,
            coalesce(sum(c.amount_sum) filter (where c.direction = 'CR'), 0) as cr_sum,
            coalesce(sum(c.n) filter (where c.direction = 'DB'), 0) as db_n,
            coalesce(sum(c.amount_sum) filter (where c.direction = 'DB'), 0) as db_sum
     from mutation_day_counts c join accounts a on a.id = c.account_id
     where ${where.join(' and ')}`,
    params,
  )
  return {
    creditCount: Number(row!.cr_n),
    creditAmount: BigInt(row!.cr_sum),
    debitCount: Number(row!.db_n),
    debitAmount: BigInt(row!.db_sum),
  }
}

/**
 * Recomputes the workspace's rollup from its mutations: for loaders that write `mutations` directly (the bench seed).
 * The application's own writes keep it exact as they go and never need this.
 */
export function rebuildDayCounts(db: Db, ws: Workspace): Promise<void> {
  return db.tx(async (tx) => {
    await tx.query('delete from mutation_day_counts where workspace_id = $1', [ws.id])
    await tx.query(
      `with live as (select workspace_id, account_id, occurred_at, direction, sandbox, amount from mutations
                     where workspace_id = $1 and deleted_at is null)
       ${bumpDayCounts('live', 1)}`,
      [ws.id],
    )
  })
}
