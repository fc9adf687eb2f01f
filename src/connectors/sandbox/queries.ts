/** The sandbox's SQL. */
import type { Sql } from '../../db/db.ts'
import type { Workspace } from '../../workspaces/workspaces.ts'

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
