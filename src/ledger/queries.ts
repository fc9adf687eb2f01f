/** The ledger's SQL, all in one place. Every statement on tenant data filters by workspace. */
import type { Sql } from '../db/db.ts'
import { namedRows } from '../workspaces/mode.ts'
import type { Workspace } from '../workspaces/workspaces.ts'
import { bumpDayCounts } from './day-counts.ts'
import type { PreparedRow } from './ingest.ts'
import type { StoredMutation } from './types.ts'

type MutationRow = {
  id: string
  public_id: string
  occurred_at: Date
  direction: 'CR' | 'DB'
  amount: string
  description: string
  balance: string | null
}

const toStored = (r: MutationRow): StoredMutation => ({
  id: r.id,
  publicId: r.public_id,
  occurredAt: r.occurred_at,
  direction: r.direction,
  amount: BigInt(r.amount),
  description: r.description,
  balance: r.balance === null ? null : BigInt(r.balance),
})

export async function lockAccount(tx: Sql, ws: Workspace, accountId: string): Promise<void> {
  await tx.query('select id from accounts where workspace_id = $1 and id = $2 for update', [ws.id, accountId])
}

export interface InsertMutationsParams {
  workspaceId: string
  accountId: string
  source: string
  sandbox: boolean
  syncRunId: string | null
  readAt: Date
  /** Type of the outbox event written for each new mutation. */
  eventType: string
  rows: PreparedRow[]
}

/**
 * Inserts the rows whose identity the account has not seen (tombstones included), counts them into the per-day
 * rollup and writes one outbox event per inserted row, returning the inserted rows in batch order. One statement over
 * unnest()ed arrays: one round trip, fast on both engines, and a fixed number of parameters whatever the batch size.
 */
export async function insertMutations(tx: Sql, p: InsertMutationsParams): Promise<StoredMutation[]> {
  const col = <T>(f: (r: InsertMutationsParams['rows'][number]) => T) => p.rows.map(f)
  const rows = await tx.query<MutationRow & { ord: string }>(
    `with input as (
       select * from unnest($1::text[], $2::text[], $3::timestamptz[], $4::date[], $5::int[], $6::text[],
                            $7::bigint[], $8::text[], $9::bigint[], $10::text[], $11::text[], $12::text[],
                            $19::text[])
         with ordinality as t(public_id, identity, occurred_at, wib_date, position, direction, amount,
                              description, balance, reference, note, raw, event_public_id, ord)
     ),
     stored as (
     insert into mutations as m (public_id, workspace_id, account_id, identity, occurred_at, wib_date, position,
       direction, amount, description, balance, reference, note, raw, source, sandbox, sync_run_id, read_at)
     select public_id, $13, $14, identity, occurred_at, wib_date, position, direction, amount, description, balance,
       reference, note, raw::jsonb, $15, $16, $17, $18
     from input order by ord
     on conflict (account_id, identity) do nothing
     returning m.id, m.public_id, m.occurred_at, m.direction, m.amount, m.description, m.balance, m.workspace_id,
       m.account_id, m.sandbox
     ),
     -- The per-day rollup behind exact list totals (day-counts.ts), in the same statement as the rows it counts.
     counted as (${bumpDayCounts('stored', 1)}),
     -- The workspace's event counter, bumped once for the batch; its row lock is held to commit, so events become
     -- visible in seq order (the /v1 events feed relies on it).
     bump as (
       update workspaces set event_seq = event_seq + (select count(*) from stored)
       where id = $13 and exists (select 1 from stored)
       returning event_seq - (select count(*) from stored) as base
     ),
     announced as (
       insert into events (public_id, workspace_id, type, account_id, mutation_id, sandbox, seq)
       select i.event_public_id, $13, $20, $14, s.id, $16, bump.base + row_number() over (order by s.id)
       from stored s join input i on i.public_id = s.public_id cross join bump
     )
     select * from stored`,
    [
      col((r) => r.publicId),
      col((r) => r.identity),
      col((r) => r.occurredAt.toISOString()),
      col((r) => r.wibDate),
      col((r) => r.position),
      col((r) => r.direction),
      col((r) => r.amount.toString()),
      col((r) => r.description),
      col((r) => (r.balance === null ? null : r.balance.toString())),
      col((r) => r.reference),
      col((r) => r.note),
      col((r) => r.rawJson),
      p.workspaceId,
      p.accountId,
      p.source,
      p.sandbox,
      p.syncRunId,
      p.readAt.toISOString(),
      col((r) => r.eventPublicId),
      p.eventType,
    ],
  )
  // RETURNING order is not guaranteed; ids are assigned in insert order, which follows `ord`.
  return rows.map(toStored).sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1))
}

