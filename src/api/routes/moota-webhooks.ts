/**
 * Moota-compatible webhook management under /api/v2 (reference/moota-api.md §4.5, §4.3 "push"): list, create and
 * delete endpoints, an endpoint's delivery history, and "push this mutation again". The domain is src/webhooks/;
 * this file parses, calls one function and presents in Moota's shapes.
 *
 * Scope: Moota has no webhook scope. The list shows each endpoint's `secret_token` (as Moota does), and a webhook
 * decides where payment notices go, so a token that can read or change them can forge or divert "money arrived":
 * these routes need `api`, the scope every Moota personal token and SDK login carries. "Push again" sits with the
 * mutation routes and only re-sends to endpoints already configured, so it needs `mutation`, like them.
 */
import type { FastifyPluginAsync } from 'fastify'
import { z } from 'zod'
import type { App } from '../../app.ts'
import { AppError, isAppError } from '../../shared/errors.ts'
import type { Workspace } from '../../workspaces/workspaces.ts'
import { pushMutation } from '../../webhooks/control.ts'
import { createEndpoint, deleteEndpoint, type Endpoint, endpointSecret, getEndpoint, listEndpoints } from '../../webhooks/endpoints.ts'
import { type Attempt, attemptSucceeded, listEndpointAttempts, responseText, type Trigger } from '../../webhooks/history.ts'
import { formatLaravel } from '../../shared/time.ts'
import { principalOf } from '../auth.ts'
import { InvalidRequest } from '../errors.ts'
import { pageOrigin } from '../moota/page-request.ts'
import { paginate } from '../moota/paginator.ts'
import { body, optionalParsedBy, positiveInt, type ZodTypeProvider } from '../validation.ts'

/** Laravel's rule failure for a field: Moota's 422 is `{"message":"The given data was invalid.","errors":{…}}`. */
const invalid = (field: string, message: string) => new InvalidRequest([{ field, message, missing: false }])

/** A unique-code bound as clients send it: `"0"`, `0`, `"999"`. */
const code = (field: string) =>
  optionalParsedBy((v): number => {
    const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d{1,3}\s*$/.test(v) ? Number(v) : NaN
    if (!Number.isInteger(n) || n < 0 || n > 999)
      throw AppError.validation(`The ${field.replaceAll('_', ' ')} must be between 0 and 999.`, field)
    return n
  })

const text = z.union([z.string(), z.number().transform(String)])

const StoreBody = body({
  url: text,
  secret_token: text,
  start_unique_code: code('start_unique_code'),
  end_unique_code: code('end_unique_code'),
  kinds: z.enum(['credit', 'debit', 'both'], { message: 'The selected kinds is invalid.' }).optional(),
  bank_account_id: z.string().max(64).nullish(),
})

const ListQuery = z.object({
  url: z.string().max(2048).optional(),
  bank_account_id: z.string().max(64).optional(),
  page: positiveInt(1, 1_000_000),
  per_page: positiveInt(15, 100),
})
const HistoryQuery = z.object({ page: positiveInt(1, 1_000_000), per_page: positiveInt(20, 100) })
const WebhookParams = z.object({ webhook_id: z.string().max(64) })
const MutationParams = z.object({ mutation_id: z.string().max(64) })

/** Moota's Webhook object: integer `id` (the endpoint's ordinal in its workspace), bounds as strings. */
export function presentMootaWebhook(e: Endpoint, ws: Workspace, secret: string) {
  return {
    id: e.number,
    user_id: ws.publicId,
    bank_account_id: e.accountPublicId ?? '',
    type: e.accountPublicId ? 'single' : 'all',
    url: e.url,
    secret_token: secret,
    start_unique_code: String(e.startUniqueCode),
    end_unique_code: String(e.endUniqueCode),
    kinds: e.kinds,
    created_at: formatLaravel(e.createdAt),
    updated_at: formatLaravel(e.updatedAt),
    token: e.publicId,
    webhook_id: e.publicId,
  }
}

const TRIGGERS: Record<Trigger, string> = { event: 'new-mutation', push: 'push', test: 'test' }

