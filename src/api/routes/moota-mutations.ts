/**
 * Moota-compatible mutation routes under /api/v2 (reference/moota-api.md §4.3): the list (Laravel paginator, exact
 * total), its summary, notes, destroy (tombstones) and the simulator hook `POST /mutation/store/{bank_id}` (each call
 * a new simulated transaction). Everything is scoped to the token's workspace; sandbox mutations show only when the
 * request names a sandbox account.
 */
import type { FastifyPluginAsync } from 'fastify'
import { z } from 'zod'
import { getAccount } from '../../accounts/accounts.ts'
import type { App } from '../../app.ts'
import { simulateTransaction } from '../../connectors/sandbox/simulate.ts'
import { recordManualEntry } from '../../ledger/manual.ts'
import { deleteMutations } from '../../ledger/mutations.ts'
import {
  findMootaAccount,
  listMootaMutations,
  type MootaAccount,
  setMutationNote,
  summarizeMootaMutations,
} from '../../ledger/moota-list.ts'
import { AppError } from '../../shared/errors.ts'
import { formatDecimal, parseRupiah } from '../../shared/money.ts'
import type { Workspace } from '../../workspaces/workspaces.ts'
import { principalOf } from '../auth.ts'
import { pageOrigin } from '../moota/page-request.ts'
import { paginate } from '../moota/paginator.ts'
import { presentMootaBank, presentMootaMutation } from '../moota/presenters.ts'
import { presentStoredMutation } from '../presenters.ts'
import {
  body,
  optionalParsedBy,
  optionalText,
  parseDateText,
  parseDirection,
  parsedBy,
  parseWibDay,
  positiveInt,
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

/** A query parameter given once as text; `?x=a&x=b` and `x[]=` forms are refused rather than guessed at. */
const text = (field: string, max = 200) =>
  optionalParsedBy((v): string => {
    if (typeof v !== 'string') throw AppError.validation(`${field} must be text`, field)
    if (v.length > max) throw AppError.validation(`${field} must be at most ${max} characters`, field)
    return v.trim()
  })

const day = (field: string) => optionalParsedBy((v) => parseWibDay(v, field))

const BankQuery = {
  bank: text('bank', 64),
  bank_id: text('bank_id', 64),
  type: optionalParsedBy((v) => parseDirection(v)),
  start_date: day('start_date'),
  end_date: day('end_date'),
}

const ListQuery = z.object({
  ...BankQuery,
  amount: optionalParsedBy((v) => parseRupiah(v, 'amount')),
  description: text('description', 1000),
  note: text('note', 1000),
  date: day('date'),
  tag: text('tag', 1000),
  page: positiveInt(1, 1_000_000),
  per_page: positiveInt(10, 100),
})

const SummaryQuery = z.object(BankQuery)

const NoteParams = z.object({ mutation_id: z.string().max(64) })
const NoteBody = body({
  note: z
    .string()
    .max(500)
    .nullable()
    .transform((v) => v ?? ''),
})

const DestroyBody = body({ mutations: z.array(z.string().max(64)).min(1).max(1000) })

/**
 * The account a `bank`/`bank_id` filter names, in the token's workspace. Unknown: null, answered as Moota does,
 * `404 {"message":"Bank tidak ditemukan."}` (reference §3.4) — not through AppError, whose Moota 404 body always
 * says "Data tidak ditemukan".
 */
async function namedBank(
  app: App,
  ws: Workspace,
  q: { bank?: string | undefined; bank_id?: string | undefined },
): Promise<MootaAccount | null | undefined> {
  const id = q.bank || q.bank_id
  if (!id) return undefined
  return findMootaAccount(app.db, ws, id)
}

const BANK_NOT_FOUND = { error: true, message: 'Bank tidak ditemukan.' }

export const mootaMutationRoutes: FastifyPluginAsync<{ app: App }> = async (instance, { app }) => {
  const server = instance.withTypeProvider<ZodTypeProvider>()

  server.post(
    '/mutation/store/:bank_id',
    { schema: { params: StoreParams, body: StoreBody }, config: { scope: 'mutation' } },
    async (request) => {
      // Sandbox accounts simulate a transaction, cash accounts record a manual entry; no other account takes one.
      const ws = principalOf(request).workspace
      const account = await getAccount(app.db, ws, request.params.bank_id) // 404 outside the token's workspace
      const { amount, type, date, note, description } = request.body
      const entry = { accountId: account.publicId, amount: formatDecimal(amount), type, description, note, date }
      if (account.sandbox) return presentStoredMutation(await simulateTransaction(app.db, ws, entry))
      if (account.kind === 'cash') return presentStoredMutation(await recordManualEntry(app.db, ws, entry))
      throw AppError.validation(
        'only cash accounts (manual entries) and sandbox accounts (simulated transactions) accept mutation/store; this account is fed by its source',
        'bank_id',
      )
    },
  )

  server.get(
    '/mutation',
    { schema: { querystring: ListQuery }, config: { scope: 'mutation_read' } },
    async (request, reply) => {
      const ws = principalOf(request).workspace
      const q = request.query
      const bank = await namedBank(app, ws, q)
      if (bank === null) return reply.code(404).send(BANK_NOT_FOUND)
      const from = [q.date, q.start_date].filter(Boolean).sort().pop()
      const to = [q.date, q.end_date].filter(Boolean).sort().shift()
      const tags = q.tag
        ?.split(',')
        .map((t) => t.trim())
        .filter(Boolean)
      const { total, rows } = await listMootaMutations(
        app.db,
        ws,
        {
          ...(bank ? { account: bank } : {}),
          ...(q.type ? { type: q.type } : {}),
          ...(q.amount !== undefined ? { amount: q.amount } : {}),
          ...(q.description ? { description: q.description } : {}),
          ...(q.note ? { note: q.note } : {}),
          ...(from ? { from } : {}),
          ...(to ? { to } : {}),
          ...(tags?.length ? { tags } : {}),
        },
        q.page,
        q.per_page,
      )
      return paginate({
        ...pageOrigin(request),
        page: q.page,
        perPage: q.per_page,
        total,
        data: rows.map(presentMootaMutation),
      })
    },
  )

  server.get(
    '/mutation/summary',
    { schema: { querystring: SummaryQuery }, config: { scope: 'mutation_read' } },
    async (request, reply) => {
      const ws = principalOf(request).workspace
      const q = request.query
      const bank = await namedBank(app, ws, q)
      if (bank === null) return reply.code(404).send(BANK_NOT_FOUND)
      const s = await summarizeMootaMutations(app.db, ws, {
        ...(bank ? { account: bank } : {}),
        ...(q.type ? { type: q.type } : {}),
        ...(q.start_date ? { from: q.start_date } : {}),
        ...(q.end_date ? { to: q.end_date } : {}),
      })
      return {
        data: {
          start_date: q.start_date ?? null,
          end_date: q.end_date ?? null,
          type: q.type ?? null,
          total_bank_active: s.totalBankActive,
          total_bank_inactive: s.totalBankInactive,
          bank: bank ? presentMootaBank(bank) : null,
          credit_count: s.creditCount,
          credit_amount: formatDecimal(s.creditAmount),
          debit_count: s.debitCount,
          debit_amount: formatDecimal(s.debitAmount),
          total_saving: formatDecimal(s.creditAmount - s.debitAmount),
        },
      }
    },
  )

  server.post(
    '/mutation/:mutation_id/note',
    { schema: { params: NoteParams, body: NoteBody }, config: { scope: 'mutation' } },
    async (request) => {
      const ws = principalOf(request).workspace
      const mutation = await setMutationNote(app.db, ws, request.params.mutation_id, request.body.note)
      // Moota's 404 here is `{"error":true,"message":"Data tidak ditemukan"}`, which errors.ts answers for not_found.
      if (!mutation) throw AppError.notFound(`mutation ${request.params.mutation_id} not found`)
      return { status: true, mutation: presentMootaMutation(mutation) }
    },
  )

  server.post(
    '/mutation/destroy',
    { schema: { body: DestroyBody }, config: { scope: 'mutation' } },
    async (request, reply) => {
      const deleted = await deleteMutations(app.db, principalOf(request).workspace, request.body.mutations)
      // Moota answers "none of these exist" with a 500 (its mock) and this body. A 500 would read as a server fault
      // (and make clients retry), so Lunas keeps the body, which SDKs show through `message`, with a 404 status.
      // Ids of other workspaces count as unknown, so the answer does not reveal that they exist.
      if (!deleted.length) return reply.code(404).send({ status: false, message: 'Mutations not found' })
      return { status: false, message: 'OK' } // sic: Moota's own success body
    },
  )
}
