/**
 * The single error mapper. An `AppError` or a request that fails its schema becomes `application/problem+json` on
 * Lunas' own surface (`/v1`, and the root routes) and Moota's shapes on `/api/v2`, because Moota's SDKs build their
 * exception text from `message` (falling back to `error`). Anything else is logged with its context and answered as a
 * bare 500, so SQL, stack traces and paths never reach a client.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { type ErrorCode, isAppError } from '../shared/errors.ts'

export type Surface = 'moota' | 'lunas'

export const MOOTA_PREFIX = '/api/v2'
export const LUNAS_PREFIX = '/v1'

const under = (path: string, prefix: string) => path === prefix || path.startsWith(`${prefix}/`)

function pathOf(url: string): string {
  return url.split('?', 1)[0] ?? url
}

/** Which surface a URL belongs to, which decides the error shape. */
export function surfaceOf(url: string): Surface {
  return under(pathOf(url), MOOTA_PREFIX) ? 'moota' : 'lunas'
}

/** True for the token-protected surfaces; `/health` and `/metrics` sit outside them. */
export function isApiPath(url: string): boolean {
  const path = pathOf(url)
  return under(path, MOOTA_PREFIX) || under(path, LUNAS_PREFIX)
}

// Longer paths are not ours: no route is anywhere near this long, so there is nothing to normalise.
const MAX_PATH = 2048
const SLASHES = /\/{2,}/g

/**
 * The raw URL's path as the router reads it: percent-escapes decoded and repeated slashes collapsed, so that
 * `//api/v2/bank` and `/%76%31/tokens` count as the API paths they reach. Only for requests that matched no route;
 * a matched request is judged by its route (`apiRouteOf`).
 */
export function normalisedPath(url: string): string {
  const path = pathOf(url).slice(0, MAX_PATH)
  let decoded = path
  try {
    decoded = decodeURIComponent(path)
  } catch {
    // A malformed escape: the router could not decode it either, so judge the path as sent.
  }
  return decoded.replace(SLASHES, '/')
}

/**
 * The path template of the route Fastify resolved (`/v1/tokens/:id`), or null when none matched. Authentication,
 * the call log, idempotency and the error shape decide on this, never on the raw URL: the router ignores repeated
 * slashes and decodes escapes, so a check on the raw string could be skipped by spelling the same route otherwise.
 */
export function resolvedRoute(request: FastifyRequest): string | null {
  return request.is404 ? null : (request.routeOptions.url ?? null)
}

/** The path that decides which surface a request belongs to: its route's, or its normalised raw path on a 404. */
export function surfacePath(request: FastifyRequest): string {
  return resolvedRoute(request) ?? normalisedPath(request.url)
}

/** One problem with one field of a request, as found by schema validation. */
export interface FieldIssue {
  field: string
  message: string
  /** The field was absent or empty: Moota answers these with Laravel's "Kolom x harus diisi.". */
  missing: boolean
}

/** A request whose params, query or body failed its route schema (see validation.ts). */
export class InvalidRequest extends Error {
  override readonly name = 'InvalidRequest'
  constructor(readonly issues: readonly FieldIssue[]) {
    super(issues.map((i) => `${i.field}: ${i.message}`).join('; '))
  }
}

/** What every client-facing error is reduced to before it is shaped for a surface. */
export interface Failure {
  status: number
  code: ErrorCode | 'internal'
  detail: string
  field?: string
  /** Per-field messages (Laravel's `errors` bag), when the failure is about fields. */
  errors?: Record<string, string[]>
  /** Set when the request failed its route schema (not a domain rule). */
  fromSchema?: boolean
  /** Fields that were absent, so Moota's answer can use Laravel's required-field wording. */
  missing?: ReadonlySet<string>
}

const INTERNAL: Failure = {
  status: 500,
  code: 'internal',
  detail: 'An unexpected error occurred; it has been logged.',
}

const TITLES: Record<Failure['code'], string> = {
  validation: 'Invalid request',
  not_found: 'Not found',
  conflict: 'Conflict',
  unauthorized: 'Unauthenticated',
  forbidden: 'Forbidden',
  rate_limited: 'Too many requests',
  unavailable: 'Service unavailable',
  source_failed: 'Source failed',
  internal: 'Internal server error',
}

/** Fastify's own client errors (bad JSON, unsupported media type, body too large) carry a safe message. */
function isFastifyClientError(err: unknown): err is FastifyError {
  const e = err as Partial<FastifyError> | null
  return (
    typeof e?.code === 'string' &&
    e.code.startsWith('FST_') &&
    typeof e.statusCode === 'number' &&
    e.statusCode >= 400 &&
    e.statusCode < 500
  )
}

