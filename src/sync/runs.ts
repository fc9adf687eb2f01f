/**
 * Sync runs: one row per refresh of an account, the audit trail that tells "no new transactions" (`no_new`) from
 * "reading failed because …" (`failed`, with the reason in `error`).
 */
import type { Sql } from '../db/db.ts'
import { decodeCursor, keysetPage } from '../ledger/list.ts'
import { AppError } from '../shared/errors.ts'
import { newPublicId } from '../shared/ids.ts'
import { namedRows } from '../workspaces/mode.ts'
import type { Workspace } from '../workspaces/workspaces.ts'

export type SyncStatus = 'running' | 'ok' | 'no_new' | 'failed'
export type SyncTrigger = 'schedule' | 'manual'

export interface SyncRun {
  id: string
  publicId: string
  /** Internal id of the account. */
  accountId: string
  trigger: SyncTrigger
  status: SyncStatus
  startedAt: Date
  finishedAt: Date | null
  rowsSeen: number
  rowsNew: number
  error: string | null
  /** The process that ran it (`host:pid`). */
  worker: string
}

type RunRow = {
  id: string
  public_id: string
  account_id: string
  trigger: SyncTrigger
  status: SyncStatus
  started_at: Date
  finished_at: Date | null
  rows_seen: number
  rows_new: number
  error: string | null
  worker: string
}

const RUN_COLUMNS =
  'r.id, r.public_id, r.account_id, r.trigger, r.status, r.started_at, r.finished_at, r.rows_seen, r.rows_new, r.error, r.worker'

const toRun = (r: RunRow): SyncRun => ({
  id: r.id,
  publicId: r.public_id,
  accountId: r.account_id,
  trigger: r.trigger,
  status: r.status,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  rowsSeen: r.rows_seen,
  rowsNew: r.rows_new,
  error: r.error,
  worker: r.worker,
})

// Error texts come from sources; keep a runaway message from bloating every list of runs.
const MAX_ERROR = 1000

/** How a finished run is called: failed when there is an error, otherwise whether anything new was stored. Pure. */
export function finishedStatus(rowsNew: number, error: string | null): Exclude<SyncStatus, 'running'> {
  if (error !== null) return 'failed'
  return rowsNew > 0 ? 'ok' : 'no_new'
}

/** Records the start of a run on an account (by internal id), in the account's workspace. */
export async function startRun(
  db: Sql,
  p: { accountId: string; trigger: SyncTrigger; worker: string },
): Promise<SyncRun> {
  const [row] = await db.query<RunRow>(
    `insert into sync_runs as r (public_id, workspace_id, account_id, trigger, status, worker)
     select $1, a.workspace_id, a.id, $3, 'running', $4 from accounts a where a.id = $2
     returning ${RUN_COLUMNS}`,
    [newPublicId(), p.accountId, p.trigger, p.worker],
  )
  if (!row) throw new Error(`account ${p.accountId} does not exist`)
  return toRun(row)
}

export interface FinishRunParams {
  rowsSeen: number
  rowsNew: number
  /** The human-readable reason the run failed; null when it did not. */
  error: string | null
}

/** Closes a running run as ok, no_new or failed. A run already closed (e.g. swept as interrupted) stays as it is. */
export async function finishRun(db: Sql, runId: string, p: FinishRunParams): Promise<SyncRun> {
  const error = p.error === null ? null : p.error.slice(0, MAX_ERROR)
  const [row] = await db.query<RunRow>(
    `update sync_runs r set status = $2, finished_at = now(), rows_seen = $3, rows_new = $4, error = $5
     where r.id = $1 and r.status = 'running'
     returning ${RUN_COLUMNS}`,
    [runId, finishedStatus(p.rowsNew, error), p.rowsSeen, p.rowsNew, error],
  )
  if (row) return toRun(row)
  const [current] = await db.query<RunRow>(`select ${RUN_COLUMNS} from sync_runs r where r.id = $1`, [runId])
  if (!current) throw new Error(`sync run ${runId} does not exist`)
  return toRun(current)
}

/**
 * Marks the still-`running` runs of these accounts as failed: called when their lease is claimed again, which
 * means the process that ran them stopped before finishing (a crash, a kill, a lost connection).
 */
export async function interruptRuns(db: Sql, accountIds: readonly string[]): Promise<number> {
  if (!accountIds.length) return 0
  const rows = await db.query(
    `update sync_runs set status = 'failed', finished_at = now(),
       error = 'interrupted: the worker stopped before the run finished'
     where account_id = any($1::bigint[]) and status = 'running'
     returning id`,
    [accountIds],
  )
  return rows.length
}

/** The latest runs of an account (public id) in the workspace, newest first. */
export async function listRuns(
  db: Sql,
  ws: Workspace,
  accountId: string,
  opts: { limit?: number } = {},
): Promise<SyncRun[]> {
  const limit = Math.min(Math.max(opts.limit ?? 20, 1), 500)
  const rows = await db.query<RunRow>(
    `select ${RUN_COLUMNS} from sync_runs r join accounts a on a.id = r.account_id
     where r.workspace_id = $1 and a.workspace_id = $1 and a.public_id = $2 and ${namedRows(ws, 'a.sandbox')}
     order by r.started_at desc, r.id desc limit $3`,
    [ws.id, accountId, limit],
  )
  return rows.map(toRun)
}

export interface SyncRunPage {
  rows: SyncRun[]
  nextCursor: string | null
}

/**
 * One page of an account's runs (account by public id, in the workspace), newest first, keyset-paginated on
 * (started_at, id) with the same sealed cursor as the mutation list, so page 500 costs what page 1 does.
 * not_found when the account is unknown, deleted or another workspace's.
 */
export async function listRunsPage(
  db: Sql,
  ws: Workspace,
  accountId: string,
  p: { limit: number; cursor?: string | undefined },
  key: Buffer,
): Promise<SyncRunPage> {
  const [account] = await db.query<{ id: string }>(
    `select id from accounts where workspace_id = $1 and public_id = $2 and deleted_at is null
       and ${namedRows(ws, 'sandbox')}`,
    [ws.id, accountId],
  )
  if (!account) throw AppError.notFound(`account ${accountId} not found`)
  const after = p.cursor ? decodeCursor(key, p.cursor) : null
  const rows = await db.query<RunRow & { started_key: string }>(
    `select ${RUN_COLUMNS},
       to_char(r.started_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as started_key
     from sync_runs r
     where r.workspace_id = $1 and r.account_id = $2
       and ($3::timestamptz is null or (r.started_at, r.id) < ($3::timestamptz, $4::bigint))
     order by r.started_at desc, r.id desc limit $5`,
    [ws.id, account.id, after?.occurredKey ?? null, after?.id ?? null, p.limit + 1],
  )
  return keysetPage(key, rows, p.limit, (r) => r.started_key, toRun)
}
