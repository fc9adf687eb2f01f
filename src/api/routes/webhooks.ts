/**
 * Lunas' own webhook routes under /v1 (problem+json errors): endpoints with Lunas' fields (format, event types,
 * active), "Send test", re-enable, deliveries and their attempts, retry now, replay a time range, and the deliveries
 * that carried a mutation. The domain is src/webhooks/ (endpoints.ts, history.ts, control.ts).
 *
 * Scope `api` throughout, as on Moota's webhook routes: a webhook decides where payment notices go and its history
 * holds what was sent. The secret is returned only by the create answer (and by Moota's list, as Moota does).
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import { z } from 'zod'
import type { App } from '../../app.ts'
import { AppError, isAppError } from '../../shared/errors.ts'
import { parseWhen, startOfWibDay } from '../../shared/time.ts'
import { replayDeliveries, retryDelivery, sendTest } from '../../webhooks/control.ts'
import {
  createEndpoint,
  deleteEndpoint,
  type Endpoint,
  type EndpointPatch,
  endpointSecret,
  getEndpoint,
  listEndpoints,
  updateEndpoint,
} from '../../webhooks/endpoints.ts'
import { enableEndpoint } from '../../webhooks/health.ts'
import {
  getDelivery,
  listDeliveryAttempts,
  listEndpointDeliveries,
  listMutationDeliveries,
} from '../../webhooks/history.ts'
import { standardWebhooksSecret } from '../../webhooks/sign.ts'
import { principalOf } from '../auth.ts'
import { presentAttempt, presentDelivery, presentWebhook } from '../webhook-presenters.ts'
import { body, parsedBy, type ZodTypeProvider } from '../validation.ts'

const code = z.number().int().min(0).max(999)
const fields = {
  url: z.string().max(4096),
  secret: z.string().max(1024),
  account: z.string().max(64).nullish(),
  kinds: z.enum(['credit', 'debit', 'both']).optional(),
  start_unique_code: code.optional(),
  end_unique_code: code.optional(),
  event_types: z.array(z.string().max(100)).max(20).optional(),
  format: z.enum(['moota', 'lunas']).optional(),
  active: z.boolean().optional(),
}
const CreateBody = body(fields)
const PatchBody = body({ ...fields, url: fields.url.optional(), secret: fields.secret.optional() })

/** An instant; a bare day (`2026-11-20`, WIB) is its start as `from` and its end as `to`, so both ends include it. */
const when = (field: 'from' | 'to') =>
  parsedBy((v): Date => {
    const text = typeof v === 'string' ? v.trim() : ''
    if (v === undefined || v === null || (typeof v === 'string' && text === '')) throw AppError.validation(`${field} is required`, field)
    if (field === 'to' && /^\d{4}-\d{2}-\d{2}$/.test(text)) return new Date(startOfWibDay(text).getTime() + 86_400_000)
    return parseWhen(v, field)
  })
const ReplayBody = body({ from: when('from'), to: when('to') })

const Params = z.object({ id: z.string().max(64) })
const DeliveryParams = z.object({ id: z.string().max(64), delivery_id: z.string().max(64) })
const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(64).optional(),
})

type Fields = Partial<{
  url: string
  secret: string
  account: string | null
  kinds: Endpoint['kinds']
  start_unique_code: number
  end_unique_code: number
  event_types: string[]
  format: Endpoint['format']
  active: boolean
}>

function toPatch(b: Fields): EndpointPatch {
  const patch: EndpointPatch = {}
  if (b.url !== undefined) patch.url = b.url
  if (b.secret !== undefined) patch.secret = b.secret
  if (b.account !== undefined) patch.account = b.account || null
  if (b.kinds !== undefined) patch.kinds = b.kinds
  if (b.start_unique_code !== undefined) patch.startUniqueCode = b.start_unique_code
  if (b.end_unique_code !== undefined) patch.endUniqueCode = b.end_unique_code
  if (b.event_types !== undefined) patch.eventTypes = b.event_types
  if (b.format !== undefined) patch.format = b.format
  if (b.active !== undefined) patch.active = b.active
  return patch
}

/** An unknown account in the body is a field error (422), not a missing resource. */
async function accountIsField<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run()
  } catch (err) {
    if (isAppError(err) && err.code === 'not_found' && err.message.startsWith('account '))
      throw AppError.validation(err.message, 'account')
    throw err
  }
}

