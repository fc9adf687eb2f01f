/**
 * Personal access tokens: shown once, stored as SHA-256, bound to one user in one workspace, with scopes
 * (Moota's: api = everything, plus user, user_read, bank, bank_read, mutation, mutation_read).
 */
import type { Sql } from '../db/db.ts'
import { AppError } from '../shared/errors.ts'
import { hashToken, newPublicId, newToken, TOKEN_PREFIX } from '../shared/ids.ts'
import { findUserByEmail, userWorkspaces } from '../users/users.ts'
import { inMode, type Mode, modeOf, parseMode } from '../workspaces/mode.ts'
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
  /** `live` (the default, what Moota's login issues) or `sandbox` (mode.ts). */
  mode?: string
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
  const scopes = parseScopes(params.scopes)
  return issueToken(db, { userId: user.id, workspace, scopes, name: params.name, mode: parseMode(params.mode) })
}

export interface IssuedToken {
  token: string
  publicId: string
  workspace: Workspace
  scopes: Scope[]
  mode: Mode
}

/** Stores a new token's hash for a user already known to belong to `workspace`; the token itself is returned once. */
export async function issueToken(
  db: Sql,
  p: { userId: string; workspace: Workspace; scopes: Scope[]; name?: string; mode?: Mode },
): Promise<IssuedToken> {
  const token = newToken()
  const publicId = newPublicId()
  const mode = p.mode ?? 'live'
  await db.query(
    `insert into api_tokens (public_id, workspace_id, user_id, name, token_hash, hint, scopes, mode)
     values ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [publicId, p.workspace.id, p.userId, p.name ?? '', hashToken(token), token.slice(-4), p.scopes, mode],
  )
  return { token, publicId, workspace: inMode(p.workspace, mode), scopes: p.scopes, mode }
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
  /** The token's workspace, acting in the token's mode (`workspace.mode`). */
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
    mode: Mode
    ws_id: string
    ws_public_id: string
    ws_name: string
    stale: boolean
  }>(
    `select t.id, t.user_id, t.scopes, t.mode, w.id as ws_id, w.public_id as ws_public_id, w.name as ws_name,
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
    workspace: { id: row.ws_id, publicId: row.ws_public_id, name: row.ws_name, mode: row.mode },
    scopes: row.scopes,
  }
}

/** A token as lists show it: never the token itself nor its hash, only the last four characters as a hint. */
export interface ListedToken {
  publicId: string
  name: string
  /** `…` and the token's last four characters, e.g. `…a1B2`. */
  hint: string
  scopes: Scope[]
  mode: Mode
  createdAt: Date
  lastUsedAt: Date | null
  revokedAt: Date | null
  userEmail: string
}

interface TokenRow {
  public_id: string
  name: string
  hint: string
  scopes: Scope[]
  mode: Mode
  created_at: Date
  last_used_at: Date | null
  revoked_at: Date | null
  email: string
}

// Named columns only: token_hash is never selected, so it cannot leak through a list by accident.
const LISTED_COLUMNS =
  't.public_id, t.name, t.hint, t.scopes, t.mode, t.created_at, t.last_used_at, t.revoked_at, u.email'

function toListed(r: TokenRow): ListedToken {
  return {
    publicId: r.public_id,
    name: r.name,
    hint: `…${r.hint}`,
    scopes: r.scopes,
    mode: r.mode,
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
    revokedAt: r.revoked_at,
    userEmail: r.email,
  }
}

// A sandbox-mode caller sees sandbox tokens only; a live one sees them all, each with its mode.
const modeCondition = (ws: Workspace) => (modeOf(ws) === 'sandbox' ? "t.mode = 'sandbox'" : 'true')

