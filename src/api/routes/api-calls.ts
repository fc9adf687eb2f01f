/** `GET /v1/api-calls`: the workspace's own API calls, newest first, keyset-paginated like /v1/mutations. */
import type { FastifyPluginAsync } from 'fastify'
import { z } from 'zod'
import type { App } from '../../app.ts'
import { type ListedApiCall, listApiCalls } from '../../apilog/queries.ts'
import { AppError } from '../../shared/errors.ts'
import { parseWhen, startOfWibDay } from '../../shared/time.ts'
import { principalOf } from '../auth.ts'
import { optionalParsedBy, type ZodTypeProvider } from '../validation.ts'

const DAY_MS = 24 * 60 * 60 * 1000
const DAY = /^\d{4}-\d{2}-\d{2}$/

/** `429` (exact) or `4xx` (a class). */
function parseStatus(value: unknown): { exact: number } | { class: number } {
  const t = String(value).trim().toLowerCase()
  if (/^[1-5]\d\d$/.test(t)) return { exact: Number(t) }
  if (/^[1-5]xx$/.test(t)) return { class: Number(t[0]) }
  throw AppError.validation('status must be a status code (429) or a class (4xx)', 'status')
}

function parseMethod(value: unknown): string {
  const t = String(value).trim().toUpperCase()
  if (!['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].includes(t))
    throw AppError.validation('method must be GET, POST, PUT, PATCH or DELETE', 'method')
  return t
}

function parsePathPrefix(value: unknown): string {
  const t = String(value)
  if (!t.startsWith('/') || t.length > 500) throw AppError.validation('path must start with / (at most 500 characters)', 'path')
  return t
}

/** `from`: a WIB day (its start) or an instant, inclusive. */
const parseFrom = (v: unknown) => parseWhen(typeof v === 'string' ? v.trim() : v, 'from')
/** `to`: a WIB day (up to its end) or an instant, inclusive; returned as the exclusive bound after it. */
function parseTo(v: unknown): Date {
  const t = typeof v === 'string' ? v.trim() : v
  if (typeof t === 'string' && DAY.test(t)) return new Date(startOfWibDay(t).getTime() + DAY_MS)
  return new Date(parseWhen(t, 'to').getTime() + 1)
}

const ListQuery = z
  .object({
    status: optionalParsedBy(parseStatus),
    method: optionalParsedBy(parseMethod),
    path: optionalParsedBy(parsePathPrefix),
    token: z.string().max(64).optional(),
    from: optionalParsedBy(parseFrom),
    to: optionalParsedBy(parseTo),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().max(1000).optional(),
  })
  .refine((f) => !f.from || !f.to || f.from < f.to, { message: 'to must not be before from', path: ['to'] })

export function presentApiCall(c: ListedApiCall) {
  return {
    id: c.publicId,
    at: c.at.toISOString(),
    token_id: c.tokenPublicId,
    method: c.method,
    path: c.path,
    status: c.status,
    latency_ms: Math.round(c.latencyMs * 100) / 100,
    request_body: c.requestBody,
    request_body_truncated: c.bodyTruncated,
    response_bytes: c.responseBytes,
    ip: c.ip,
  }
}

export const apiCallRoutes: FastifyPluginAsync<{ app: App }> = async (instance, { app }) => {
  const server = instance.withTypeProvider<ZodTypeProvider>()

  server.get('/api-calls', { schema: { querystring: ListQuery }, config: { scope: 'user_read' } }, async (request) => {
    const q = request.query
    const page = await listApiCalls(
      app.db,
      principalOf(request).workspace,
      {
        status: q.status,
        method: q.method,
        pathPrefix: q.path,
        token: q.token,
        from: q.from,
        before: q.to,
        limit: q.limit,
        cursor: q.cursor,
      },
      app.secretKey,
    )
    return { data: page.rows.map(presentApiCall), next_cursor: page.nextCursor }
  })
}
