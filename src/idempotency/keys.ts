/**
 * Idempotency keys (the `Idempotency-Key` header of /v1 writes, after Stripe and the IETF httpapi draft): the pure
 * request fingerprint and the only SQL on `idempotency_keys`. A key belongs to one caller (the token that sent it, in
 * its workspace): another caller's same key is another key, so no one can replay an answer meant for someone else. The
 * first request
 * claims it, and its response (unless a 5xx) is kept for the key's lifetime so a retry gets the same answer without
 * running the write again.
 */
import { createHash } from 'node:crypto'
import type { Sql } from '../db/db.ts'
import { AppError } from '../shared/errors.ts'
import type { Workspace } from '../workspaces/workspaces.ts'

export const MAX_KEY_LENGTH = 255

// A claim still "running" after this long belongs to a process that died mid-request (no request takes minutes):
// it is taken over rather than answering 409 until the key expires.
const STALE_CLAIM_MINUTES = 10

// No request of ours nests anywhere near this deep; a body that does is refused before recursion can exhaust the stack
// (1 MB of `[` parses fine, then overflowed here as a 500).
export const MAX_BODY_DEPTH = 64

/** JSON with object keys sorted at every level, so `{"a":1,"b":2}` and `{"b":2,"a":1}` are the same request. Pure. */
export function canonicalJson(value: unknown, depth = 0): string {
  if (value === undefined) return 'null'
  if (value === null || typeof value !== 'object') return JSON.stringify(value)
  if (depth >= MAX_BODY_DEPTH) throw AppError.validation(`the body nests deeper than ${MAX_BODY_DEPTH} levels`, 'body')
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v, depth + 1)).join(',')}]`
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v, depth + 1)}`).join(',')}}`
}

/** What makes a retry "the same request": method, path with query, and the parsed body. Pure. */
export function requestFingerprint(method: string, url: string, body: unknown): string {
  return createHash('sha256').update(`${method.toUpperCase()} ${url}\n${canonicalJson(body)}`).digest('hex')
}

export interface StoredResponse {
  status: number
  contentType: string | null
  body: string
}

/** What a key says about an incoming request. */
export type Claim =
  | { kind: 'claimed' }
  | { kind: 'replay'; response: StoredResponse }
  | { kind: 'mismatch' }
  | { kind: 'in_flight' }

type KeyRow = {
  request_hash: string
  status: number | null
  response_type: string | null
  response_body: string | null
}

/**
 * Claims `key` for a request with fingerprint `hash`, or says why not. An expired key (or a stale claim) is taken
 * over in the same statement, so two racing requests cannot both claim it.
 */
/** Who owns a key: the workspace and the token that sent it. */
export interface KeyOwner {
  workspace: Workspace
  tokenId: string
}

export async function claimKey(
  db: Sql,
  owner: KeyOwner,
  p: { key: string; hash: string; ttlHours: number },
): Promise<Claim> {
  // A row released between our insert and our read (a 5xx) means the key is free again: try once more.
  for (let attempt = 0; attempt < 3; attempt++) {
    const claimed = await db.query(
      `insert into idempotency_keys as k (workspace_id, token_id, key, request_hash, expires_at)
       values ($1, $5, $2, $3, now() + make_interval(hours => $4::int))
       on conflict (workspace_id, token_id, key) do update
         set request_hash = excluded.request_hash, status = null, response_type = null, response_body = null,
             created_at = now(), expires_at = excluded.expires_at
         where k.expires_at <= now()
            or (k.status is null and k.created_at <= now() - make_interval(mins => ${STALE_CLAIM_MINUTES}))
       returning 1`,
      [owner.workspace.id, p.key, p.hash, p.ttlHours, owner.tokenId],
    )
    if (claimed.length) return { kind: 'claimed' }
    const [row] = await db.query<KeyRow>(
      `select request_hash, status, response_type, response_body from idempotency_keys
       where workspace_id = $1 and token_id = $3 and key = $2`,
      [owner.workspace.id, p.key, owner.tokenId],
    )
    if (!row) continue
    if (row.request_hash !== p.hash) return { kind: 'mismatch' }
    if (row.status === null) return { kind: 'in_flight' }
    return {
      kind: 'replay',
      response: { status: row.status, contentType: row.response_type, body: row.response_body ?? '' },
    }
  }
  return { kind: 'in_flight' }
}

/** Stores the response of the request that claimed `key`. */
export async function completeKey(db: Sql, owner: KeyOwner, key: string, response: StoredResponse): Promise<void> {
  await db.query(
    `update idempotency_keys set status = $3, response_type = $4, response_body = $5
     where workspace_id = $1 and token_id = $6 and key = $2 and status is null`,
    [owner.workspace.id, key, response.status, response.contentType, response.body, owner.tokenId],
  )
}

/** Frees a claimed key without a stored response (a 5xx, or no response at all), so the client may retry. */
export async function releaseKey(db: Sql, owner: KeyOwner, key: string): Promise<void> {
  await db.query(
    'delete from idempotency_keys where workspace_id = $1 and token_id = $3 and key = $2 and status is null',
    [owner.workspace.id, key, owner.tokenId],
  )
}

/** Deletes expired keys of every workspace; returns how many. */
export async function pruneExpiredKeys(db: Sql): Promise<number> {
  return (await db.query('delete from idempotency_keys where expires_at <= now() returning 1')).length
}
