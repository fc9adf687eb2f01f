/**
 * Fan-out: inside the transaction that stores new mutations, one delivery per matching endpoint and batch, its body
 * rendered and frozen now and its `webhook-sequence` taken from the endpoint's counter. A crash before commit loses
 * the mutations and their deliveries together; after commit both exist (docs/adr/0011-webhook-delivery.md).
 */
import type { Sql } from '../db/db.ts'
import { presentMutation } from '../api/presenters.ts'
import { listedMutationsByIds } from '../ledger/list.ts'
import { mootaMutationsByIds } from '../ledger/moota-list.ts'
import type { StoredMutation } from '../ledger/types.ts'
import { newPublicId } from '../shared/ids.ts'
import type { Workspace } from '../workspaces/workspaces.ts'
import { mutationEndpoints } from './endpoints.ts'
import { matchesMutation } from './filter.ts'
import { webhookBody } from './payload.ts'

/** Mutations per `moota` delivery unless configured (LUNAS_WEBHOOK_BATCH_MAX). */
export const DEFAULT_BATCH_MAX = 50

export interface NewDelivery {
  endpointId: string
  eventType: string
  trigger: 'event' | 'push' | 'test'
  body: string
  mutationIds: string[]
}

/**
 * Inserts deliveries, numbering each endpoint's from its counter (one UPDATE per statement, so the numbers are
 * gap-free and the endpoint row stays locked to commit). Returns how many were inserted.
 */
export async function insertDeliveries(
  tx: Sql,
  workspaceId: string,
  deliveries: readonly NewDelivery[],
): Promise<number> {
  if (!deliveries.length) return 0
  const perEndpoint = new Map<string, number>()
  const ordinal = deliveries.map((d) => {
    const n = (perEndpoint.get(d.endpointId) ?? 0) + 1
    perEndpoint.set(d.endpointId, n)
    return n
  })
  await tx.query(
    `with counts as (
       select * from unnest($2::bigint[], $3::int[]) as c(endpoint_id, n)
     ),
     bumped as (
       update webhook_endpoints e set last_seq = e.last_seq + c.n
       from counts c where e.id = c.endpoint_id and e.workspace_id = $1
       returning e.id, e.last_seq - c.n as base
     )
     insert into webhook_deliveries (public_id, workspace_id, endpoint_id, seq, event_type, trigger, body, mutation_ids)
     select d.public_id, $1, d.endpoint_id, b.base + d.k, d.event_type, d.trigger, d.body, d.mutation_ids::bigint[]
     from unnest($4::text[], $5::bigint[], $6::int[], $7::text[], $8::text[], $9::text[], $10::text[])
          with ordinality as d(public_id, endpoint_id, k, event_type, trigger, body, mutation_ids, ord)
     join bumped b on b.id = d.endpoint_id
     order by d.ord`,
    [
      workspaceId,
      [...perEndpoint.keys()],
      [...perEndpoint.values()],
      deliveries.map(() => newPublicId()),
      deliveries.map((d) => d.endpointId),
      ordinal,
      deliveries.map((d) => d.eventType),
      deliveries.map((d) => d.trigger),
      deliveries.map((d) => d.body),
      deliveries.map((d) => `{${d.mutationIds.join(',')}}`),
    ],
  )
  return deliveries.length
}

/**
 * Fans newly stored mutations of one account out to the workspace's matching endpoints. Costs one indexed query when
 * the workspace has no endpoint for the account.
 */
