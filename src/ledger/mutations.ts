/** Shell functions on stored mutations other than ingestion. */
import type { Sql } from '../db/db.ts'
import type { Workspace } from '../workspaces/workspaces.ts'
import { tombstoneMutations } from './queries.ts'

/** Deletes mutations of the workspace; returns the ids actually deleted (unknown and other tenants' ids are ignored). */
export function deleteMutations(db: Sql, ws: Workspace, publicIds: readonly string[]): Promise<string[]> {
  return tombstoneMutations(db, ws, publicIds)
}
