/**
 * Turning an endpoint off when it cannot be delivered to: on 410 Gone at once, and after failing without a success for
 * the configured window. Either way the merchant is told: an alert (what the dashboard shows) and an
 * `endpoint.disabled` event (what other endpoints and the events feed see).
 */
import type { Db } from '../db/db.ts'
import { appendEvent } from '../events/events.ts'
import { fanOutEvent } from './fanout.ts'
import { deliveriesCreated } from './signal.ts'
import { newPublicId } from '../shared/ids.ts'

export const ENDPOINT_DISABLED = 'endpoint.disabled'

/** Disables the endpoint if it is still active; returns whether this call did it (so the alert is raised once). */
export async function disableEndpoint(db: Db, endpointId: string, reason: string): Promise<boolean> {
  let sent = 0
  const done = await db.tx(async (tx) => {
    const [e] = await tx.query<{ workspace_id: string; public_id: string; url: string }>(
      `update webhook_endpoints set active = false, disabled_at = now(), disabled_reason = $2, updated_at = now()
       where id = $1 and active returning workspace_id, public_id, url`,
      [endpointId, reason],
    )
    if (!e) return false
    const data = { webhook_id: e.public_id, url: e.url, reason }
    await tx.query(
      `insert into alerts (public_id, workspace_id, kind, message, endpoint_id, data) values ($1, $2, $3, $4, $5, $6)`,
      [newPublicId(), e.workspace_id, ENDPOINT_DISABLED, `Webhook ${e.url} dinonaktifkan: ${reason}`, endpointId, JSON.stringify(data)],
    )
    const event = await appendEvent(tx, e.workspace_id, ENDPOINT_DISABLED, data)
    // Other endpoints that subscribed to alerts hear of it (a lunas-format endpoint of the merchant's own monitoring).
    sent = await fanOutEvent(tx, e.workspace_id, { ...event, type: ENDPOINT_DISABLED }, data)
    return true
  })
  if (sent) deliveriesCreated()
  return done
}

/** Re-enables an endpoint: healthy again from now, its failure window reset. */
export async function enableEndpoint(db: Db, workspaceId: string, publicId: string): Promise<boolean> {
  const rows = await db.query(
    `update webhook_endpoints set active = true, disabled_at = null, disabled_reason = null, failing_since = null,
       updated_at = now()
     where workspace_id = $1 and public_id = $2 and deleted_at is null returning id`,
    [workspaceId, publicId],
  )
  return rows.length > 0
}
