/**
 * The delivery queue's SQL (docs/adr/0011-webhook-delivery.md): claim due deliveries under a lease, capped per
 * endpoint; record each attempt; settle a delivery with a compare-and-set on its claim token, so a worker whose lease
 * ran out cannot overwrite the worker that reclaimed it. No statement here is held open across an HTTP call.
 */
import type { Db, Sql } from '../db/db.ts'

export interface ClaimedDelivery {
  id: string
  publicId: string
  workspaceId: string
  workspacePublicId: string
  endpointId: string
  endpointPublicId: string
  url: string
  secretEnc: string
  seq: string
  eventType: string
  body: string
  /** Attempts made, this one included. */
  attempts: number
  /** Attempts made before the delivery was last replayed: the retry schedule counts from here. */
  scheduleBase: number
  claimToken: string
  leaseUntil: Date
}

type ClaimedRow = {
  id: string
  public_id: string
  workspace_id: string
  workspace_public_id: string
  endpoint_id: string
  endpoint_public_id: string
  url: string
  secret_enc: string
  seq: string
  event_type: string
  body: string
  attempts: number
  schedule_base: number
  claim_token: string
  lease_until: Date
}

/**
 * Claims up to `limit` due deliveries. Endpoints are taken least-recently-claimed first, each at most up to its
 * `max_in_flight` minus the leases it already has, so one slow or hanging endpoint only ever holds its own slots.
 * Two statements in one transaction: the first locks the due endpoints (SKIP LOCKED; NO KEY UPDATE, so inserting a
 * delivery, whose foreign key only needs KEY SHARE, never waits for a claim), the second counts their leases and
 * claims. Every claim holds its endpoints' locks until it commits, so the second statement's snapshot, taken
 * after the locks, sees every lease of those endpoints. (Counting in the locking statement's own snapshot, taken
 * before a lock that another claim had just released, let a cap be exceeded: deliveries.pg.test.ts.) The final
 * UPDATE re-checks the lease on the current row version, so a delivery is never claimed twice.
 */
export async function claimDue(db: Db, limit: number, leaseSeconds: number): Promise<ClaimedDelivery[]> {
  const rows = await db.tx(async (tx) => {
    const due = await tx.query<{ id: string; max_in_flight: number }>(
      `select e.id, e.max_in_flight from webhook_endpoints e
       where e.active and e.deleted_at is null
         and exists (select 1 from webhook_deliveries d where d.endpoint_id = e.id and d.status = 'pending'
                     and d.next_attempt_at <= now() and (d.lease_until is null or d.lease_until < now()))
         -- Skip endpoints already at their cap: a hanging one is always the least recently claimed, and would
         -- otherwise take a slot of this LIMIT and yield nothing. (Only a pre-filter: the next statement recounts.)
         and (select count(*) from webhook_deliveries f
              where f.endpoint_id = e.id and f.status = 'pending' and f.lease_until >= now()) < e.max_in_flight
       order by e.last_claimed_at nulls first, e.id
       limit $1
       for no key update of e skip locked`,
      [limit],
    )
    if (!due.length) return []
    return tx.query<ClaimedRow>(
      `with due_endpoints as (
         select * from unnest($3::bigint[], $4::int[]) with ordinality as de(id, max_in_flight, ord)
       ),
       picked as (
         select x.id from due_endpoints de
         cross join lateral (
           select d.id, d.next_attempt_at, d.seq from webhook_deliveries d
           where d.endpoint_id = de.id and d.status = 'pending' and d.next_attempt_at <= now()
             and (d.lease_until is null or d.lease_until < now())
           order by d.next_attempt_at, d.seq
           limit greatest(de.max_in_flight - (select count(*) from webhook_deliveries f
                                              where f.endpoint_id = de.id and f.status = 'pending'
                                                and f.lease_until >= now()), 0)
         ) x
         order by de.ord, x.next_attempt_at, x.seq
         limit $1
       ),
       claimed as (
         update webhook_deliveries d
         set lease_until = now() + make_interval(secs => $2), claim_token = gen_random_uuid()::text,
             attempts = d.attempts + 1
         from picked
         where d.id = picked.id and d.status = 'pending' and (d.lease_until is null or d.lease_until < now())
         returning d.id, d.public_id, d.workspace_id, d.endpoint_id, d.seq, d.event_type, d.body, d.attempts, d.schedule_base,
                   d.claim_token, d.lease_until
       ),
       touched as (
         update webhook_endpoints e set last_claimed_at = now()
         where e.id in (select endpoint_id from claimed)
       )
       select c.*, w.public_id as workspace_public_id, e.public_id as endpoint_public_id, e.url, e.secret_enc
       from claimed c
       join webhook_endpoints e on e.id = c.endpoint_id
       join workspaces w on w.id = c.workspace_id
       order by c.id`,
      [limit, leaseSeconds, due.map((e) => e.id), due.map((e) => e.max_in_flight)],
    )
  })
  return rows.map((r) => ({
    id: r.id,
    publicId: r.public_id,
    workspaceId: r.workspace_id,
    workspacePublicId: r.workspace_public_id,
    endpointId: r.endpoint_id,
    endpointPublicId: r.endpoint_public_id,
    url: r.url,
    secretEnc: r.secret_enc,
    seq: r.seq,
    eventType: r.event_type,
    body: r.body,
    attempts: r.attempts,
    scheduleBase: r.schedule_base,
    claimToken: r.claim_token,
    leaseUntil: r.lease_until,
  }))
}

