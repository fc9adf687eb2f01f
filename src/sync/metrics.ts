/** Sync metrics on prom-client's default registry (served by GET /metrics). */
import { Counter, Gauge, Histogram, type Metric, register } from 'prom-client'

// prom-client refuses a name twice; reuse what the registry holds if this module is ever evaluated again.
function existing<T extends Metric>(name: string, create: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? create()
}

export const syncRuns = existing(
  'lunas_sync_runs_total',
  () =>
    new Counter({
      name: 'lunas_sync_runs_total',
      help: 'Finished sync runs, by status (ok, no_new, failed) and trigger',
      labelNames: ['status', 'trigger'] as const,
    }),
)

export const syncDuration = existing(
  'lunas_sync_duration_seconds',
  () =>
    new Histogram({
      name: 'lunas_sync_duration_seconds',
      help: 'Duration of sync runs in seconds (read plus ingest), by status',
      labelNames: ['status'] as const,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    }),
)

export const syncInFlight = existing(
  'lunas_sync_in_flight',
  () => new Gauge({ name: 'lunas_sync_in_flight', help: 'Sync runs in progress in this process' }),
)
