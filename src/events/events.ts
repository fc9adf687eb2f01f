/**
 * The workspace's event log. Mutation events are written by the ingest statement itself (ledger/queries.ts); other
 * events (an endpoint disabled, later "order paid") come through `appendEvent`. Both take their `seq` from the
 * workspace's counter with a row lock held to commit, so events become visible in `seq` order.
 */
import type { Sql } from '../db/db.ts'
import { newPublicId } from '../shared/ids.ts'

export interface AppendedEvent {
  id: string
  publicId: string
  seq: string
}

export async function appendEvent(tx: Sql, workspaceId: string, type: string, data: unknown): Promise<AppendedEvent> {
  const [row] = await tx.query<{ id: string; public_id: string; seq: string }>(
    `with bump as (update workspaces set event_seq = event_seq + 1 where id = $1 returning event_seq)
     insert into events (public_id, workspace_id, type, seq, data)
     select $2, $1, $3, bump.event_seq, $4 from bump
     returning id, public_id, seq`,
    [workspaceId, newPublicId(), type, JSON.stringify(data)],
  )
  return { id: row!.id, publicId: row!.public_id, seq: row!.seq }
}
