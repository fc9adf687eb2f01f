/**
 * The workspace's event log. Mutation events are written by the ingest statement itself (ledger/queries.ts); other
 * events (an endpoint disabled, later "order paid") come through `appendEvent`. Both take their `seq` from the
 * workspace's counter with a row lock held to commit, so events become visible in `seq` order.
 */
import type { Sql } from '../db/db.ts'
import { newPublicId } from '../shared/ids.ts'
import { unnamedRows } from '../workspaces/mode.ts'
import type { Workspace } from '../workspaces/workspaces.ts'

export interface AppendedEvent {
  id: string
  publicId: string
  seq: string
  createdAt: Date
}

/** `sandbox`: the event concerns sandbox data (a sandbox endpoint disabled), so only sandbox mode lists it. */
export async function appendEvent(
  tx: Sql,
  workspaceId: string,
  type: string,
  data: unknown,
  sandbox = false,
): Promise<AppendedEvent> {
  const [row] = await tx.query<{ id: string; public_id: string; seq: string; created_at: Date }>(
    `with bump as (update workspaces set event_seq = event_seq + 1 where id = $1 returning event_seq)
     insert into events (public_id, workspace_id, type, seq, data, sandbox)
     select $2, $1, $3, bump.event_seq, $4, $5 from bump
     returning id, public_id, seq, created_at`,
    [workspaceId, newPublicId(), type, JSON.stringify(data), sandbox],
  )
  return { id: row!.id, publicId: row!.public_id, seq: String(row!.seq), createdAt: row!.created_at }
}

export interface StoredEvent {
  publicId: string
  seq: string
  type: string
  createdAt: Date
  /** Internal id of the mutation a `mutation.created` event announces. */
  mutationId: string | null
  sandbox: boolean
  data: unknown
}

export interface EventFilter {
  /** Only events with a higher `seq` (the previous page's last). */
  after: bigint
  limit: number
  includeSandbox: boolean
}

/**
 * The workspace's events in `seq` order after a cursor. Events become visible in `seq` order (the counter's row lock
 * is held to commit), so a reader that resumes after the last `seq` it saw never misses one.
 */
export async function listEvents(db: Sql, ws: Workspace, f: EventFilter): Promise<StoredEvent[]> {
  const rows = await db.query<{
    public_id: string
    seq: string
    type: string
    created_at: Date
    mutation_id: string | null
    sandbox: boolean
    data: unknown
  }>(
    `select public_id, seq, type, created_at, mutation_id, sandbox, data from events
     where workspace_id = $1 and seq > $2 and ${unnamedRows(ws, 'sandbox', f.includeSandbox)}
     order by seq limit $3`,
    [ws.id, f.after.toString(), f.limit],
  )
  return rows.map((r) => ({
    publicId: r.public_id,
    seq: String(r.seq),
    type: r.type,
    createdAt: r.created_at,
    mutationId: r.mutation_id === null ? null : String(r.mutation_id),
    sandbox: r.sandbox,
    data: r.data,
  }))
}
