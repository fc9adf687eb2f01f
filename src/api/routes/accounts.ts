/**
 * Lunas' own account routes under /v1: accounts with their last sync and balance, "refresh now" (the same domain
 * call as Moota's bank refresh), each account's sync runs (keyset-paginated), and the balance gaps of the ledger.
 */
import type { FastifyPluginAsync } from 'fastify'
import { z } from 'zod'
import { getAccountWithSync, listAccounts, requestRefresh } from '../../accounts/accounts.ts'
import type { App } from '../../app.ts'
import { listGaps } from '../../ledger/gaps.ts'
import { listRunsPage } from '../../sync/runs.ts'
import { principalOf } from '../auth.ts'
import { presentAccount, presentBalanceGap, presentSyncRun } from '../presenters.ts'
import { flag, type ZodTypeProvider } from '../validation.ts'

const AccountParams = z.object({ id: z.string().max(64) })
const RunsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(1000).optional(),
})
const GapsQuery = z.object({ account: z.string().max(64).optional(), include_sandbox: flag })

export const accountRoutes: FastifyPluginAsync<{ app: App }> = async (instance, { app }) => {
  const server = instance.withTypeProvider<ZodTypeProvider>()

  server.get('/accounts', { config: { scope: 'bank_read' } }, async (request) => {
    const accounts = await listAccounts(app.db, principalOf(request).workspace)
    return { data: accounts.map(presentAccount) }
  })

  server.get(
    '/accounts/:id',
    { schema: { params: AccountParams }, config: { scope: 'bank_read' } },
    async (request) => presentAccount(await getAccountWithSync(app.db, principalOf(request).workspace, request.params.id)),
  )

  // 202: the scheduler picks the account up on its next tick; the run itself is visible in last_sync.
  server.post(
    '/accounts/:id/refresh',
    { schema: { params: AccountParams }, config: { scope: 'bank' } },
    async (request, reply) => {
      await requestRefresh(app.db, principalOf(request).workspace, request.params.id)
      return reply.code(202).send({ id: request.params.id, refresh: 'queued' })
    },
  )

  server.get(
    '/accounts/:id/sync-runs',
    { schema: { params: AccountParams, querystring: RunsQuery }, config: { scope: 'bank_read' } },
    async (request) => {
      const page = await listRunsPage(
        app.db,
        principalOf(request).workspace,
        request.params.id,
        request.query,
        app.secretKey,
      )
      return { data: page.rows.map(presentSyncRun), next_cursor: page.nextCursor }
    },
  )

  server.get(
    '/balance-gaps',
    { schema: { querystring: GapsQuery }, config: { scope: 'mutation_read' } },
    async (request) => {
      const gaps = await listGaps(app.db, principalOf(request).workspace, {
        account: request.query.account,
        includeSandbox: request.query.include_sandbox,
      })
      return { data: gaps.map(presentBalanceGap) }
    },
  )
}
