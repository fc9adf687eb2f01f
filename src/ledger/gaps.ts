/**
 * The read side of balance gaps (written by queries.ts `recheckGaps` during ingestion): where an account's running
 * balance breaks, usually because a mutation was missed. Scoped to the workspace; gaps on deleted accounts or deleted
 * mutations are not shown.
 */
import type { Sql } from '../db/db.ts'
import { AppError } from '../shared/errors.ts'
import type { Sen } from '../shared/money.ts'
import { namedRows, unnamedRows } from '../workspaces/mode.ts'
import type { Workspace } from '../workspaces/workspaces.ts'

export interface BalanceGap {
  accountPublicId: string
  mutationPublicId: string
  previousPublicId: string
  /** The previous mutation's balance ± this mutation's amount. */
  expectedBalance: Sen
  /** What the source reported on this mutation. */
  reportedBalance: Sen
  /** When this mutation happened. */
  occurredAt: Date
  detectedAt: Date
  sandbox: boolean
}

type GapRow = {
  account: string
  mutation: string
  previous: string
  expected_balance: string
  reported_balance: string
  occurred_at: Date
  detected_at: Date
  sandbox: boolean
}

/**
 * Open gaps of the workspace, newest mutation first. `account` (public id) narrows to one account (not_found when
 * unknown); without it sandbox accounts are left out unless `includeSandbox`, as in the mutation list.
 */
export async function listGaps(
  db: Sql,
  ws: Workspace,
  f: { account?: string | undefined; includeSandbox?: boolean },
): Promise<BalanceGap[]> {
  let accountId: string | null = null
  if (f.account !== undefined) {
    const [account] = await db.query<{ id: string }>(
      `select id from accounts where workspace_id = $1 and public_id = $2 and deleted_at is null
         and ${namedRows(ws, 'sandbox')}`,
      [ws.id, f.account],
    )
    if (!account) throw new AppError('not_found', `account ${f.account} not found`, 'account')
    accountId = account.id
  }
  const rows = await db.query<GapRow>(
    `select a.public_id as account, m.public_id as mutation, p.public_id as previous,
       g.expected_balance, g.reported_balance, m.occurred_at, g.detected_at, a.sandbox
     from balance_gaps g
     join accounts a on a.id = g.account_id
     join mutations m on m.id = g.mutation_id
     join mutations p on p.id = g.previous_id
     where g.workspace_id = $1 and a.workspace_id = $1 and m.workspace_id = $1
       and a.deleted_at is null and m.deleted_at is null
       and ($2::bigint is null or g.account_id = $2)
       and ($2::bigint is not null or ${unnamedRows(ws, 'a.sandbox')} or $3) and ${namedRows(ws, 'a.sandbox')}
     order by m.occurred_at desc, m.id desc`,
    [ws.id, accountId, f.includeSandbox ?? false],
  )
  return rows.map((r) => ({
    accountPublicId: r.account,
    mutationPublicId: r.mutation,
    previousPublicId: r.previous,
    expectedBalance: BigInt(r.expected_balance),
    reportedBalance: BigInt(r.reported_balance),
    occurredAt: r.occurred_at,
    detectedAt: r.detected_at,
    sandbox: r.sandbox,
  }))
}
