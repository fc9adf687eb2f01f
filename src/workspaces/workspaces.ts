/**
 * Workspaces are the tenants. Every function on tenant data takes a `Workspace` (obtained only from here or from
 * authentication) and every SQL statement on tenant tables filters by its id: scoping by construction.
 */
import type { Sql } from '../db/db.ts'
import { AppError } from '../shared/errors.ts'
import { newPublicId } from '../shared/ids.ts'
import type { Mode } from './mode.ts'

export interface Workspace {
  readonly id: string
  readonly publicId: string
  readonly name: string
  /** The mode the caller acts in (mode.ts); absent means live, as for the CLI and the workers. */
  readonly mode?: Mode
}

export const DEFAULT_WORKSPACE = 'default'

type WsRow = { id: string; public_id: string; name: string }
const toWorkspace = (r: WsRow): Workspace => ({ id: r.id, publicId: r.public_id, name: r.name })

export async function findWorkspace(db: Sql, name: string): Promise<Workspace | null> {
  const [row] = await db.query<WsRow>('select id, public_id, name from workspaces where name = $1', [name])
  return row ? toWorkspace(row) : null
}

export async function getWorkspace(db: Sql, name: string): Promise<Workspace> {
  const ws = await findWorkspace(db, name)
  if (!ws) throw AppError.notFound(`workspace "${name}" not found`)
  return ws
}

/** Returns the named workspace, creating it when missing (concurrent creators get the same row). */
export async function ensureWorkspace(db: Sql, name: string): Promise<Workspace> {
  if (!name.trim()) throw AppError.validation('workspace name must not be empty', 'workspace')
  await db.query('insert into workspaces (public_id, name) values ($1, $2) on conflict (name) do nothing', [
    newPublicId(),
    name.trim(),
  ])
  return getWorkspace(db, name.trim())
}

export async function workspaceById(db: Sql, id: string): Promise<Workspace> {
  const [row] = await db.query<WsRow>('select id, public_id, name from workspaces where id = $1', [id])
  if (!row) throw AppError.notFound('workspace not found')
  return toWorkspace(row)
}

/** Workspace names, oldest first, at most `limit`. */
export async function listWorkspaceNames(db: Sql, limit = 100): Promise<string[]> {
  const rows = await db.query<{ name: string }>('select name from workspaces order by id limit $1', [limit])
  return rows.map((r) => r.name)
}
