/**
 * Lunas' own mutation routes under /v1: the keyset list, one mutation, its note, deleting it (a tombstone, like
 * Moota's destroy) and recording one by hand. They call the same domain functions as the Moota routes and differ only
 * in presentation (problem+json errors, decimal strings with currency, tags as objects).
 */
import type { FastifyPluginAsync } from 'fastify'
import { z } from 'zod'
import { getAccount } from '../../accounts/accounts.ts'
import type { App } from '../../app.ts'
import { simulateTransaction } from '../../connectors/sandbox/simulate.ts'
import { findListedMutation, listMutations } from '../../ledger/list.ts'
import { recordManualEntry } from '../../ledger/manual.ts'
import { setMutationNote } from '../../ledger/moota-list.ts'
import { deleteMutations } from '../../ledger/mutations.ts'
import type { Sql } from '../../db/db.ts'
import { AppError } from '../../shared/errors.ts'
import { formatDecimal, parseRupiah } from '../../shared/money.ts'
import { tagsOfMutation, tagsOfMutations } from '../../tags/tags.ts'
import type { Workspace } from '../../workspaces/workspaces.ts'
import { principalOf } from '../auth.ts'
import { presentMutation, presentMutationPage } from '../presenters.ts'
import {
  body,
  flag,
  optionalParsedBy,
  optionalText,
  parseDateText,
  parseDirection,
  parsedBy,
  parseWibDay,
  rupiah,
  type ZodTypeProvider,
} from '../validation.ts'

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

const MutationParams = z.object({ id: z.string().max(64) })

const NoteBody = body({
  note: z
    .string()
    .max(500)
    .nullable()
    .transform((v) => v ?? ''),
})

const CreateBody = body({
  account: z.string().max(64),
  amount: rupiah('amount'),
  type: parsedBy((v) => parseDirection(v)),
  date: optionalParsedBy((v) => parseDateText(v, 'date')),
  description: optionalText(1000),
  note: optionalText(500),
})

/** One live mutation as /v1 shows it, or not_found (unknown, deleted and other workspaces' ids alike). */
async function shownMutation(db: Sql, ws: Workspace, publicId: string) {
  const m = await findListedMutation(db, ws, publicId)
  if (!m) throw AppError.notFound(`mutation ${publicId} not found`)
  return presentMutation(m, await tagsOfMutation(db, ws, publicId))
}

export const mutationRoutes: FastifyPluginAsync<{ app: App }> = async (instance, { app }) => {
  const server = instance.withTypeProvider<ZodTypeProvider>()

  server.get(
    '/mutations',
    { schema: { querystring: ListQuery }, config: { scope: 'mutation_read' } },
    async (request) => {
      const ws = principalOf(request).workspace
      const { include_sandbox, ...filter } = request.query
      const page = await listMutations(app.db, ws, { ...filter, includeSandbox: include_sandbox }, app.secretKey)
      const tags = await tagsOfMutations(
        app.db,
        ws,
        page.rows.map((m) => m.publicId),
      )
      return presentMutationPage(page, tags)
    },
  )

  // Sandbox accounts simulate a transaction, cash accounts record a manual entry (as Moota's mutation/store does);
  // an account fed by its source takes none, so the ledger only ever holds what the bank reported there.
  server.post(
    '/mutations',
    { schema: { body: CreateBody }, config: { scope: 'mutation' } },
    async (request, reply) => {
      const ws = principalOf(request).workspace
      const { account: accountId, amount, type, date, note, description } = request.body
      const account = await getAccount(app.db, ws, accountId) // 404 outside the token's workspace
      const entry = { accountId, amount: formatDecimal(amount), type, description, note, date }
      let stored: { mutationId: string }
      if (account.sandbox) stored = await simulateTransaction(app.db, ws, entry)
      else if (account.kind === 'cash') stored = await recordManualEntry(app.db, ws, entry)
      else
        throw AppError.validation(
          'only cash accounts (manual entries) and sandbox accounts (simulated transactions) take a mutation by hand; this account is fed by its source',
          'account',
        )
      return reply.code(201).send(await shownMutation(app.db, ws, stored.mutationId))
    },
  )

  server.get(
    '/mutations/:id',
    { schema: { params: MutationParams }, config: { scope: 'mutation_read' } },
    async (request) => shownMutation(app.db, principalOf(request).workspace, request.params.id),
  )

  server.patch(
    '/mutations/:id',
    { schema: { params: MutationParams, body: NoteBody }, config: { scope: 'mutation' } },
    async (request) => {
      const ws = principalOf(request).workspace
      const updated = await setMutationNote(app.db, ws, request.params.id, request.body.note)
      if (!updated) throw AppError.notFound(`mutation ${request.params.id} not found`)
      return shownMutation(app.db, ws, request.params.id)
    },
  )

  // A tombstone: the row stays so a re-read of its day does not bring it back (docs/domain.md).
  server.delete(
    '/mutations/:id',
    { schema: { params: MutationParams }, config: { scope: 'mutation' } },
    async (request, reply) => {
      const deleted = await deleteMutations(app.db, principalOf(request).workspace, [request.params.id])
      if (!deleted.length) throw AppError.notFound(`mutation ${request.params.id} not found`)
      return reply.code(204).send()
    },
  )
}
