/**
 * Moota's `POST /auth/login`: e-mail (or username) and password in, a new personal access token out, bound to one of
 * the user's workspaces — the one named, else the first the user joined.
 */
import type { Sql } from '../db/db.ts'
import { hashPassword, verifyPassword } from '../shared/crypto.ts'
import { AppError } from '../shared/errors.ts'
import { findUserByEmail, userWorkspaces } from '../users/users.ts'
import { type IssuedToken, issueToken, parseScopes } from './tokens.ts'

export interface LoginParams {
  email: string
  password: string
  scopes?: readonly string[]
  /** Workspace name, for users who belong to several. */
  workspace?: string
}

const BAD_LOGIN = 'Email atau password salah.'
// Verified against when the e-mail is unknown, so both failures take the same time and do not reveal who has an account.
let decoy: Promise<string> | undefined

export async function login(db: Sql, p: LoginParams): Promise<IssuedToken> {
  const user = await findUserByEmail(db, p.email).catch(() => null)
  if (!user) {
    decoy ??= hashPassword('lunas-decoy-password')
    await verifyPassword(p.password, await decoy)
    throw AppError.validation(BAD_LOGIN, 'email')
  }
  if (!(await verifyPassword(p.password, user.passwordHash))) throw AppError.validation(BAD_LOGIN, 'email')
  const memberOf = await userWorkspaces(db, user.id)
  const workspace = p.workspace ? memberOf.find((w) => w.name === p.workspace) : memberOf[0]
  if (!workspace)
    throw AppError.validation(
      p.workspace ? `you are not a member of workspace "${p.workspace}"` : 'this user belongs to no workspace',
      'workspace',
    )
  return issueToken(db, { userId: user.id, workspace, scopes: parseScopes(p.scopes), name: 'login' })
}
