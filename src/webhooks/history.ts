/**
 * The read side of webhook history (docs/adr/0011-webhook-delivery.md): an endpoint's attempts (Moota's
 * WebhookHistory), its deliveries newest first, one delivery's attempts, and the deliveries that carried a mutation
 * (through the GIN index on `mutation_ids`). Every statement is scoped to the workspace; an endpoint or mutation of
 * another workspace is "not found" exactly like one that never existed.
 */
import type { Sql } from '../db/db.ts'
import { AppError } from '../shared/errors.ts'
import { isSandbox, namedRows } from '../workspaces/mode.ts'
import type { Workspace } from '../workspaces/workspaces.ts'
import { getEndpoint } from './endpoints.ts'

export type Trigger = 'event' | 'push' | 'test'
export type DeliveryStatus = 'pending' | 'succeeded' | 'failed'

export interface Attempt {
  /** The attempt's ordinal among its endpoint's attempts (Moota's integer history `id`), not the row id. */
  number: number
  attempt: number
  startedAt: Date
  latencyMs: number
  statusCode: number | null
  error: string | null
  requestHeaders: Record<string, string>
  responseHeaders: Record<string, string> | null
  responseBody: string | null
  deliveryPublicId: string
  trigger: Trigger
  /** The delivery's frozen body: what this attempt sent. */
  body: string
}

type AttemptRow = {
  number: string
  attempt: number
  started_at: Date
  latency_ms: number
  status_code: number | null
  error: string | null
  request_headers: Record<string, string>
  response_headers: Record<string, string> | null
  response_body: string | null
  delivery_public_id: string
  trigger: Trigger
  body: string
}

const ATTEMPT_COLUMNS = `a.attempt, a.started_at, a.latency_ms, a.status_code, a.error, a.request_headers,
  a.response_headers, a.response_body, d.public_id as delivery_public_id, d.trigger, d.body`

function toAttempt(r: AttemptRow): Attempt {
  return {
    number: Number(r.number),
    attempt: r.attempt,
    startedAt: r.started_at,
    latencyMs: r.latency_ms,
    statusCode: r.status_code,
    error: r.error,
    requestHeaders: r.request_headers,
    responseHeaders: r.response_headers,
    responseBody: r.response_body,
    deliveryPublicId: r.delivery_public_id,
    trigger: r.trigger,
    body: r.body,
  }
}

/** Whether an attempt counts as delivered: any 2xx. */
export const attemptSucceeded = (a: Pick<Attempt, 'statusCode'>) =>
  a.statusCode !== null && a.statusCode >= 200 && a.statusCode < 300

/** One page (1-based) of an endpoint's attempts, newest first, with the exact total (Moota's history paginator). */
export async function listEndpointAttempts(
  db: Sql,
  ws: Workspace,
  endpointPublicId: string,
  page: number,
  perPage: number,
): Promise<{ total: number; rows: Attempt[] }> {
  const e = await getEndpoint(db, ws, endpointPublicId)
  const [count] = await db.query<{ n: string }>(
    'select count(*) as n from webhook_attempts where workspace_id = $1 and endpoint_id = $2',
    [ws.id, e.id],
  )
  const total = Number(count!.n)
  const offset = (page - 1) * perPage
  if (offset >= total) return { total, rows: [] }
  const rows = await db.query<AttemptRow>(
    // Window functions run before LIMIT, so the numbers are over all of the endpoint's attempts (oldest is 1).
    `select ${ATTEMPT_COLUMNS}, count(*) over () - row_number() over (order by a.id desc) + 1 as number
     from webhook_attempts a join webhook_deliveries d on d.id = a.delivery_id
     where a.workspace_id = $1 and a.endpoint_id = $2
     order by a.id desc limit $3 offset $4`,
    [ws.id, e.id, perPage, offset],
  )
  return { total, rows: rows.map(toAttempt) }
}