export async function fanOutMutations(
  tx: Sql,
  ws: Workspace,
  account: { id: string; sandbox: boolean },
  inserted: readonly StoredMutation[],
  batchMax = DEFAULT_BATCH_MAX,
): Promise<number> {
  if (!inserted.length) return 0
  const endpoints = await mutationEndpoints(tx, ws, account.id)
  if (!endpoints.length) return 0
  const matches = endpoints.map((e) => ({
    endpoint: e,
    ids: inserted
      .filter((m) =>
        matchesMutation(e, { accountId: account.id, direction: m.direction, amount: m.amount, sandbox: account.sandbox }),
      )
      .map((m) => m.id),
  }))
  const wanted = new Set(matches.flatMap((m) => m.ids))
  if (!wanted.size) return 0
  const rows = await mootaMutationsByIds(tx, ws, [...wanted])
  const internalId = new Map(inserted.map((m) => [m.publicId, m.id]))
  const byId = new Map(rows.map((r) => [internalId.get(r.publicId)!, r]))
  const deliveries: NewDelivery[] = []
  const lunas = matches.some((m) => m.endpoint.format === 'lunas' && m.ids.length)
    ? await lunasEnvelopes(tx, ws, [...wanted])
    : new Map<string, string>()
  for (const { endpoint, ids } of matches) {
    const mine = ids.filter((id) => byId.has(id))
    if (endpoint.format === 'lunas') {
      // Lunas' own format: one envelope per event, so a receiver handles every event type the same way.
      for (const id of mine)
        deliveries.push({
          endpointId: endpoint.id,
          eventType: 'mutation.created',
          trigger: 'event',
          body: lunas.get(id)!,
          mutationIds: [id],
        })
      continue
    }
    for (let i = 0; i < mine.length; i += batchMax) {
      const chunk = mine.slice(i, i + batchMax)
      deliveries.push({
        endpointId: endpoint.id,
        eventType: 'mutation.created',
        trigger: 'event',
        body: webhookBody(chunk.map((id) => byId.get(id)!)).toString('utf8'),
        mutationIds: chunk,
      })
    }
  }
  return insertDeliveries(tx, ws.id, deliveries)
}

/** `{id, type, created_at, data}`: the envelope of a `lunas`-format delivery; `id` is the event's, as in /v1/events. */
export function lunasEnvelope(event: { publicId: string; type: string; createdAt: Date }, data: unknown): string {
  return JSON.stringify({ id: event.publicId, type: event.type, created_at: event.createdAt.toISOString(), data })
}

/** Envelopes of the new-mutation events of these mutations, by internal mutation id. */
async function lunasEnvelopes(tx: Sql, ws: Workspace, mutationIds: readonly string[]): Promise<Map<string, string>> {
  const events = await tx.query<{ public_id: string; type: string; created_at: Date; mutation_id: string }>(
    `select public_id, type, created_at, mutation_id from events
     where workspace_id = $1 and type = 'mutation.created' and mutation_id = any($2::bigint[])`,
    [ws.id, mutationIds],
  )
  const listed = await listedMutationsByIds(tx, ws, mutationIds)
  const out = new Map<string, string>()
  for (const e of events) {
    const m = listed.get(String(e.mutation_id))
    if (m)
      out.set(
        String(e.mutation_id),
        lunasEnvelope({ publicId: e.public_id, type: e.type, createdAt: e.created_at }, presentMutation(m, [])),
      )
  }
  return out
}

/**
 * Fans a non-mutation event (an alert such as `endpoint.disabled`) out to the workspace's active `lunas`-format
 * endpoints of its mode that subscribed to its type. Moota-format endpoints never receive these.
 */
export async function fanOutEvent(
  tx: Sql,
  workspaceId: string,
  event: { publicId: string; type: string; createdAt: Date },
  data: unknown,
  sandbox = false,
): Promise<number> {
  const endpoints = await tx.query<{ id: string }>(
    `select id from webhook_endpoints
     where workspace_id = $1 and active and deleted_at is null and format = 'lunas' and $2 = any(event_types)
       and sandbox = $3
     order by id`,
    [workspaceId, event.type, sandbox],
  )
  const body = lunasEnvelope(event, data)
  return insertDeliveries(
    tx,
    workspaceId,
    endpoints.map((e) => ({ endpointId: e.id, eventType: event.type, trigger: 'event' as const, body, mutationIds: [] })),
  )
}