/** The workspace's tokens (revoked ones included, marked), oldest first; optionally only one user's. */
export async function listTokens(db: Sql, ws: Workspace, filter: { userId?: string } = {}): Promise<ListedToken[]> {
  const rows = await db.query<TokenRow & Record<string, unknown>>(
    `select ${LISTED_COLUMNS}
     from api_tokens t join users u on u.id = t.user_id
     where t.workspace_id = $1 and ($2::bigint is null or t.user_id = $2::bigint) and ${modeCondition(ws)}
     order by t.created_at, t.id`,
    [ws.id, filter.userId ?? null],
  )
  return rows.map(toListed)
}

/** One token of the workspace by its public id; `not_found` when it is not this workspace's. */
export async function getTokenById(db: Sql, ws: Workspace, publicId: string): Promise<ListedToken> {
  const [row] = await db.query<TokenRow & Record<string, unknown>>(
    `select ${LISTED_COLUMNS}
     from api_tokens t join users u on u.id = t.user_id
     where t.workspace_id = $1 and t.public_id = $2 and ${modeCondition(ws)}`,
    [ws.id, publicId],
  )
  if (!row) throw tokenNotFound(publicId)
  return toListed(row)
}

// The same answer for another workspace's token as for one that never existed.
const tokenNotFound = (publicId: string) => AppError.notFound(`token ${publicId} not found`)

/**
 * Revokes a token of the workspace by its public id. Revoking an already revoked token succeeds (it stays revoked,
 * with its first revocation time); a token of another workspace is `not_found`, exactly like an unknown id. With
 * `onlyUser`, a token of another user is refused (`forbidden`): see `revokeTokenFor`.
 */
export async function revokeTokenById(
  db: Sql,
  ws: Workspace,
  publicId: string,
  onlyUser?: string,
): Promise<void> {
  const [row] = await db.query<{ id: string; user_id: string }>(
    `select t.id, t.user_id from api_tokens t where t.workspace_id = $1 and t.public_id = $2 and ${modeCondition(ws)}`,
    [ws.id, publicId],
  )
  if (!row) throw tokenNotFound(publicId)
  if (onlyUser !== undefined && row.user_id !== onlyUser)
    throw new AppError('forbidden', "only a token with the api scope may revoke another user's token")
  await db.query('update api_tokens set revoked_at = coalesce(revoked_at, now()) where id = $1', [row.id])
}

/**
 * A token revoking a token: its own user's, or with the `api` scope any of the workspace (the teams issue narrows
 * this to owners). Until then a `user` token must not be able to switch off another member's integration.
 */
export function revokeTokenFor(db: Sql, principal: TokenPrincipal, publicId: string): Promise<void> {
  const onlyUser = principal.scopes.includes('api') ? undefined : principal.userId
  return revokeTokenById(db, principal.workspace, publicId, onlyUser)
}

/**
 * A token creating another token: bound to the caller's user and workspace, and with no scope the caller lacks
 * (`api` grants all). Without scopes the new token gets the caller's own. Its mode is the one asked for, live by
 * default; a sandbox-mode token creates sandbox tokens only, so it can never mint its way to live data.
 */
export async function createTokenFor(
  db: Sql,
  principal: TokenPrincipal,
  p: { scopes?: string | readonly string[]; name?: string; mode?: unknown },
): Promise<IssuedToken> {
  const callerMode = modeOf(principal.workspace)
  const mode = p.mode === undefined || p.mode === null ? callerMode : parseMode(p.mode)
  if (callerMode === 'sandbox' && mode !== 'sandbox')
    throw new AppError('forbidden', 'a sandbox-mode token can only create sandbox-mode tokens')
  const empty = p.scopes === undefined || (typeof p.scopes === 'string' ? !p.scopes.trim() : p.scopes.length === 0)
  const scopes = empty ? [...principal.scopes] : parseScopes(p.scopes)
  const missing = scopes.filter((s) => !hasScope(principal.scopes, s))
  if (missing.length)
    throw new AppError(
      'forbidden',
      `a token can only create tokens with scopes it has itself; this one lacks: ${missing.join(', ')}`,
    )
  return issueToken(db, { userId: principal.userId, workspace: principal.workspace, scopes, name: p.name, mode })
}