/**
 * Re-checks the running balance around newly stored rows: from the last balance-bearing mutation before the
 * earliest new row to the first one after the latest. Each mutation whose reported balance differs from
 * previous ± amount is (re)recorded as a gap; gaps in that window that now add up (a missing row arrived) are cleared.
 * Returns the number of open gaps on the account.
 */
export async function recheckGaps(
  tx: Sql,
  ws: Workspace,
  accountId: string,
  inserted: StoredMutation[],
): Promise<number> {
  let lo = inserted[0]!.occurredAt
  let hi = lo
  for (const m of inserted) {
    if (m.occurredAt < lo) lo = m.occurredAt
    if (m.occurredAt > hi) hi = m.occurredAt
  }
  const params = [ws.id, accountId, lo.toISOString(), hi.toISOString()]
  const window = `
    bounds as (
      select coalesce((select max(occurred_at) from mutations where workspace_id = $1 and account_id = $2
                        and balance is not null and deleted_at is null and occurred_at < $3::timestamptz), $3::timestamptz) as lo,
             coalesce((select min(occurred_at) from mutations where workspace_id = $1 and account_id = $2
                        and balance is not null and deleted_at is null and occurred_at > $4::timestamptz), $4::timestamptz) as hi
    ),
    win as (
      select m.id, m.balance,
             lag(m.balance) over w + case when m.direction = 'CR' then m.amount else -m.amount end as expected,
             lag(m.id) over w as previous_id
      from mutations m, bounds
      where m.workspace_id = $1 and m.account_id = $2 and m.balance is not null and m.deleted_at is null
        and m.occurred_at between bounds.lo and bounds.hi
      window w as (order by m.occurred_at, m.position, m.id)
    )`
  // One statement: stale gaps in the window are deleted and current ones upserted (disjoint rows, so the two
  // sub-statements cannot collide), and the count is computed from the same snapshot.
  const [row] = await tx.query<{ n: string }>(
    `with ${window},
     recomputed as (select id, previous_id, expected, balance from win where previous_id is not null),
     cleared as (
       delete from balance_gaps g using recomputed r
       where g.workspace_id = $1 and g.mutation_id = r.id and r.expected = r.balance
     ),
     found as (
       insert into balance_gaps (workspace_id, account_id, mutation_id, previous_id, expected_balance, reported_balance)
       select $1, $2, id, previous_id, expected, balance from recomputed where expected <> balance
       on conflict (mutation_id) do update set previous_id = excluded.previous_id,
         expected_balance = excluded.expected_balance, reported_balance = excluded.reported_balance
     )
     select (select count(*) from balance_gaps g where g.workspace_id = $1 and g.account_id = $2
               and g.mutation_id not in (select id from recomputed))
          + (select count(*) from recomputed where expected <> balance) as n`,
    params,
  )
  return Number(row!.n)
}

/** Open balance gaps on an account. */
export async function countGaps(tx: Sql, ws: Workspace, accountId: string): Promise<number> {
  const [row] = await tx.query<{ n: string }>(
    'select count(*) as n from balance_gaps where workspace_id = $1 and account_id = $2',
    [ws.id, accountId],
  )
  return Number(row!.n)
}

/**
 * Soft-deletes mutations: the row stays as a tombstone so a re-read of its day does not bring it back. The same
 * statement takes them out of the per-day rollup; a row already deleted (here or by a concurrent call) is not
 * returned by the update, so it is never subtracted twice.
 */
export async function tombstoneMutations(
  tx: Sql,
  ws: Workspace,
  publicIds: readonly string[],
): Promise<string[]> {
  const rows = await tx.query<{ public_id: string }>(
    `with gone as (
       update mutations set deleted_at = now(), updated_at = now()
       where workspace_id = $1 and public_id = any($2::text[]) and deleted_at is null and ${namedRows(ws, 'sandbox')}
       returning public_id, workspace_id, account_id, occurred_at, direction, sandbox, amount
     ),
     counted as (${bumpDayCounts('gone', -1)})
     select public_id from gone`,
    [ws.id, publicIds],
  )
  return rows.map((r) => r.public_id)
}

/**
 * The balance (sen) reported by the account's latest mutation that has one, at or before `at` when given, in the
 * ledger's order (occurred_at, position, id); 0 when there is none.
 */
export async function latestBalance(db: Sql, ws: Workspace, accountId: string, at?: Date): Promise<bigint> {
  const [row] = await db.query<{ balance: string }>(
    `select balance from mutations
     where workspace_id = $1 and account_id = $2 and balance is not null and deleted_at is null
       and ($3::timestamptz is null or occurred_at <= $3::timestamptz)
     order by occurred_at desc, position desc, id desc limit 1`,
    [ws.id, accountId, at ? at.toISOString() : null],
  )
  return row ? BigInt(row.balance) : 0n
}
