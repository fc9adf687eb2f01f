/**
 * Turning an endpoint off when it cannot be delivered to: on 410 Gone at once, and after failing without a success for
 * the configured window. Either way the merchant is told: an alert (what the dashboard shows) and an
 * `endpoint.disabled` event (what other endpoints and the events feed see).
 */
import type { Db, Sql } from '../db/db.ts'
import { appendEvent } from '../events/events.ts'
import type { Workspace } from '../workspaces/workspaces.ts'
import { checkAccountNotDeleted, sameMode } from './endpoints.ts'
import { fanOutEvent } from './fanout.ts'
import { deliveriesCreated } from './signal.ts'
import { newPublicId } from '../shared/ids.ts'

export const ENDPOINT_DISABLED = 'endpoint.disabled'

/** Disables the endpoint if it is still active; returns whether this call did it (so the alert is raised once). */
export async function disableEndpoint(db: Db, endpointId: string, reason: string): Promise<boolean> {
  let sent = 0
  const done = await db.tx(async (tx) => {
    const r = await disableIn(tx, endpointId, reason)
    sent = r.sent
    return r.disabled
  })
  if (sent) deliveriesCreated()
  return done
}

/**
 * `disableEndpoint` inside the caller's transaction: the endpoint off, an alert, an `endpoint.disabled` event and its
 * deliveries. The caller signals the deliveries (`deliveriesCreated`) after commit when `sent` is not 0.
 */
export async function disableIn(tx: Sql, endpointId: string, reason: string): Promise<{ disabled: boolean; sent: number }> {
  const [e] = await tx.query<{ workspace_id: string; public_id: string; url: string; sandbox: boolean }>(
    `update webhook_endpoints set active = false, disabled_at = now(), disabled_reason = $2, updated_at = now()
     where id = $1 and active returning workspace_id, public_id, url, sandbox`,
    [endpointId, reason],
  )
  if (!e) return { disabled: false, sent: 0 }
  const data = { webhook_id: e.public_id, url: e.url, reason }
  await tx.query(
    `insert into alerts (public_id, workspace_id, kind, message, endpoint_id, data) values ($1, $2, $3, $4, $5, $6)`,
    [newPublicId(), e.workspace_id, ENDPOINT_DISABLED, `Webhook ${e.url} dinonaktifkan: ${reason}`, endpointId, JSON.stringify(data)],
  )
  const event = await appendEvent(tx, e.workspace_id, ENDPOINT_DISABLED, data, e.sandbox)
  // Other endpoints of the same mode that subscribed to alerts hear of it (the merchant's own monitoring).
  const sent = await fanOutEvent(tx, e.workspace_id, { ...event, type: ENDPOINT_DISABLED }, data, e.sandbox)
  return { disabled: true, sent }
}

export const ACCOUNT_DELETED = 'its account was deleted'

/**
 * When an account is deleted, the endpoints that name it could never fire again: they are disabled with an alert, so
 * the merchant sees why instead of wondering where the webhooks went. Returns the deliveries created (see disableIn).
 */
export async function disableAccountEndpoints(tx: Sql, accountId: string): Promise<number> {
  const rows = await tx.query<{ id: string }>(
    'select id from webhook_endpoints where account_id = $1 and active and deleted_at is null order by id',
    [accountId],
  )
  let sent = 0
  for (const r of rows) sent += (await disableIn(tx, r.id, ACCOUNT_DELETED)).sent
  return sent
}

/** Re-enables an endpoint: healthy again from now, its failure window reset. */
export async function enableEndpoint(db: Db, ws: Workspace, publicId: string): Promise<boolean> {
  const [e] = await db.query<{ account_id: string | null }>(
    `select account_id from webhook_endpoints e where workspace_id = $1 and public_id = $2 and deleted_at is null
       and ${sameMode(ws)}`,
    [ws.id, publicId],
  )
  if (!e) return false
  await checkAccountNotDeleted(db, ws, e.account_id)
  const rows = await db.query(
    `update webhook_endpoints set active = true, disabled_at = null, disabled_reason = null, failing_since = null,
       updated_at = now()
     where workspace_id = $1 and public_id = $2 and deleted_at is null and ${sameMode(ws, '')} returning id`,
    [ws.id, publicId],
  )
  return rows.length > 0
}
