/**
 * Moota's auth and user routes under /api/v2 (reference/moota-api.md §2.2, §4.1). In this surface Moota's "user" is
 * the token's workspace: `GET /user` answers with the workspace's id as `user_id`, so a client that keys data by
 * user keys it by workspace. Open sign-up (`/auth/register`) is refused: a self-hosted owner creates accounts.
 */
import type { FastifyPluginAsync } from 'fastify'
import { z } from 'zod'
import type { App } from '../../app.ts'
import { AppError } from '../../shared/errors.ts'
import { formatLaravel } from '../../shared/time.ts'
import { login } from '../../tokens/login.ts'
import { revokeToken } from '../../tokens/tokens.ts'
import { getUser, MAX_EMAIL } from '../../users/users.ts'
import { principalOf } from '../auth.ts'
import { body, type ZodTypeProvider } from '../validation.ts'

/** A self-hosted Lunas has no points to buy: balances report this and never run out. */
export const SELF_HOSTED_POINTS = 999_999_999

const text = z.string().trim().min(1)
// Capped before users.ts looks at it: a login must not cost more for a 1 MB "e-mail" than for a real one.
const emailText = (field: string) => text.max(MAX_EMAIL, `Kolom ${field} maksimal ${MAX_EMAIL} karakter.`)
const LoginBody = body({
  // Every client sends `email`; Moota's own docs say `username`. Accept both.
  email: emailText('email').optional(),
  username: emailText('username').optional(),
  password: z.string().min(1),
  scopes: z.union([z.array(z.string()), z.string().transform((s) => s.split(','))]).optional(),
  workspace: text.optional(),
})

export const mootaAuthRoutes: FastifyPluginAsync<{ app: App }> = async (instance, { app }) => {
  const server = instance.withTypeProvider<ZodTypeProvider>()

  server.post('/auth/login', { schema: { body: LoginBody }, config: { public: true } }, async (request) => {
    const { email, username, password, scopes, workspace } = request.body
    const who = email ?? username
    if (!who) throw AppError.validation('Kolom email harus diisi.', 'email')
    const issued = await login(app.db, { email: who, password, scopes, workspace })
    return { access_token: issued.token }
  })

  server.post('/auth/logout', { config: { anyScope: true } }, async (request) => {
    const principal = principalOf(request)
    await revokeToken(app.db, principal.workspace, principal.tokenId)
    return { message: 'OK' }
  })

  server.post('/auth/register', { config: { public: true } }, async (_request, reply) => {
    return reply.code(403).send({
      message:
        'Pendaftaran terbuka tidak tersedia di Lunas (self-hosted). Minta pemilik workspace membuat akun Anda: lunas user create.',
    })
  })

  server.get('/user', { config: { scope: 'user_read' } }, async (request) => {
    const principal = principalOf(request)
    const user = await getUser(app.db, principal.userId)
    return {
      name: user.name || principal.workspace.name,
      email: user.email,
      no_ktp: null,
      alamat: null,
      email_verified_at: null,
      created_at: formatLaravel(user.createdAt),
      updated_at: formatLaravel(user.updatedAt),
      user_id: principal.workspace.publicId,
      token: principal.workspace.publicId,
      point: SELF_HOSTED_POINTS,
      meta: [],
    }
  })
}