/** Moota's WebhookHistory object: one attempt, with the body and headers it sent. */
export function presentMootaHistory(a: Attempt, e: Endpoint, ws: Workspace) {
  const payload = JSON.parse(a.body) as { bank_id?: string }[]
  const trigger = TRIGGERS[a.trigger]
  const at = formatLaravel(a.startedAt)
  return {
    id: a.number,
    user_id: ws.publicId,
    bank_id: payload[0]?.bank_id ?? e.accountPublicId ?? '',
    webhook_id: e.number,
    status: attemptSucceeded(a) ? 'success' : 'failed',
    trigger,
    http_verb: 'post',
    webhook_url: e.url,
    payload,
    headers: a.requestHeaders,
    meta: [],
    tags: { webhook: e.number, trigger },
    attempt: a.attempt,
    response: responseText(a, e.url),
    created_at: at,
    updated_at: at,
  }
}

export const mootaWebhookRoutes: FastifyPluginAsync<{ app: App }> = async (instance, { app }) => {
  const server = instance.withTypeProvider<ZodTypeProvider>()
  const ws = (request: Parameters<typeof principalOf>[0]) => principalOf(request).workspace

  server.get(
    '/integration/webhook',
    { schema: { querystring: ListQuery }, config: { scope: 'api' } },
    async (request) => {
      const q = request.query
      // Laravel's filled(): an empty filter is no filter (the SDK array_filters its query anyway).
      const all = await listEndpoints(app.db, ws(request), {
        ...(q.url ? { url: q.url } : {}),
        ...(q.bank_account_id ? { account: q.bank_account_id } : {}),
      })
      const newestFirst = all.reverse()
      const rows = newestFirst.slice((q.page - 1) * q.per_page, q.page * q.per_page)
      return paginate({
        ...pageOrigin(request),
        page: q.page,
        perPage: q.per_page,
        total: all.length,
        data: rows.map((e) => presentMootaWebhook(e, ws(request), endpointSecret(app.secretKey, e))),
      })
    },
  )

  // The reply carries no secret; Lunas logs no bodies, and the API-call log redacts `secret_token`.
  server.post(
    '/integration/webhook',
    { schema: { body: StoreBody }, config: { scope: 'api' } },
    async (request) => {
      const b = request.body
      try {
        const e = await createEndpoint(app.db, ws(request), app.secretKey, {
          url: b.url,
          secret: b.secret_token,
          account: b.bank_account_id || null,
          ...(b.kinds ? { kinds: b.kinds } : {}),
          ...(b.start_unique_code === undefined ? {} : { startUniqueCode: b.start_unique_code }),
          ...(b.end_unique_code === undefined ? {} : { endUniqueCode: b.end_unique_code }),
        })
        // Moota's docs answer `{"status":false,"message":"OK"}` (sic) and its mock `{"message":"OK"}`; both readers
        // are served, and the new id saves a client the list call.
        return { status: false, message: 'OK', webhook_id: e.publicId }
      } catch (err) {
        // The domain's words, in Laravel's validation shape; its only "not found" here is the account.
        if (isAppError(err) && err.code === 'validation') throw invalid(err.field ?? 'request', err.message)
        if (isAppError(err) && err.code === 'not_found')
          throw invalid('bank_account_id', 'The selected bank account id is invalid.')
        throw err
      }
    },
  )

  server.delete(
    '/integration/webhook/:webhook_id',
    { schema: { params: WebhookParams }, config: { scope: 'api' } },
    async (request) => {
      await deleteEndpoint(app.db, ws(request), request.params.webhook_id)
      return { message: 'OK' }
    },
  )

  server.get(
    '/integration/webhook/history/:webhook_id',
    { schema: { params: WebhookParams, querystring: HistoryQuery }, config: { scope: 'api' } },
    async (request) => {
      const w = ws(request)
      const q = request.query
      const e = await getEndpoint(app.db, w, request.params.webhook_id)
      const { total, rows } = await listEndpointAttempts(app.db, w, e.publicId, q.page, q.per_page)
      return paginate({
        ...pageOrigin(request),
        page: q.page,
        perPage: q.per_page,
        total,
        data: rows.map((a) => presentMootaHistory(a, e, w)),
      })
    },
  )

  server.post(
    '/mutation/:mutation_id/webhook',
    { schema: { params: MutationParams }, config: { scope: 'mutation' } },
    async (request) => {
      await pushMutation(app.db, ws(request), request.params.mutation_id)
      return { status: 'OK' } // Moota's mock answer
    },
  )
}
