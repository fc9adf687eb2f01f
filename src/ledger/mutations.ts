/** Shell functions on stored mutations other than ingestion. */
import type { Db } from '../db/db.ts'
import type { Workspace } from '../workspaces/workspaces.ts'
import { tombstoneMutations } from './queries.ts'

/**
 * Deletes mutations of the workspace; returns the ids actually deleted (unknown and other tenants' ids are ignored).
 * The accounts are locked first, as ingest locks its account before it touches the per-day rollup: without that, a
 * long ingest holding a rollup row and waiting on a row this delete tombstoned (a re-read of it) could deadlock with
 * this delete waiting on that rollup row.
 */
export function deleteMutations(db: Db, ws: Workspace, publicIds: readonly string[]): Promise<string[]> {
  return db.tx(async (tx) => {
    await tx.query(
      `select a.id from accounts a
       where a.workspace_id = $1
         and a.id in (select m.account_id from mutations m where m.workspace_id = $1 and m.public_id = any($2::text[]))
       order by a.id for update`,
      [ws.id, publicIds],
    )
    return tombstoneMutations(tx, ws, publicIds)
  })
}
