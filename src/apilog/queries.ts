/**
 * All SQL of the API-call log: the batch insert the recorder flushes, the workspace's keyset-paginated list, and
 * retention's batched delete.
 */
import type { Sql } from '../db/db.ts'
import { decodeCursor, keysetPage } from '../ledger/list.ts'
import { isSandbox } from '../workspaces/mode.ts'
import type { Workspace } from '../workspaces/workspaces.ts'

/** One call as the recorder buffers it: already redacted, internal ids only. */
export interface ApiCallRecord {
  publicId: string
  /** Null for calls without a valid token (401s, auth/login): stored, listed to no one. */
  workspaceId: string | null
  tokenId: string | null
  at: Date
  method: string
  path: string
  status: number
  latencyMs: number
  requestBody: unknown
  bodyTruncated: boolean
  responseBytes: number | null
  ip: string
}

/**
 * Writes a batch in one statement over unnest()ed arrays: one round trip and a fixed number of parameters whatever
 * the batch size (ADR 3).
 */
export async function insertApiCalls(db: Sql, calls: readonly ApiCallRecord[]): Promise<void> {
  if (calls.length === 0) return
  const col = <T>(f: (c: ApiCallRecord) => T) => calls.map(f)
  await db.query(
    `insert into api_calls (public_id, workspace_id, token_id, at, method, path, status, latency_ms, request_body,
       body_truncated, response_bytes, ip)
     select public_id, workspace_id, token_id, at, method, path, status, latency_ms, request_body::jsonb,
       body_truncated, response_bytes, ip
     from unnest($1::text[], $2::bigint[], $3::bigint[], $4::timestamptz[], $5::text[], $6::text[], $7::int[],
                 $8::real[], $9::text[], $10::boolean[], $11::int[], $12::text[])
       as t(public_id, workspace_id, token_id, at, method, path, status, latency_ms, request_body, body_truncated,
            response_bytes, ip)`,
    [
      col((c) => c.publicId),
      col((c) => c.workspaceId),
      col((c) => c.tokenId),
      col((c) => c.at.toISOString()),
      col((c) => c.method),
      col((c) => c.path),
      col((c) => c.status),
      col((c) => c.latencyMs),
      col((c) => (c.requestBody === null || c.requestBody === undefined ? null : JSON.stringify(c.requestBody))),
      col((c) => c.bodyTruncated),
      col((c) => c.responseBytes),
      col((c) => c.ip),
    ],
  )
}

export interface ApiCallFilter {
  /** An exact status (`429`) or a class (`4` for 4xx). */
  status?: { exact: number } | { class: number }
  method?: string
  /** Literal prefix of the path (query string included in what it is matched against). */
  pathPrefix?: string
  /** Public id of a token of the workspace. */
  token?: string
  /** Inclusive lower bound. */
  from?: Date
  /** Exclusive upper bound. */
  before?: Date
  limit: number
  cursor?: string
}

export interface ListedApiCall {
  publicId: string
  at: Date
  tokenPublicId: string | null
  method: string
  path: string
  status: number
  latencyMs: number
  requestBody: unknown
  bodyTruncated: boolean
  responseBytes: number | null
  ip: string
}

export interface ApiCallPage {
  rows: ListedApiCall[]
  nextCursor: string | null
}

type Row = {
  id: string
  public_id: string
  at: Date
  at_key: string
  token_public_id: string | null
  method: string
  path: string
  status: number
  latency_ms: number
  request_body: unknown
  body_truncated: boolean
  response_bytes: number | null
  ip: string
}

/** One page of the workspace's calls matching `f`, newest first, along the index (workspace_id, at desc, id desc). */
export async function listApiCalls(db: Sql, ws: Workspace, f: ApiCallFilter, key: Buffer): Promise<ApiCallPage> {
  const params: unknown[] = [ws.id]
  // A sandbox-mode reader sees the calls of sandbox-mode tokens only: the others carry live data in paths and bodies.
  const where = ['c.workspace_id = $1', ...(isSandbox(ws) ? ["t.mode = 'sandbox'"] : [])]
  const add = (sql: (p: string) => string, value: unknown) => {
    params.push(value)
    where.push(sql(`$${params.length}`))
  }
  if (f.status && 'exact' in f.status) add((p) => `c.status = ${p}`, f.status.exact)
  if (f.status && 'class' in f.status) add((p) => `c.status between ${p} * 100 and ${p} * 100 + 99`, f.status.class)
  if (f.method) add((p) => `c.method = ${p}`, f.method)
  if (f.pathPrefix) add((p) => `c.path like ${p}`, `${f.pathPrefix.replace(/[\\%_]/g, '\\$&')}%`)
  if (f.token) add((p) => `t.public_id = ${p}`, f.token)
  if (f.from) add((p) => `c.at >= ${p}`, f.from.toISOString())
  if (f.before) add((p) => `c.at < ${p}`, f.before.toISOString())
  if (f.cursor) {
    const c = decodeCursor(key, f.cursor)
    params.push(c.occurredKey, c.id)
    where.push(`(c.at, c.id) < ($${params.length - 1}::timestamptz, $${params.length}::bigint)`)
  }
  params.push(f.limit + 1)
  const rows = await db.query<Row>(
    `select c.id, c.public_id, c.at, to_char(c.at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as at_key,
       t.public_id as token_public_id, c.method, c.path, c.status, c.latency_ms, c.request_body, c.body_truncated,
       c.response_bytes, c.ip
     from api_calls c left join api_tokens t on t.id = c.token_id
     where ${where.join(' and ')}
     order by c.at desc, c.id desc
     limit $${params.length}`,
    params,
  )
  return keysetPage(key, rows, f.limit, (r) => r.at_key, toListed)
}

function toListed(r: Row): ListedApiCall {
  return {
    publicId: r.public_id,
    at: r.at,
    tokenPublicId: r.token_public_id,
    method: r.method,
    path: r.path,
    status: r.status,
    latencyMs: Number(r.latency_ms),
    requestBody: r.request_body,
    bodyTruncated: r.body_truncated,
    responseBytes: r.response_bytes,
    ip: r.ip,
  }
}

/**
 * Deletes calls older than `before`, `batch` rows per statement until none are left, so a large backlog never
 * holds one long transaction (PGlite has one connection for everything). Returns how many rows went.
 */
export async function pruneApiCalls(db: Sql, before: Date, batch = 5000): Promise<number> {
  let total = 0
  for (;;) {
    const [r] = await db.query<{ n: number }>(
      `with gone as (
         delete from api_calls where id in (select id from api_calls where at < $1 order by at limit $2) returning 1
       )
       select count(*)::int as n from gone`,
      [before.toISOString(), batch],
    )
    const n = r?.n ?? 0
    total += n
    if (n < batch) return total
  }
}
