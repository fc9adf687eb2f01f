/** Lunas' own mutation routes under /v1. */
import type { FastifyPluginAsync } from 'fastify'
import { z } from 'zod'
import type { App } from '../../app.ts'
import { parseRupiah } from '../../shared/money.ts'
import { principalOf } from '../auth.ts'
import { listMutations } from '../../ledger/list.ts'
import { presentMutationPage } from '../presenters.ts'
import { flag, optionalParsedBy, parseDirection, parseWibDay, type ZodTypeProvider } from '../validation.ts'

const ListQuery = z
  .object({
    account: z.string().max(64).optional(),
    type: optionalParsedBy((v) => parseDirection(v)),
    from: optionalParsedBy((v) => parseWibDay(v, 'from')),
    to: optionalParsedBy((v) => parseWibDay(v, 'to')),
    amount: optionalParsedBy((v) => parseRupiah(v)),
    q: z.string().max(200).optional(),
    include_sandbox: flag,
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().max(1000).optional(),
  })
  .refine((f) => !f.from || !f.to || f.from <= f.to, { message: 'to must not be before from', path: ['to'] })

export const mutationRoutes: FastifyPluginAsync<{ app: App }> = async (instance, { app }) => {
  const server = instance.withTypeProvider<ZodTypeProvider>()

  server.get(
    '/mutations',
    { schema: { querystring: ListQuery }, config: { scope: 'mutation_read' } },
    async (request) => {
      const { include_sandbox, ...filter } = request.query
      const page = await listMutations(
        app.db,
        principalOf(request).workspace,
        { ...filter, includeSandbox: include_sandbox },
        app.secretKey,
      )
      return presentMutationPage(page)
    },
  )
}
