/**
 * `Idempotency-Key` on every /v1 write (POST, PUT, PATCH, DELETE), once, as hooks on the root instance:
 * - preValidation (after authentication, before the body is checked) claims the key for the calling token, or answers
 *   from it: the stored response with `Idempotent-Replayed: true`, 422 when the key came with a different request,
 *   409 while the first request is still running;
 * - onSend stores the response of the request that claimed the key, except a 5xx, which releases it (the client
 *   may retry); onResponse releases a claim that never reached onSend.
 * Stored bodies are encrypted under the secret key (AES-256-GCM, as credentials are): `POST /v1/tokens` answers with
 * a token shown once, which must never rest in the database in clear (ADR 4).
 * Without the header a write runs as before. Storage is src/idempotency/keys.ts; keys expire after
 * LUNAS_IDEMPOTENCY_TTL_HOURS and are pruned every hour by the API process.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { App } from '../app.ts'
import {
  claimKey,
  completeKey,
  type KeyOwner,
  MAX_KEY_LENGTH,
  pruneExpiredKeys,
  releaseKey,
  requestFingerprint,
} from '../idempotency/keys.ts'
import { decryptSecret, encryptSecret } from '../shared/crypto.ts'
import { AppError } from '../shared/errors.ts'
import { isApiPath, resolvedRoute, surfaceOf } from './errors.ts'

declare module 'fastify' {
  interface FastifyRequest {
    /** The idempotency key this request claimed and must complete or release; null otherwise. */
    idempotencyClaim: { owner: KeyOwner; key: string; settled: boolean } | null
  }
}

export const IDEMPOTENCY_HEADER = 'idempotency-key'
export const REPLAYED_HEADER = 'idempotent-replayed'
const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])
const PRUNE_EVERY_MS = 60 * 60 * 1000

/** The request's key, null without one; refused when repeated, empty or longer than 255 characters. */
export function idempotencyKeyOf(request: FastifyRequest): string | null {
  const value = request.headers[IDEMPOTENCY_HEADER]
  if (value === undefined) return null
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_KEY_LENGTH)
    throw AppError.validation(`Idempotency-Key must be one value of 1 to ${MAX_KEY_LENGTH} characters`, 'Idempotency-Key')
  return value
}

function appliesTo(request: FastifyRequest): boolean {
  const route = resolvedRoute(request)
  return WRITES.has(request.method) && route !== null && isApiPath(route) && surfaceOf(route) === 'lunas'
}

export function registerIdempotency(server: FastifyInstance, app: App): void {
  server.decorateRequest('idempotencyClaim', null)

  server.addHook('preValidation', async (request, reply) => {
    if (!appliesTo(request) || !request.principal) return
    const key = idempotencyKeyOf(request)
    if (key === null) return
    // The caller's own key: a stored answer may hold a secret shown once, so it is replayed only to its sender.
    const owner: KeyOwner = { workspace: request.principal.workspace, tokenId: request.principal.tokenId }
    const hash = requestFingerprint(request.method, request.url, request.body)
    const claim = await claimKey(app.db, owner, { key, hash, ttlHours: app.config.idempotencyTtlHours })
    switch (claim.kind) {
      case 'claimed':
        request.idempotencyClaim = { owner, key, settled: false }
        return
      case 'mismatch':
        throw AppError.validation(
          'this Idempotency-Key was already used with a different request (method, path or body)',
          'Idempotency-Key',
        )
      case 'in_flight':
        throw new AppError('conflict', 'a request with this Idempotency-Key is still being processed; retry later')
      case 'replay': {
        const { status, contentType, body } = claim.response
        reply.code(status).header(REPLAYED_HEADER, 'true')
        if (contentType) reply.type(contentType)
        return reply.send(status === 204 || body === '' ? undefined : decryptSecret(app.secretKey, body))
      }
    }
  })

  server.addHook('onSend', async (request, reply, payload) => {
    const claim = request.idempotencyClaim
    if (!claim || claim.settled) return payload
    claim.settled = true
    const storable = typeof payload === 'string' || payload === null || payload === undefined || Buffer.isBuffer(payload)
    try {
      if (reply.statusCode >= 500 || !storable) await releaseKey(app.db, claim.owner, claim.key)
      else
        await completeKey(app.db, claim.owner, claim.key, {
          status: reply.statusCode,
          contentType: (reply.getHeader('content-type') as string | undefined) ?? null,
          body: payload === null || payload === undefined ? '' : encryptSecret(app.secretKey, String(payload)),
        })
    } catch (err) {
      // The write itself succeeded; failing its answer now would invite a retry that runs it twice. Say so instead.
      request.log.error({ err }, 'could not store the idempotent response')
    }
    return payload
  })

  server.addHook('onResponse', async (request) => {
    const claim = request.idempotencyClaim
    if (!claim || claim.settled) return
    claim.settled = true
    await releaseKey(app.db, claim.owner, claim.key)
  })

  // Expired keys already count as absent when claimed; pruning only keeps the table small.
  const timer = setInterval(() => {
    pruneExpiredKeys(app.db).catch((err: unknown) => app.log.warn({ err }, 'pruning idempotency keys failed'))
  }, PRUNE_EVERY_MS)
  timer.unref()
  server.addHook('onClose', async () => clearInterval(timer))
}
