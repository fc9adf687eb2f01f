/**
 * Headers every answer carries, whatever produced it: a route, a 404, an error, a plugin's refusal (rate limit,
 * body too large), a malformed URL, /health and /metrics.
 *
 * They are set on the raw response before Fastify sees the request, not in an onSend hook: Fastify answers a URL it
 * cannot decode (`/v1/%zz`, FST_ERR_BAD_URL) before any hook runs, and a hook would miss that answer. Node merges
 * headers set here with those Fastify writes, Fastify's winning, so a route that sets its own Cache-Control keeps
 * it. (`fastify.inject` bypasses the HTTP server and so these headers; the tests use real HTTP.)
 *
 * - `X-Content-Type-Options: nosniff`: a browser must take each answer as the type it declares, never sniff a
 *   JSON error that echoes user input into HTML or script.
 * - `Cache-Control: no-store` on every answer, not only on those known to carry a secret (new tokens, Moota's
 *   login, webhook secrets on create and in Moota's list). Marking routes one by one would leave the next route
 *   that shows a secret cacheable until someone remembers the flag, and the rest is per-token ledger data that no
 *   shared cache or browser disk should keep either. Nothing is lost: Moota clients cache nothing, /health and
 *   /metrics must be fresh by definition, and conditional requests were never offered. A route may still set its
 *   own Cache-Control (none does today): that is a decision made where the answer is known.
 */
import type { FastifyInstance } from 'fastify'
import type { IncomingMessage, ServerResponse } from 'node:http'

export function registerResponseHeaders(server: FastifyInstance): void {
  // Prepended: it must run before Fastify's own 'request' listener, which may answer synchronously.
  server.server.prependListener('request', (_request: IncomingMessage, response: ServerResponse) => {
    response.setHeader('x-content-type-options', 'nosniff')
    response.setHeader('cache-control', 'no-store')
  })
}
