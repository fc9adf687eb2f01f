/**
 * Which workspace a CLI command means when --workspace is left out: "default", or else the only workspace there
 * is, so a single-tenant install whose first workspace got another name needs no flag.
 */
import type { Sql } from '../db/db.ts'
import { AppError } from '../shared/errors.ts'
import {
  DEFAULT_WORKSPACE,
  findWorkspace,
  getWorkspace,
  listWorkspaceNames,
  type Workspace,
} from '../workspaces/workspaces.ts'

/** The named workspace, or the implied one; never creates a workspace. */
export async function resolveWorkspace(db: Sql, name: string | undefined): Promise<Workspace> {
  if (name !== undefined) return getWorkspace(db, name)
  const implied = await impliedWorkspaceName(db)
  if (implied === null)
    throw AppError.notFound(
      'there is no workspace yet; create one with: lunas user create --email E --password P',
    )
  return getWorkspace(db, implied)
}

/**
 * The workspace a new user joins when none is named: the implied one, or "default" (created by the caller) when
 * there is none yet.
 */
export async function workspaceForNewUser(db: Sql, name: string | undefined): Promise<string> {
  return name ?? (await impliedWorkspaceName(db)) ?? DEFAULT_WORKSPACE
}

async function impliedWorkspaceName(db: Sql): Promise<string | null> {
  if (await findWorkspace(db, DEFAULT_WORKSPACE)) return DEFAULT_WORKSPACE
  // Up to two names are enough to tell "none", "exactly one" and "several" apart.
  const names = await listWorkspaceNames(db, 2)
  if (names.length === 0) return null
  if (names.length > 1)
    throw AppError.validation(
      'there are several workspaces and none is named "default"; name one with --workspace',
      'workspace',
    )
  return names[0]!
}