export interface Delivery {
  publicId: string
  endpointPublicId: string
  seq: string
  eventType: string
  trigger: Trigger
  status: DeliveryStatus
  attempts: number
  nextAttemptAt: Date
  lastStatus: number | null
  lastError: string | null
  createdAt: Date
  completedAt: Date | null
  /** Public ids of the mutations it carries (none for a test). */
  mutationIds: string[]
}

type DeliveryRow = {
  id: string
  public_id: string
  endpoint_public_id: string
  seq: string
  event_type: string
  trigger: Trigger
  status: DeliveryStatus
  attempts: number
  next_attempt_at: Date
  last_status: number | null
  last_error: string | null
  created_at: Date
  completed_at: Date | null
  mutation_public_ids: string[] | null
}

const DELIVERY_SELECT = `select d.id, d.public_id, e.public_id as endpoint_public_id, d.seq, d.event_type, d.trigger,
    d.status, d.attempts, d.next_attempt_at, d.last_status, d.last_error, d.created_at, d.completed_at,
    (select array_agg(m.public_id order by m.id) from mutations m
     where m.workspace_id = d.workspace_id and m.id = any(d.mutation_ids)) as mutation_public_ids
  from webhook_deliveries d join webhook_endpoints e on e.id = d.endpoint_id`

function toDelivery(r: DeliveryRow): Delivery {
  return {
    publicId: r.public_id,
    endpointPublicId: r.endpoint_public_id,
    seq: String(r.seq),
    eventType: r.event_type,
    trigger: r.trigger,
    status: r.status,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    lastStatus: r.last_status,
    lastError: r.last_error,
    createdAt: r.created_at,
    completedAt: r.completed_at,
    mutationIds: r.mutation_public_ids ?? [],
  }
}

export interface DeliveryPage {
  rows: Delivery[]
  /** The last row's public id when there may be more: pass it back as `cursor`. */
  nextCursor: string | null
}

const CURSOR_INVALID = () =>
  AppError.validation('cursor is not valid (use next_cursor from the previous page)', 'cursor')

/**
 * Deliveries newest first, keyset-paginated by (created_at, id). The cursor is the last delivery's public id, looked
 * up in the same workspace and list, so it reveals no internal id and cannot reach into another workspace.
 */
async function deliveryPage(
  db: Sql,
  ws: Workspace,
  where: string,
  params: unknown[],
  o: { limit: number; cursor?: string | undefined },
): Promise<DeliveryPage> {
  let after = ''
  const all = [ws.id, ...params]
  if (o.cursor) {
    const [c] = await db.query<{ id: string }>(
      `select d.id from webhook_deliveries d where d.workspace_id = $1 and d.public_id = $${all.length + 1} and ${where}`,
      [...all, o.cursor],
    )
    if (!c) throw CURSOR_INVALID()
    all.push(c.id)
    after = `and (d.created_at, d.id) < (select created_at, id from webhook_deliveries where id = $${all.length})`
  }
  all.push(o.limit + 1)
  const rows = await db.query<DeliveryRow>(
    `${DELIVERY_SELECT} where d.workspace_id = $1 and ${where} ${after}
     order by d.created_at desc, d.id desc limit $${all.length}`,
    all,
  )
  const more = rows.length > o.limit
  const page = rows.slice(0, o.limit).map(toDelivery)
  return { rows: page, nextCursor: more ? page[page.length - 1]!.publicId : null }
}

/** An endpoint's deliveries, newest first. */
export async function listEndpointDeliveries(
  db: Sql,
  ws: Workspace,
  endpointPublicId: string,
  o: { limit: number; cursor?: string | undefined },
): Promise<DeliveryPage> {
  const e = await getEndpoint(db, ws, endpointPublicId)
  return deliveryPage(db, ws, 'd.endpoint_id = $2', [e.id], o)
}

