/**
 * Moota-compatible mutation routes under /api/v2. For now only the simulator hook,
 * `POST /mutation/store/{bank_id}` (reference/moota-api.md §4.3): each call is a new simulated transaction.
 */
import type { FastifyPluginAsync } from 'fastify'
import { z } from 'zod'
import type { App } from '../../app.ts'
import { simulateTransaction } from '../../connectors/sandbox/simulate.ts'
import { formatDecimal } from '../../shared/money.ts'
import { principalOf } from '../auth.ts'
import { presentStoredMutation } from '../presenters.ts'
import {
  body,
  optionalParsedBy,
  optionalText,
  parseDateText,
  parseDirection,
  parsedBy,
  rupiah,
  type ZodTypeProvider,
} from '../validation.ts'

const StoreParams = z.object({ bank_id: z.string() })

const StoreBody = body({
  amount: rupiah('amount'),
  type: parsedBy((v) => parseDirection(v)),
  date: optionalParsedBy((v) => parseDateText(v, 'date')),
  note: optionalText(500),
  description: optionalText(1000),
})

export const mootaMutationRoutes: FastifyPluginAsync<{ app: App }> = async (instance, { app }) => {
  const server = instance.withTypeProvider<ZodTypeProvider>()

  server.post(
    '/mutation/store/:bank_id',
    { schema: { params: StoreParams, body: StoreBody }, config: { scope: 'mutation' } },
    async (request) => {
      // simulateTransaction finds the account in the token's workspace (404 otherwise) and refuses non-sandbox ones.
      const { amount, type, date, note, description } = request.body
      const result = await simulateTransaction(app.db, principalOf(request).workspace, {
        accountId: request.params.bank_id,
        amount: formatDecimal(amount),
        type,
        description,
        note,
        date,
      })
      return presentStoredMutation(result)
    },
  )
}
