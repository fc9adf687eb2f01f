/**
 * The delivery worker: claims due deliveries (deliveries.ts), sends each over the SSRF-guarded agent (send.ts) with
 * fresh signatures on the frozen body, and records the attempt and what follows (schedule.ts). It keeps at most
 * `concurrency` requests in flight; a hanging endpoint only ever holds the slots its own cap lets it claim. The same
 * loop runs in the one embedded process and in any number of worker processes on PostgreSQL.
 */
import type { Dispatcher } from 'undici'
import type { Db } from '../db/db.ts'
import { decryptSecret } from '../shared/crypto.ts'
import type { Logger } from '../shared/log.ts'
import { type ClaimedDelivery, claimDue, recordAttempt, type Settlement } from './deliveries.ts'
import { disableEndpoint } from './health.ts'
import { decide, failingTooLong } from './schedule.ts'
import { send } from './send.ts'
import { webhookHeaders } from './sign.ts'

export interface DeliveryWorkerOptions {
  db: Db
  key: Buffer
  log: Logger
  agent: Dispatcher
  /** Requests in flight in this process. */
  concurrency: number
  leaseSeconds: number
  timeoutMs: number
  /** Delays before attempts 2, 3, … (ms). */
  schedule: readonly number[]
  /** An endpoint failing without a success this long is disabled (ms). */
  disableAfterMs: number
  /** How often to look for due work when nothing woke the worker (ms). */
  pollMs: number
  version: string
  workerId: string
  now?: () => Date
}

export interface DeliveryWorker {
  /** Look for work now (fan-out in this process calls it after commit). */
  wake(): void
  /** Stops claiming and waits for the requests in flight to be recorded. */
  stop(): Promise<void>
  /** Deliveries this worker has settled or re-scheduled so far. */
  readonly attempts: number
}

/** The `webhook-id` of a delivery: its public id with Standard Webhooks' conventional prefix. */
export const webhookId = (publicId: string) => `msg_${publicId}`

export async function attemptDelivery(o: DeliveryWorkerOptions, d: ClaimedDelivery): Promise<void> {
  const now = o.now ?? (() => new Date())
  const body = Buffer.from(d.body, 'utf8')
  const startedAt = now()
  const headers = webhookHeaders({
    endpointId: d.endpointPublicId,
    workspaceId: d.workspacePublicId,
    secret: decryptSecret(o.key, d.secretEnc),
    deliveryId: webhookId(d.publicId),
    timestamp: Math.floor(startedAt.getTime() / 1000),
    sequence: BigInt(d.seq),
    body,
    version: o.version,
  })
  const res = await send(d.url, { agent: o.agent, headers, body, timeoutMs: o.timeoutMs })
  const error = res.error ? `${res.error.kind}: ${res.error.message}` : null
  const decision = decide(
    {
      ...(res.status === null ? {} : { status: res.status }),
      ...(error ? { error } : {}),
      timedOut: res.error?.kind === 'timeout' || res.error?.kind === 'connect_timeout',
      ...(res.headers['retry-after'] ? { retryAfter: res.headers['retry-after'] } : {}),
    },
    d.attempts - d.scheduleBase,
    o.schedule,
    now(),
  )
  const settlement: Settlement =
    decision.kind === 'succeeded' || decision.kind === 'retry'
      ? decision
      : {
          kind: 'failed',
          reason: decision.kind === 'disable' ? 'the receiver answered 410 Gone' : `no success after ${d.attempts} attempts`,
        }
  const held = await recordAttempt(
    o.db,
    d,
    {
      startedAt,
      latencyMs: res.latencyMs,
      statusCode: res.status,
      error,
      requestHeaders: headers,
      responseHeaders: res.status === null ? null : res.headers,
      responseBody: res.status === null ? null : res.body,
      worker: o.workerId,
    },
    settlement,
  )
  if (!held) {
    o.log.warn({ delivery: d.publicId }, 'webhook lease expired before the attempt was recorded; another worker owns it')
    return
  }
  if (decision.kind === 'disable') await disableEndpoint(o.db, d.endpointId, 'the receiver answered 410 Gone')
  else if (decision.kind !== 'succeeded') await disableIfFailingTooLong(o, d.endpointId, now())
}

async function disableIfFailingTooLong(o: DeliveryWorkerOptions, endpointId: string, now: Date): Promise<void> {
  const [e] = await o.db.query<{ failing_since: Date | null }>(
    'select failing_since from webhook_endpoints where id = $1 and active',
    [endpointId],
  )
  if (e && failingTooLong(e.failing_since, now, o.disableAfterMs)) {
    const hours = Math.round(o.disableAfterMs / 3_600_000)
    await disableEndpoint(o.db, endpointId, `no successful delivery for ${hours} hours`)
  }
}

export function startDeliveryWorker(o: DeliveryWorkerOptions): DeliveryWorker {
  let inFlight = 0
  let attempts = 0
  let stopping = false
  let timer: NodeJS.Timeout | null = null
  let looking: Promise<void> | null = null
  const running = new Set<Promise<void>>()

  const schedule = (ms: number) => {
    if (stopping) return
    if (timer) clearTimeout(timer)
    timer = setTimeout(() => void look(), ms)
  }

  const look = (): Promise<void> => {
    // One claim query at a time per process; a wake during a claim is served by the loop below.
    if (looking) return looking
    // Nothing to claim for: return before the async block, which would otherwise finish synchronously (no await),
    // clear `looking` in its finally before the assignment below, and leave a settled promise there for good.
    if (stopping || inFlight >= o.concurrency) return Promise.resolve()
    looking = (async () => {
      try {
        while (!stopping && inFlight < o.concurrency) {
          const claimed = await claimDue(o.db, o.concurrency - inFlight, o.leaseSeconds)
          if (!claimed.length) break
          for (const d of claimed) {
            inFlight++
            const p = attemptDelivery(o, d)
              .catch((err: unknown) => o.log.error({ err, delivery: d.publicId }, 'webhook attempt failed to record'))
              .finally(() => {
                inFlight--
                attempts++
                running.delete(p)
                if (!stopping) void look()
              })
            running.add(p)
          }
        }
      } catch (err) {
        o.log.error({ err }, 'claiming webhook deliveries failed')
      } finally {
        looking = null
        schedule(o.pollMs)
      }
    })()
    return looking
  }

  void look()
  return {
    wake: () => void look(),
    async stop() {
      stopping = true
      if (timer) clearTimeout(timer)
      await looking
      await Promise.all([...running])
    },
    get attempts() {
      return attempts
    },
  }
}