function codeForStatus(status: number): ErrorCode {
  if (status === 401) return 'unauthorized'
  if (status === 403) return 'forbidden'
  if (status === 404) return 'not_found'
  if (status === 409) return 'conflict'
  if (status === 429) return 'rate_limited'
  return 'validation'
}

/** Reduces a thrown value to a `Failure`, or null when it is not meant for clients (an unknown error). */
export function classify(err: unknown): Failure | null {
  if (isAppError(err)) {
    return {
      status: err.status,
      code: err.code,
      detail: err.message,
      ...(err.field ? { field: err.field, errors: { [err.field]: [err.message] } } : {}),
    }
  }
  if (err instanceof InvalidRequest) {
    const errors: Record<string, string[]> = {}
    for (const issue of err.issues) errors[issue.field] = [...(errors[issue.field] ?? []), issue.message]
    const first = err.issues[0]
    return {
      status: 422,
      code: 'validation',
      detail: first?.message ?? 'the request is invalid',
      ...(first ? { field: first.field } : {}),
      errors,
      fromSchema: true,
      missing: new Set(err.issues.filter((i) => i.missing).map((i) => i.field)),
    }
  }
  if (isFastifyClientError(err)) {
    // A schema error from a plain JSON schema (not ours) is still a validation failure: same 422 as ours.
    const status = err.code === 'FST_ERR_VALIDATION' ? 422 : err.statusCode!
    return { status, code: codeForStatus(status), detail: err.message }
  }
  return null
}

/** RFC 9457 problem details, with Lunas' closed `code` and the field(s) at fault as extension members. */
export function toProblem(f: Failure): Record<string, unknown> {
  return {
    type: `https://lunas.dev/problems/${f.code}`,
    title: TITLES[f.code],
    status: f.status,
    detail: f.detail,
    code: f.code,
    ...(f.field ? { field: f.field } : {}),
    ...(f.errors ? { errors: f.errors } : {}),
  }
}

/** Moota's (Laravel's) bodies. Every one carries `message`, which is what Moota's SDKs show. */
export function toMootaBody(f: Failure): Record<string, unknown> {
  switch (f.code) {
    case 'validation': {
      // A domain refusal ("only sandbox accounts…") is one specific rule: its own words are the message, as a
      // Laravel controller's abort(422) would say. Schema failures keep the FormRequest wording of Moota's fixtures.
      if (!f.fromSchema) return { message: f.detail, ...(f.errors ? { errors: f.errors } : {}) }
      const errors = Object.fromEntries(
        Object.entries(f.errors ?? {}).map(([field, messages]) => [
          field,
          f.missing?.has(field) ? [`Kolom ${field} harus diisi.`] : messages,
        ]),
      )
      return { message: 'The given data was invalid.', errors }
    }
    case 'not_found':
      return { error: true, message: 'Data tidak ditemukan', detail: f.detail }
    case 'unauthorized':
      return { message: 'Unauthenticated.' }
    // Laravel's throttle middleware, which Moota's API runs behind; the Retry-After header carries the wait.
    case 'rate_limited':
      return { message: 'Too Many Attempts.' }
    case 'internal':
      return { message: 'Server Error' }
    default:
      return { message: f.detail }
  }
}

/** Sends a failure in the shape of the surface the request came in on. */
export function sendFailure(request: FastifyRequest, reply: FastifyReply, f: Failure): FastifyReply {
  reply.code(f.status)
  if (surfaceOf(surfacePath(request)) === 'moota')
    return reply.type('application/json; charset=utf-8').send(toMootaBody(f))
  if (f.status === 401) reply.header('www-authenticate', 'Bearer')
  return reply.type('application/problem+json; charset=utf-8').send(toProblem(f))
}

/** Installs the error handler and the not-found handler on the root instance (children inherit both). */
export function registerErrorHandling(server: FastifyInstance): void {
  server.setErrorHandler((err, request, reply) => {
    const failure = classify(err)
    if (!failure) {
      request.log.error(
        {
          err,
          method: request.method,
          route: request.routeOptions.url,
          workspace: request.principal?.workspace.publicId,
        },
        'unhandled error',
      )
      return sendFailure(request, reply, INTERNAL)
    }
    if (failure.status >= 500) request.log.warn({ err }, 'request failed')
    return sendFailure(request, reply, failure)
  })
  server.setNotFoundHandler((request, reply) =>
    sendFailure(request, reply, {
      status: 404,
      code: 'not_found',
      detail: `no route for ${request.method} ${pathOf(request.url)}`,
    }),
  )
}
