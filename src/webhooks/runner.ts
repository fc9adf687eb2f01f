/**
 * Webhook delivery in a worker process (role `all` or `worker`): one SSRF-guarded undici agent, the delivery worker
 * woken by this process's own fan-outs and polling for the others', and the pruning of old attempts.
 */
import { hostname } from 'node:os'
import type { App } from '../app.ts'
import { VERSION } from '../shared/version.ts'
import { pruneAttempts } from './deliveries.ts'
import { createWebhookAgent } from './send.ts'
import { onDeliveriesCreated } from './signal.ts'
import { startDeliveryWorker } from './worker.ts'

const DAY_MS = 86_400_000
const PRUNE_EVERY_MS = 3_600_000

export interface Webhooks {
  /** Stops claiming, waits for the attempts in flight to be recorded, closes the agent's connections. */
  stop(): Promise<void>
}

export function startWebhooks(app: App, workerId = `${hostname()}:${process.pid}`): Webhooks {
  const c = app.config
  const agent = createWebhookAgent({ allow: c.webhookAllowNetworks, connectTimeoutMs: c.webhookConnectTimeoutMs })
  const worker = startDeliveryWorker({
    db: app.db,
    key: app.secretKey,
    log: app.log,
    agent,
    concurrency: c.webhookConcurrency,
    leaseSeconds: c.webhookLeaseSeconds,
    timeoutMs: c.webhookTimeoutMs,
    schedule: c.webhookSchedule,
    disableAfterMs: c.webhookDisableAfterMs,
    pollMs: c.webhookPollMs,
    version: VERSION,
    workerId,
  })
  const unsubscribe = onDeliveriesCreated(() => worker.wake())
  let pruning: Promise<unknown> | null = null
  const prune = () => {
    pruning ??= pruneAttempts(app.db, new Date(Date.now() - c.webhookHistoryDays * DAY_MS))
      .then((n) => n && app.log.info({ deleted: n }, 'webhook history: old attempts deleted'))
      .catch((err: unknown) => app.log.warn({ err }, 'webhook history: pruning failed; retried at the next run'))
      .finally(() => {
        pruning = null
      })
  }
  const timer = setInterval(prune, PRUNE_EVERY_MS)
  timer.unref()
  return {
    async stop() {
      clearInterval(timer)
      unsubscribe()
      await worker.stop()
      await pruning
      await agent.close()
    },
  }
}
