/**
 * The HTTP server: Moota-compatible routes under /api/v2, Lunas' own under /v1, plus /health and /metrics.
 * `buildServer` wires the cross-cutting pieces (body parsing, validation, errors, metrics, auth) on the root instance
 * and registers each routes file as an encapsulated plugin. It does not listen; the caller does.
 */
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyRequest,
  LogController,
} from 'fastify'
import type { App } from '../app.ts'
import { redactUrl } from '../apilog/redact.ts'
import { registerAuth } from './auth.ts'
import { registerCallLog } from './call-log.ts'
import { registerBodyParsers } from './body.ts'
import { LUNAS_PREFIX, MOOTA_PREFIX, registerErrorHandling } from './errors.ts'
import { registerResponseHeaders } from './headers.ts'
import { registerIdempotency } from './idempotency.ts'
import { registerMetrics } from './metrics.ts'
import { registerPublicUrl } from './moota/page-request.ts'
import { registerRateLimits } from './rate-limit.ts'
import { registerOpenApi } from './openapi/openapi.ts'
import { accountRoutes } from './routes/accounts.ts'
import { apiCallRoutes } from './routes/api-calls.ts'
import { mootaAuthRoutes } from './routes/moota-auth.ts'
import { mootaBankRoutes } from './routes/moota-banks.ts'
import { mootaBillingRoutes } from './routes/moota-billing.ts'
import { eventRoutes } from './routes/events.ts'
import { healthRoutes } from './routes/health.ts'
import { mootaMutationRoutes } from './routes/moota-mutations.ts'
import { mootaTaggingRoutes } from './routes/moota-tagging.ts'
import { mootaWebhookRoutes } from './routes/moota-webhooks.ts'
import { mutationRoutes } from './routes/mutations.ts'
import { tagRoutes } from './routes/tags.ts'
import { tokenRoutes } from './routes/tokens.ts'
import { webhookRoutes } from './routes/webhooks.ts'
import { zodValidatorCompiler } from './validation.ts'


const QUIET_PATHS = new Set(['/health', '/metrics'])

/** What a request log line says about the request: no headers at all, so Authorization and cookies never appear. */
function requestSummary(request: FastifyRequest) {
  return {
    method: request.method,
    // Query parameters that may carry a credential (Moota's legacy v1 took `?apikey=`): never written to the logs.
    url: redactUrl(request.url),
    remoteAddress: request.ip,
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Registered routes as `METHOD /path` (HEAD left out). */
    routeList(): string[]
  }
}

export async function buildServer(app: App): Promise<FastifyInstance> {
  // Typed as Fastify's base logger so the instance is the plain FastifyInstance every routes plugin expects.
  const logger: FastifyBaseLogger = app.log.child({}, { serializers: { req: requestSummary } })
  const server = Fastify({
    loggerInstance: logger,
    // Clients built by hand against Moota add trailing or doubled slashes; neither should be a 404.
    routerOptions: { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true },
    // Probes and scrapers call these every few seconds; two log lines each would drown everything else.
    logController: new LogController({
      disableRequestLogging: (request) => QUIET_PATHS.has(request.url?.split('?', 1)[0] ?? ''),
    }),
  })

  // Every route as "METHOD /path": the tenant-isolation test checks each one has a hand-written expectation.
  const routes: string[] = []
  server.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) if (method !== 'HEAD') routes.push(`${method} ${route.url}`)
  })
  server.decorate('routeList', () => [...routes])

  server.setValidatorCompiler(zodValidatorCompiler)
  registerBodyParsers(server)
  registerErrorHandling(server)
  registerResponseHeaders(server)
  registerPublicUrl(server, app.config)
  registerMetrics(server)
  registerAuth(server, app.db)
  registerCallLog(server, app)
  await registerRateLimits(server, app.config)
  registerIdempotency(server, app)
  registerOpenApi(server) // before the routes: it collects them as they register

  await server.register(healthRoutes, { app })
  await server.register(mootaAuthRoutes, { app, prefix: MOOTA_PREFIX })
  await server.register(mootaBankRoutes, { app, prefix: MOOTA_PREFIX })
  await server.register(mootaMutationRoutes, { app, prefix: MOOTA_PREFIX })
  await server.register(mootaTaggingRoutes, { app, prefix: MOOTA_PREFIX })
  await server.register(mootaBillingRoutes, { app, prefix: MOOTA_PREFIX })
  await server.register(mootaWebhookRoutes, { app, prefix: MOOTA_PREFIX })
  await server.register(mutationRoutes, { app, prefix: LUNAS_PREFIX })
  await server.register(accountRoutes, { app, prefix: LUNAS_PREFIX })
  await server.register(tokenRoutes, { app, prefix: LUNAS_PREFIX })
  await server.register(eventRoutes, { app, prefix: LUNAS_PREFIX })
  await server.register(apiCallRoutes, { app, prefix: LUNAS_PREFIX })
  await server.register(tagRoutes, { app, prefix: LUNAS_PREFIX })
  await server.register(webhookRoutes, { app, prefix: LUNAS_PREFIX })
  return server
}
