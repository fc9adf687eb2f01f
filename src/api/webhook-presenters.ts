/**
 * Lunas' /v1 forms of a webhook endpoint, a delivery and an attempt (ISO UTC instants), shared by the /v1 routes and
 * the CLI's `--json`. Never the secret: the create answer adds it itself. Pure.
 */
import type { Endpoint } from '../webhooks/endpoints.ts'
import { type Attempt, attemptSucceeded, type Delivery } from '../webhooks/history.ts'
import { webhookId } from '../webhooks/worker.ts'

const iso = (d: Date | null) => d?.toISOString() ?? null

export function presentWebhook(e: Endpoint) {
  return {
    id: e.publicId,
    url: e.url,
    account_id: e.accountPublicId,
    kinds: e.kinds,
    start_unique_code: e.startUniqueCode,
    end_unique_code: e.endUniqueCode,
    event_types: [...e.eventTypes],
    format: e.format,
    active: e.active,
    disabled_at: iso(e.disabledAt),
    disabled_reason: e.disabledReason,
    failing_since: iso(e.failingSince),
    last_success_at: iso(e.lastSuccessAt),
    created_at: e.createdAt.toISOString(),
    updated_at: e.updatedAt.toISOString(),
  }
}

export function presentDelivery(d: Delivery) {
  return {
    id: d.publicId,
    /** The `webhook-id` header: the same on every attempt, retry and replay of this delivery. */
    webhook_id: webhookId(d.publicId),
    endpoint_id: d.endpointPublicId,
    sequence: Number(d.seq),
    event_type: d.eventType,
    trigger: d.trigger,
    status: d.status,
    attempts: d.attempts,
    next_attempt_at: d.status === 'pending' ? d.nextAttemptAt.toISOString() : null,
    last_status: d.lastStatus,
    last_error: d.lastError,
    mutation_ids: d.mutationIds,
    created_at: d.createdAt.toISOString(),
    completed_at: iso(d.completedAt),
  }
}

export function presentAttempt(a: Attempt) {
  return {
    attempt: a.attempt,
    succeeded: attemptSucceeded(a),
    started_at: a.startedAt.toISOString(),
    latency_ms: a.latencyMs,
    status_code: a.statusCode,
    error: a.error,
    request_headers: a.requestHeaders,
    response_headers: a.responseHeaders,
    response_body: a.responseBody,
  }
}