export interface AttemptRecord {
  startedAt: Date
  latencyMs: number
  statusCode: number | null
  error: string | null
  requestHeaders: Record<string, string>
  responseHeaders: Record<string, string> | null
  /** The first 4 KB of the response body. */
  responseBody: string | null
  worker: string
}

export type Settlement =
  | { kind: 'succeeded' }
  | { kind: 'retry'; at: Date }
  | { kind: 'failed'; reason: string }

/**
 * Records the attempt (always: the request was made, whoever holds the lease now) and, if `claimToken` still holds
 * the lease, settles the delivery and updates the endpoint's health. Returns whether this worker still held the lease.
 */
export async function recordAttempt(
  db: Db,
  d: Pick<ClaimedDelivery, 'id' | 'workspaceId' | 'endpointId' | 'attempts' | 'claimToken'>,
  a: AttemptRecord,
  s: Settlement,
): Promise<boolean> {
  return db.tx(async (tx) => {
    await tx.query(
      `insert into webhook_attempts (workspace_id, delivery_id, endpoint_id, attempt, started_at, latency_ms,
         status_code, error, request_headers, response_headers, response_body, worker)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
      [
        d.workspaceId,
        d.id,
        d.endpointId,
        d.attempts,
        a.startedAt.toISOString(),
        a.latencyMs,
        a.statusCode,
        a.error,
        JSON.stringify(a.requestHeaders),
        a.responseHeaders === null ? null : JSON.stringify(a.responseHeaders),
        a.responseBody,
        a.worker,
      ],
    )
    const settled = await tx.query(
      `update webhook_deliveries
       set status = $3, next_attempt_at = coalesce($4::timestamptz, next_attempt_at), lease_until = null,
           claim_token = null, last_status = $5, last_error = $6,
           completed_at = case when $3 = 'pending' then null else now() end
       where id = $1 and claim_token = $2
       returning id`,
      [
        d.id,
        d.claimToken,
        s.kind === 'retry' ? 'pending' : s.kind,
        s.kind === 'retry' ? s.at.toISOString() : null,
        a.statusCode,
        s.kind === 'failed' ? s.reason : a.error,
      ],
    )
    if (!settled.length) return false
    await tx.query(
      s.kind === 'succeeded'
        ? `update webhook_endpoints set failing_since = null, last_success_at = now() where id = $1`
        : `update webhook_endpoints set failing_since = coalesce(failing_since, now()) where id = $1`,
      [d.endpointId],
    )
    return true
  })
}

/**
 * Deletes attempts older than `before`, in batches (retention, LUNAS_WEBHOOK_HISTORY_DAYS). Deliveries stay: they are
 * the record that a message was sent, and small.
 */
export async function pruneAttempts(db: Sql, before: Date, batch = 5000): Promise<number> {
  let total = 0
  for (;;) {
    const [r] = await db.query<{ n: number }>(
      `with gone as (
         delete from webhook_attempts where id in
           (select id from webhook_attempts where started_at < $1 order by started_at limit $2) returning 1
       )
       select count(*)::int as n from gone`,
      [before.toISOString(), batch],
    )
    const n = r?.n ?? 0
    total += n
    if (n < batch) return total
  }
}
