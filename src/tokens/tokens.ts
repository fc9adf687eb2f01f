/**
 * Personal access tokens: shown once, stored as SHA-256, bound to one user in one workspace, with scopes
 * (Moota's: api = everything, plus user, user_read, bank, bank_read, mutation, mutation_read).
 */
import type { Sql } from '../db/db.ts'
import { AppError } from '../shared/errors.ts'
import { hashToken, newPublicId, newToken, TOKEN_PREFIX } from '../shared/ids.ts'
import { findUserByEmail, userWorkspaces } from '../users/users.ts'
import { getWorkspace, type Workspace } from '../workspaces/workspaces.ts'

export const SCOPES = ['api', 'user', 'user_read', 'bank', 'bank_read', 'mutation', 'mutation_read'] as const
export type Scope = (typeof SCOPES)[number]

export function parseScopes(input: string | readonly string[] | undefined): Scope[] {
  const list = (typeof input === 'string' ? input.split(',') : (input ?? ['api']))
    .map((s) => s.trim())
    .filter(Boolean)
  if (list.length === 0) return ['api']
  for (const s of list)
    if (!(SCOPES as readonly string[]).includes(s))
      throw AppError.validation(`unknown scope "${s}" (known: ${SCOPES.join(', ')})`, 'scopes')
  return [...new Set(list)] as Scope[]
}

/** True when `granted` allows `needed`: `api` allows everything, `x` allows `x_read`. */
export function hasScope(granted: readonly Scope[], needed: Scope): boolean {
  return (
    granted.includes('api') ||
    granted.includes(needed) ||
    (needed.endsWith('_read') && granted.includes(needed.slice(0, -5) as Scope))
  )
}

export interface CreateTokenParams {
  email: string
  /** Required when the user belongs to several workspaces. */
  workspace?: string
  scopes?: string | readonly string[]
  name?: string
}

export async function createToken(
  db: Sql,
  params: CreateTokenParams,
): Promise<IssuedToken> {
  const user = await findUserByEmail(db, params.email)
  if (!user) throw AppError.notFound(`user ${params.email} not found`)
  const memberOf = await userWorkspaces(db, user.id)
  let workspace: Workspace
  if (params.workspace) {
    workspace = await getWorkspace(db, params.workspace)
    if (!memberOf.some((w) => w.id === workspace.id))
      throw new AppError('forbidden', `user ${user.email} is not a member of workspace "${workspace.name}"`)
  } else if (memberOf.length === 1) {
    workspace = memberOf[0]!
  } else {
    throw AppError.validation(
      `user ${user.email} belongs to ${memberOf.length} workspaces; name one with --workspace`,
      'workspace',
    )
  }
  return issueToken(db, { userId: user.id, workspace, scopes: parseScopes(params.scopes), name: params.name })
}

export interface IssuedToken {
  token: string
  publicId: string
  workspace: Workspace
  scopes: Scope[]
}

/** Stores a new token's hash for a user already known to belong to `workspace`; the token itself is returned once. */
export async function issueToken(
  db: Sql,
  p: { userId: string; workspace: Workspace; scopes: Scope[]; name?: string },
): Promise<IssuedToken> {
  const token = newToken()
  const publicId = newPublicId()
  await db.query(
    `insert into api_tokens (public_id, workspace_id, user_id, name, token_hash, hint, scopes)
     values ($1, $2, $3, $4, $5, $6, $7)`,
    [publicId, p.workspace.id, p.userId, p.name ?? '', hashToken(token), token.slice(-4), p.scopes],
  )
  return { token, publicId, workspace: p.workspace, scopes: p.scopes }
}

/** Revokes one token of the workspace (logout revokes the token it was called with). */
export async function revokeToken(db: Sql, ws: Workspace, tokenId: string): Promise<void> {
  await db.query('update api_tokens set revoked_at = now() where workspace_id = $1 and id = $2 and revoked_at is null', [
    ws.id,
    tokenId,
  ])
}

export interface TokenPrincipal {
  tokenId: string
  userId: string
  workspace: Workspace
  scopes: Scope[]
}

/** Resolves a bearer token to its user and workspace, or null when unknown or revoked. */
export async function authenticateToken(db: Sql, token: string): Promise<TokenPrincipal | null> {
  if (!token.startsWith(TOKEN_PREFIX)) return null
  const [row] = await db.query<{
    id: string
    user_id: string
    scopes: Scope[]
    ws_id: string
    ws_public_id: string
    ws_name: string
    stale: boolean
  }>(
    `select t.id, t.user_id, t.scopes, w.id as ws_id, w.public_id as ws_public_id, w.name as ws_name,
       (t.last_used_at is null or t.last_used_at < now() - interval '1 minute') as stale
     from api_tokens t join workspaces w on w.id = t.workspace_id
     where t.token_hash = $1 and t.revoked_at is null`,
    [hashToken(token)],
  )
  if (!row) return null
  // "Last used" to the minute is enough, and keeps a read-only request from writing on every call.
  if (row.stale) await db.query('update api_tokens set last_used_at = now() where id = $1', [row.id])
  return {
    tokenId: row.id,
    userId: row.user_id,
    workspace: { id: row.ws_id, publicId: row.ws_public_id, name: row.ws_name },
    scopes: row.scopes,
  }
}
