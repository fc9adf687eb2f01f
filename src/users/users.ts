/** Users and their memberships. Passwords are stored only as scrypt hashes (shared/crypto.ts). */
import type { Db, Sql } from '../db/db.ts'
import { hashPassword } from '../shared/crypto.ts'
import { AppError } from '../shared/errors.ts'
import { newPublicId } from '../shared/ids.ts'
import { DEFAULT_WORKSPACE, ensureWorkspace, type Workspace } from '../workspaces/workspaces.ts'

export interface User {
  id: string
  publicId: string
  email: string
  name: string
}

type UserRow = { id: string; public_id: string; email: string; name: string }
const toUser = (r: UserRow): User => ({ id: r.id, publicId: r.public_id, email: r.email, name: r.name })

/** The longest e-mail address there is (RFC 5321's path limit less its angle brackets); checked before anything else. */
export const MAX_EMAIL = 254
export const MIN_PASSWORD = 8

/**
 * `local@domain.tld`: one `@` with text before it, a dot inside the domain, no whitespace. Plain string operations, so
 * the time is linear in the length (the regex this replaced was quadratic: `a@` and 100 KB of dots froze the server).
 */
function looksLikeEmail(e: string): boolean {
  const at = e.indexOf('@')
  if (at < 1 || at !== e.lastIndexOf('@')) return false
  const domain = e.slice(at + 1)
  // A dot with text on both sides of it.
  return domain.slice(1, -1).includes('.') && !/\s/.test(e)
}

export function normalizeEmail(email: string): string {
  const trimmed = email.trim()
  if (trimmed.length > MAX_EMAIL) throw AppError.validation(`an e-mail address has at most ${MAX_EMAIL} characters`, 'email')
  const e = trimmed.toLowerCase()
  if (!looksLikeEmail(e)) throw AppError.validation(`"${trimmed}" is not an e-mail address`, 'email')
  return e
}

export async function findUserByEmail(
  db: Sql,
  email: string,
): Promise<(User & { passwordHash: string }) | null> {
  const [row] = await db.query<UserRow & { password_hash: string }>(
    'select id, public_id, email, name, password_hash from users where email = $1',
    [normalizeEmail(email)],
  )
  return row ? { ...toUser(row), passwordHash: row.password_hash } : null
}

export interface CreateUserParams {
  email: string
  password: string
  name?: string
  /** Workspace to join; created when missing. Defaults to "default". */
  workspace?: string
}

/**
 * Creates a user in a workspace (creating the workspace when missing). An existing user is added to the
 * workspace instead, keeping their password; creating the same user twice in one workspace is a conflict.
 */
export async function createUser(
  db: Db,
  params: CreateUserParams,
): Promise<{ user: User; workspace: Workspace; created: boolean }> {
  const email = normalizeEmail(params.email)
  if (params.password.length < MIN_PASSWORD)
    throw AppError.validation(`password must be at least ${MIN_PASSWORD} characters`, 'password')
  // Hash outside the transaction: scrypt takes tens of milliseconds and PGlite would wait on it.
  const passwordHash = await hashPassword(params.password)
  return db.tx(async (tx) => {
    const workspace = await ensureWorkspace(tx, params.workspace ?? DEFAULT_WORKSPACE)
    const inserted = await tx.query<UserRow>(
      `insert into users (public_id, email, name, password_hash) values ($1, $2, $3, $4)
       on conflict (email) do nothing returning id, public_id, email, name`,
      [newPublicId(), email, params.name ?? '', passwordHash],
    )
    const created = inserted.length === 1
    const user = created ? toUser(inserted[0]!) : (await findUserByEmail(tx, email))!
    const joined = await tx.query(
      'insert into memberships (workspace_id, user_id) values ($1, $2) on conflict do nothing returning user_id',
      [workspace.id, user.id],
    )
    if (!created && joined.length === 0)
      throw new AppError('conflict', `user ${email} already exists in workspace "${workspace.name}"`)
    return { user, workspace, created }
  })
}

/** Workspaces the user belongs to, in the order they joined. */
export async function userWorkspaces(db: Sql, userId: string): Promise<Workspace[]> {
  const rows = await db.query<{ id: string; public_id: string; name: string }>(
    `select w.id, w.public_id, w.name from memberships m join workspaces w on w.id = m.workspace_id
     where m.user_id = $1 order by m.created_at, w.id`,
    [userId],
  )
  return rows.map((r) => ({ id: r.id, publicId: r.public_id, name: r.name }))
}

export async function getUser(db: Sql, id: string): Promise<User & { createdAt: Date; updatedAt: Date }> {
  const [row] = await db.query<UserRow & { created_at: Date; updated_at: Date }>(
    'select id, public_id, email, name, created_at, updated_at from users where id = $1',
    [id],
  )
  if (!row) throw AppError.notFound('user not found')
  return { ...toUser(row), createdAt: row.created_at, updatedAt: row.updated_at }
}
