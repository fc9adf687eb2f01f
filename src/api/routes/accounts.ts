/** Lunas' own account routes under /v1. */
import type { FastifyPluginAsync } from 'fastify'
import { z } from 'zod'
import { listAccounts, requestRefresh } from '../../accounts/accounts.ts'
import type { App } from '../../app.ts'
import { principalOf } from '../auth.ts'
import { presentAccount } from '../presenters.ts'
import type { ZodTypeProvider } from '../validation.ts'

const AccountParams = z.object({ id: z.string() })

export const accountRoutes: FastifyPluginAsync<{ app: App }> = async (instance, { app }) => {
  const server = instance.withTypeProvider<ZodTypeProvider>()

  server.get('/accounts', { config: { scope: 'bank_read' } }, async (request) => {
    const accounts = await listAccounts(app.db, principalOf(request).workspace)
    return { data: accounts.map(presentAccount) }
  })

  // 202: the scheduler picks the account up on its next tick; the run itself is visible in last_sync.
  server.post(
    '/accounts/:id/refresh',
    { schema: { params: AccountParams }, config: { scope: 'bank' } },
    async (request, reply) => {
      await requestRefresh(app.db, principalOf(request).workspace, request.params.id)
      return reply.code(202).send({ id: request.params.id, refresh: 'queued' })
    },
  )
}