/** The deliveries that carried a mutation (any endpoint, deleted ones too), newest first; 404 for an unknown one. */
export async function listMutationDeliveries(
  db: Sql,
  ws: Workspace,
  mutationPublicId: string,
  o: { limit: number; cursor?: string | undefined },
): Promise<DeliveryPage> {
  const [m] = await db.query<{ id: string }>(
    `select id from mutations where workspace_id = $1 and public_id = $2 and deleted_at is null
       and ${namedRows(ws, 'sandbox')}`,
    [ws.id, mutationPublicId],
  )
  if (!m) throw AppError.notFound(`mutation ${mutationPublicId} not found`)
  // `@>` on a one-element array is what the GIN index on mutation_ids serves. A sandbox-mode caller sees the
  // deliveries to sandbox endpoints only, never a live endpoint's.
  const mode = isSandbox(ws)
    ? ' and d.endpoint_id in (select x.id from webhook_endpoints x where x.workspace_id = $1 and x.sandbox)'
    : ''
  return deliveryPage(db, ws, `d.mutation_ids @> array[$2::bigint]${mode}`, [m.id], o)
}

/** One delivery of an endpoint, with its internal id for the control functions. */
export async function getDelivery(
  db: Sql,
  ws: Workspace,
  endpointPublicId: string,
  deliveryPublicId: string,
): Promise<Delivery & { id: string; endpointId: string }> {
  const e = await getEndpoint(db, ws, endpointPublicId)
  const [r] = await db.query<DeliveryRow>(
    `${DELIVERY_SELECT} where d.workspace_id = $1 and d.endpoint_id = $2 and d.public_id = $3`,
    [ws.id, e.id, deliveryPublicId],
  )
  if (!r) throw AppError.notFound(`delivery ${deliveryPublicId} not found`)
  return { ...toDelivery(r), id: r.id, endpointId: e.id }
}

/** Every attempt of one delivery, first to last. */
export async function listDeliveryAttempts(
  db: Sql,
  ws: Workspace,
  endpointPublicId: string,
  deliveryPublicId: string,
): Promise<Attempt[]> {
  const d = await getDelivery(db, ws, endpointPublicId, deliveryPublicId)
  const rows = await db.query<AttemptRow>(
    `select ${ATTEMPT_COLUMNS}, (select count(*) from webhook_attempts x where x.endpoint_id = a.endpoint_id
       and x.id <= a.id) as number
     from webhook_attempts a join webhook_deliveries d on d.id = a.delivery_id
     where a.workspace_id = $1 and a.delivery_id = $2 order by a.id`,
    [ws.id, d.id],
  )
  return rows.map(toAttempt)
}

const REASONS: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
  408: 'Request Timeout', 409: 'Conflict', 410: 'Gone', 413: 'Payload Too Large', 419: 'Page Expired',
  422: 'Unprocessable Entity', 429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway',
  503: 'Service Unavailable', 504: 'Gateway Timeout',
}

/** Characters of the answer Moota's `response` text keeps (Guzzle's summary cuts at 120 bytes). */
const RESPONSE_PREVIEW = 120

/**
 * Moota's history `response` text. Moota's sender is Guzzle, whose exception reads "Client error: `POST <url>`
 * resulted in a `404 Not Found` response:\n<first bytes>"; a 2xx keeps the first bytes of the answer; a request that
 * got no answer keeps the error. Pure.
 */
export function responseText(a: Pick<Attempt, 'statusCode' | 'error' | 'responseBody'>, url: string): string {
  if (a.statusCode === null) return a.error ?? ''
  const preview = (a.responseBody ?? '').slice(0, RESPONSE_PREVIEW)
  if (a.statusCode >= 200 && a.statusCode < 300) return preview
  const kind = a.statusCode >= 500 ? 'Server error' : a.statusCode >= 400 ? 'Client error' : 'Unexpected answer'
  const status = `${a.statusCode}${REASONS[a.statusCode] ? ` ${REASONS[a.statusCode]}` : ''}`
  return `${kind}: \`POST ${url}\` resulted in a \`${status}\` response:\n${preview}`
}
