/**
 * Lunas' own token routes under /v1: list (never the secret), create (the secret shown once, never logged) and
 * revoke. A token can only create tokens with scopes it has itself, and revoke another user's only with `api`; every
 * token is bound to the caller's user and workspace, in live or sandbox mode.
 */
import type { FastifyPluginAsync } from 'fastify'
import { z } from 'zod'
import type { App } from '../../app.ts'
import { createTokenFor, getTokenById, type ListedToken, listTokens, revokeTokenFor } from '../../tokens/tokens.ts'
import { MODES } from '../../workspaces/mode.ts'
import { principalOf } from '../auth.ts'
import { body, optionalText, type ZodTypeProvider } from '../validation.ts'

const TokenParams = z.object({ id: z.string() })

// Nothing, `null` or `[]` mean an empty body: a token with the caller's scopes and no name.
const CreateBody = body({
  name: optionalText(100),
  scopes: z.union([z.string(), z.array(z.string())]).nullish(),
  // Absent: the caller's own mode. A live token may create a sandbox one; a sandbox token only sandbox ones.
  mode: z.enum(MODES).nullish(),
})

export function presentToken(t: ListedToken) {
  return {
    id: t.publicId,
    name: t.name,
    hint: t.hint,
    scopes: t.scopes,
    mode: t.mode,
    created_at: t.createdAt.toISOString(),
    last_used_at: t.lastUsedAt?.toISOString() ?? null,
    revoked_at: t.revokedAt?.toISOString() ?? null,
    user_email: t.userEmail,
  }
}

export const tokenRoutes: FastifyPluginAsync<{ app: App }> = async (instance, { app }) => {
  const server = instance.withTypeProvider<ZodTypeProvider>()

  server.get('/tokens', { config: { scope: 'user_read' } }, async (request) => {
    const tokens = await listTokens(app.db, principalOf(request).workspace)
    return { data: tokens.map(presentToken) }
  })

  // The reply carries the secret once; Lunas logs no bodies, and nothing here passes it to the logger.
  server.post('/tokens', { schema: { body: CreateBody }, config: { scope: 'user' } }, async (request, reply) => {
    const principal = principalOf(request)
    const issued = await createTokenFor(app.db, principal, {
      scopes: request.body.scopes ?? undefined,
      name: request.body.name?.trim(),
      mode: request.body.mode,
    })
    const listed = await getTokenById(app.db, principal.workspace, issued.publicId)
    return reply.code(201).send({ ...presentToken(listed), token: issued.token })
  })

  server.delete(
    '/tokens/:id',
    { schema: { params: TokenParams }, config: { scope: 'user' } },
    async (request, reply) => {
      await revokeTokenFor(app.db, principalOf(request), request.params.id)
      return reply.code(204).send()
    },
  )
}