const wsOf = (request: FastifyRequest) => principalOf(request).workspace

export const webhookRoutes: FastifyPluginAsync<{ app: App }> = async (instance, { app }) => {
  const server = instance.withTypeProvider<ZodTypeProvider>()
  const api = { scope: 'api' } as const

  server.get('/webhooks', { config: api }, async (request) => ({
    data: (await listEndpoints(app.db, wsOf(request))).map(presentWebhook),
  }))

  // The secret comes back once, here, with its Standard Webhooks form; nothing passes it to the logger.
  server.post('/webhooks', { schema: { body: CreateBody }, config: api }, async (request, reply) => {
    const { url, secret, ...rest } = request.body
    const e = await accountIsField(() =>
      createEndpoint(app.db, wsOf(request), app.secretKey, { ...toPatch(rest), url, secret }),
    )
    const plain = endpointSecret(app.secretKey, e)
    return reply.code(201).send({ ...presentWebhook(e), secret: plain, standard_webhooks_secret: standardWebhooksSecret(plain) })
  })

  server.get('/webhooks/:id', { schema: { params: Params }, config: api }, async (request) =>
    presentWebhook(await getEndpoint(app.db, wsOf(request), request.params.id)),
  )

  server.patch('/webhooks/:id', { schema: { params: Params, body: PatchBody }, config: api }, async (request) => {
    const e = await accountIsField(() =>
      updateEndpoint(app.db, wsOf(request), app.secretKey, request.params.id, toPatch(request.body)),
    )
    return presentWebhook(e)
  })

  server.delete('/webhooks/:id', { schema: { params: Params }, config: api }, async (request, reply) => {
    await deleteEndpoint(app.db, wsOf(request), request.params.id)
    return reply.code(204).send()
  })

  // Re-enable after an automatic disable (410 Gone, or failing too long): healthy again from now.
  server.post('/webhooks/:id/enable', { schema: { params: Params }, config: api }, async (request) => {
    const ws = wsOf(request)
    if (!(await enableEndpoint(app.db, ws, request.params.id)))
      throw AppError.notFound(`webhook ${request.params.id} not found`)
    return presentWebhook(await getEndpoint(app.db, ws, request.params.id))
  })

  server.post('/webhooks/:id/test', { schema: { params: Params }, config: api }, async (request, reply) => {
    const ws = wsOf(request)
    const id = await sendTest(app.db, ws, request.params.id)
    return reply.code(202).send(presentDelivery(await getDelivery(app.db, ws, request.params.id, id)))
  })

  server.get(
    '/webhooks/:id/deliveries',
    { schema: { params: Params, querystring: PageQuery }, config: api },
    async (request) => {
      const page = await listEndpointDeliveries(app.db, wsOf(request), request.params.id, request.query)
      return { data: page.rows.map(presentDelivery), next_cursor: page.nextCursor }
    },
  )

  server.get(
    '/webhooks/:id/deliveries/:delivery_id/attempts',
    { schema: { params: DeliveryParams }, config: api },
    async (request) => {
      const { id, delivery_id } = request.params
      return { data: (await listDeliveryAttempts(app.db, wsOf(request), id, delivery_id)).map(presentAttempt) }
    },
  )

  server.post(
    '/webhooks/:id/deliveries/:delivery_id/retry',
    { schema: { params: DeliveryParams }, config: api },
    async (request, reply) => {
      const ws = wsOf(request)
      const { id, delivery_id } = request.params
      await retryDelivery(app.db, ws, id, delivery_id)
      return reply.code(202).send(presentDelivery(await getDelivery(app.db, ws, id, delivery_id)))
    },
  )

  server.post(
    '/webhooks/:id/replay',
    { schema: { params: Params, body: ReplayBody }, config: api },
    async (request, reply) => {
      const { from, to } = request.body
      const replayed = await replayDeliveries(app.db, wsOf(request), request.params.id, { from, to })
      return reply.code(202).send({ replayed })
    },
  )

  server.get(
    '/mutations/:id/deliveries',
    { schema: { params: Params, querystring: PageQuery }, config: api },
    async (request) => {
      const page = await listMutationDeliveries(app.db, wsOf(request), request.params.id, request.query)
      return { data: page.rows.map(presentDelivery), next_cursor: page.nextCursor }
    },
  )
}
