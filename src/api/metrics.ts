/**
 * Prometheus metrics on prom-client's default registry, which other modules add their own metrics to.
 * The default process metrics include the event-loop delay (`nodejs_eventloop_lag_p99_seconds` and friends).
 */
import type { FastifyInstance } from 'fastify'
import { Counter, collectDefaultMetrics, Histogram, type Metric, register } from 'prom-client'

const HTTP_REQUESTS = 'lunas_http_requests_total'
const HTTP_DURATION = 'lunas_http_request_duration_seconds'
const LABELS = ['method', 'route', 'status'] as const

/**
 * prom-client refuses to register a name twice, and tests build several servers in one process: reuse what the
 * registry already holds.
 */
function existing<T extends Metric>(name: string, create: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? create()
}

/** Starts the default process metrics once per process. */
export function ensureDefaultMetrics(): void {
  if (!register.getSingleMetric('process_cpu_user_seconds_total')) collectDefaultMetrics()
}

export function registerMetrics(server: FastifyInstance): void {
  ensureDefaultMetrics()
  const requests = existing(
    HTTP_REQUESTS,
    () =>
      new Counter({
        name: HTTP_REQUESTS,
        help: 'HTTP requests answered, by route and status',
        labelNames: LABELS,
      }),
  )
  const duration = existing(
    HTTP_DURATION,
    () =>
      new Histogram({
        name: HTTP_DURATION,
        help: 'HTTP request duration in seconds, by route and status',
        labelNames: LABELS,
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      }),
  )

  server.addHook('onResponse', async (request, reply) => {
    // The route pattern, never the raw URL: ids in paths would make one series per account.
    const labels = {
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      status: reply.statusCode,
    }
    requests.inc(labels)
    duration.observe(labels, reply.elapsedTime / 1000)
  })

  server.get('/metrics', { config: { public: true } }, async (_request, reply) =>
    reply.type(register.contentType).send(await register.metrics()),
  )
}
