/**
 * The filtered, keyset-paginated mutation list behind `GET /v1/mutations`. Newest first, walking the index
 * `mutations_ws_time (workspace_id, occurred_at desc, id desc) where deleted_at is null`, so a page costs the same
 * on page 1 and page 10 000. The ledger's read side, as queries.ts is its write side.
 */
import type { Sql } from '../db/db.ts'
import { decryptSecret, encryptSecret } from '../shared/crypto.ts'
import { AppError } from '../shared/errors.ts'
import type { Sen } from '../shared/money.ts'
import { namedRows, unnamedRows } from '../workspaces/mode.ts'
import type { Workspace } from '../workspaces/workspaces.ts'
import { dayEnd, dayStart, likePattern, scopedWhere } from './where.ts'

export interface MutationFilter {
  /** Public id (`bank_id`) of one account. */
  account?: string
  type?: 'CR' | 'DB'
  /** First WIB day included, `YYYY-MM-DD`. */
  from?: string
  /** Last WIB day included, `YYYY-MM-DD`. */
  to?: string
  amount?: Sen
  /** Case-insensitive substring of the description. */
  q?: string
  /** Sandbox mutations never mix into live lists unless asked for. */
  includeSandbox: boolean
  limit: number
  cursor?: string
}

export interface ListedMutation {
  publicId: string
  accountPublicId: string
  bankType: string
  type: 'CR' | 'DB'
  amount: Sen
  balance: Sen | null
  description: string
  note: string
  occurredAt: Date
  sandbox: boolean
  source: string
  reference: string | null
  createdAt: Date
}

export interface MutationPage {
  rows: ListedMutation[]
  nextCursor: string | null
}

type Row = {
  id: string
  public_id: string
  account_public_id: string
  bank_type: string
  direction: 'CR' | 'DB'
  amount: string
  balance: string | null
  description: string
  note: string
  occurred_at: Date
  occurred_key: string
  sandbox: boolean
  source: string
  reference: string | null
  created_at: Date
}


/*
 * The cursor is the last row's (occurred_at, id), sealed with the secret key: opaque, tamper-evident, and it does not
 * reveal internal serial ids (which would leak volumes). occurred_at travels as text with microseconds, because a JS
 * Date keeps only milliseconds and the keyset comparison must be exact.
 */
const CURSOR_KEY = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/

export function encodeCursor(key: Buffer, occurredKey: string, id: string): string {
  return encryptSecret(key, JSON.stringify([occurredKey, id]))
}

/**
 * The page of a keyset query that fetched `limit + 1` rows: the first `limit`, mapped, and the cursor after the last
 * one (null when the extra row shows there is no next page). `keyOf` gives the row's sort instant as cursor text.
 */
export function keysetPage<R extends { id: string }, T>(
  key: Buffer,
  rows: readonly R[],
  limit: number,
  keyOf: (row: R) => string,
  map: (row: R) => T,
): { rows: T[]; nextCursor: string | null } {
  const page = rows.slice(0, limit)
  const last = page.at(-1)
  return { rows: page.map(map), nextCursor: rows.length > limit && last ? encodeCursor(key, keyOf(last), last.id) : null }
}

export function decodeCursor(key: Buffer, cursor: string): { occurredKey: string; id: string } {
  const invalid = AppError.validation(
    'cursor is not valid (use next_cursor from the previous page)',
    'cursor',
  )
  let parsed: unknown
  try {
    parsed = JSON.parse(decryptSecret(key, cursor))
  } catch {
    throw invalid
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) throw invalid
  const [occurredKey, id] = parsed as unknown[]
  if (
    typeof occurredKey !== 'string' ||
    !CURSOR_KEY.test(occurredKey) ||
    typeof id !== 'string' ||
    !/^\d{1,19}$/.test(id)
  )
    throw invalid
  return { occurredKey, id }
}

const SELECT = `select m.id, m.public_id, a.public_id as account_public_id, a.bank_type, m.direction, m.amount,
       m.balance, m.description, m.note, m.occurred_at,
       to_char(m.occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as occurred_key,
       m.sandbox, m.source, m.reference, m.created_at
     from mutations m join accounts a on a.id = m.account_id`

/** One live mutation of the workspace by public id (sandbox ones too: naming it is asking for it); null if unknown. */
export async function findListedMutation(db: Sql, ws: Workspace, publicId: string): Promise<ListedMutation | null> {
  const [row] = await db.query<Row>(
    `${SELECT}
     where m.workspace_id = $1 and a.workspace_id = $1 and m.public_id = $2 and m.deleted_at is null
       and a.deleted_at is null and ${namedRows(ws, 'm.sandbox')}`,
    [ws.id, publicId],
  )
  return row ? toListed(row) : null
}

/** Mutations of the workspace by internal id, deleted ones left out, keyed by internal id (the events feed's join). */
export async function listedMutationsByIds(
  db: Sql,
  ws: Workspace,
  ids: readonly string[],
): Promise<Map<string, ListedMutation>> {
  if (!ids.length) return new Map()
  const rows = await db.query<Row>(
    `${SELECT}
     where m.workspace_id = $1 and a.workspace_id = $1 and m.id = any($2::bigint[]) and m.deleted_at is null
       and ${namedRows(ws, 'm.sandbox')}`,
    [ws.id, ids],
  )
  return new Map(rows.map((r) => [String(r.id), toListed(r)]))
}

/** One page of the workspace's mutations matching `f`, newest first. */
export async function listMutations(
  db: Sql,
  ws: Workspace,
  f: MutationFilter,
  key: Buffer,
): Promise<MutationPage> {
  const { params, where, add } = scopedWhere(ws.id)

  if (f.account !== undefined) {
    const [account] = await db.query<{ id: string }>(
      `select id from accounts where workspace_id = $1 and public_id = $2 and deleted_at is null
         and ${namedRows(ws, 'sandbox')}`,
      [ws.id, f.account],
    )
    if (!account) throw new AppError('not_found', `account ${f.account} not found`, 'account')
    add((p) => `m.account_id = ${p}`, account.id)
  }
  where.push(unnamedRows(ws, 'm.sandbox', f.includeSandbox))
  if (f.type) add((p) => `m.direction = ${p}`, f.type)
  if (f.from) add((p) => `m.occurred_at >= ${p}`, dayStart(f.from))
  if (f.to) add((p) => `m.occurred_at < ${p}`, dayEnd(f.to))
  if (f.amount !== undefined) add((p) => `m.amount = ${p}`, f.amount.toString())
  if (f.q) add((p) => `m.description ilike ${p}`, likePattern(f.q))
  if (f.cursor) {
    const c = decodeCursor(key, f.cursor)
    params.push(c.occurredKey, c.id)
    where.push(`(m.occurred_at, m.id) < ($${params.length - 1}::timestamptz, $${params.length}::bigint)`)
  }
  params.push(f.limit + 1)

  const rows = await db.query<Row>(
    `${SELECT}
     where ${where.join(' and ')}
     order by m.occurred_at desc, m.id desc
     limit $${params.length}`,
    params,
  )
  return keysetPage(key, rows, f.limit, (r) => r.occurred_key, toListed)
}

function toListed(r: Row): ListedMutation {
  return {
    publicId: r.public_id,
    accountPublicId: r.account_public_id,
    bankType: r.bank_type,
    type: r.direction,
    amount: BigInt(r.amount),
    balance: r.balance === null ? null : BigInt(r.balance),
    description: r.description,
    note: r.note,
    occurredAt: r.occurred_at,
    sandbox: r.sandbox,
    source: r.source,
    reference: r.reference,
    createdAt: r.created_at,
  }
}
