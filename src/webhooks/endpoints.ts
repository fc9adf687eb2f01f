/**
 * Webhook endpoints of a workspace, with Moota's fields (url, secret_token, bank_account_id, kinds, unique-code range)
 * and Lunas' own (event types, format, active). The signing secret is encrypted at rest: Moota shows it to its owner,
 * so it must come back, but a copy of the database alone must not give it away.
 */
import type { Sql } from '../db/db.ts'
import { decryptSecret, encryptSecret } from '../shared/crypto.ts'
import { AppError } from '../shared/errors.ts'
import { newPublicId } from '../shared/ids.ts'
import { isSandbox, namedRows } from '../workspaces/mode.ts'
import type { Workspace } from '../workspaces/workspaces.ts'
import { EVENT_TYPES, type EndpointFilter, type Kinds, type WebhookFormat } from './filter.ts'

export interface Endpoint extends EndpointFilter {
  id: string
  publicId: string
  /**
   * Moota's integer `id`: the endpoint's ordinal in its workspace (1, 2, …), deleted endpoints included so it never
   * changes. Not the row id, whose global sequence would tell a workspace how many endpoints others have.
   */
  number: number
  url: string
  accountPublicId: string | null
  active: boolean
  disabledAt: Date | null
  disabledReason: string | null
  maxInFlight: number
  failingSince: Date | null
  lastSuccessAt: Date | null
  createdAt: Date
  updatedAt: Date
  /** AES-GCM sealed secret; `endpointSecret` opens it. */
  secretEnc: string
}

export interface EndpointInput {
  url: string
  secret: string
  /** Public id of one account, or null/"" for every live account. */
  account?: string | null
  kinds?: Kinds
  startUniqueCode?: number
  endUniqueCode?: number
  eventTypes?: readonly string[]
  format?: WebhookFormat
  active?: boolean
}

type EndpointRow = {
  id: string
  public_id: string
  number: string
  url: string
  secret_enc: string
  account_id: string | null
  account_public_id: string | null
  account_sandbox: boolean | null
  sandbox: boolean
  kinds: Kinds
  start_unique_code: number
  end_unique_code: number
  event_types: string[]
  format: WebhookFormat
  active: boolean
  disabled_at: Date | null
  disabled_reason: string | null
  max_in_flight: number
  failing_since: Date | null
  last_success_at: Date | null
  created_at: Date
  updated_at: Date
}

const COLUMNS = `e.id, e.public_id,
  (select count(*) from webhook_endpoints n where n.workspace_id = e.workspace_id and n.sandbox = e.sandbox
     and n.id <= e.id) as number, e.url, e.secret_enc, e.account_id, a.public_id as account_public_id,
  a.sandbox as account_sandbox, e.sandbox, e.kinds, e.start_unique_code, e.end_unique_code, e.event_types, e.format, e.active,
  e.disabled_at, e.disabled_reason, e.max_in_flight, e.failing_since, e.last_success_at, e.created_at, e.updated_at`
const FROM = 'webhook_endpoints e left join accounts a on a.id = e.account_id'

/**
 * Each mode manages its own endpoints: a sandbox-mode token sees and changes only those it (or another sandbox token)
 * created, a live token only live ones; Moota's ordinal `id` is counted within the mode, as if each were alone.
 */
export function sameMode(ws: Workspace, alias = 'e.'): string {
  return isSandbox(ws) ? `${alias}sandbox` : `not ${alias}sandbox`
}

function toEndpoint(r: EndpointRow): Endpoint {
  return {
    id: r.id,
    publicId: r.public_id,
    number: Number(r.number),
    url: r.url,
    secretEnc: r.secret_enc,
    accountId: r.account_id,
    accountPublicId: r.account_public_id,
    accountSandbox: r.account_sandbox === true,
    sandbox: r.sandbox,
    kinds: r.kinds,
    startUniqueCode: r.start_unique_code,
    endUniqueCode: r.end_unique_code,
    eventTypes: r.event_types,
    format: r.format,
    active: r.active,
    disabledAt: r.disabled_at,
    disabledReason: r.disabled_reason,
    maxInFlight: r.max_in_flight,
    failingSince: r.failing_since,
    lastSuccessAt: r.last_success_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  }
}

const MAX_URL = 2048
const MAX_SECRET = 256

/** An http(s) URL a receiver can be reached at; anything else is refused before it is stored. */
export function checkUrl(input: string): string {
  const text = input.trim()
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw AppError.validation('url must be a valid http(s) URL', 'url')
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw AppError.validation('url must start with http:// or https://', 'url')
  if (text.length > MAX_URL) throw AppError.validation(`url must be at most ${MAX_URL} characters`, 'url')
  return text
}

function checkSecret(input: string): string {
  if (!input.trim()) throw AppError.validation('secret_token must not be empty', 'secret_token')
  if (input.length > MAX_SECRET)
    throw AppError.validation(`secret_token must be at most ${MAX_SECRET} characters`, 'secret_token')
  return input
}

function checkCode(value: number, field: string): number {
  if (!Number.isInteger(value) || value < 0 || value > 999)
    throw AppError.validation(`${field} must be a whole number from 0 to 999`, field)
  return value
}

/** The range is on `amount mod 1000`; start must not be after end (0–999 takes everything). */
export function checkRange(start: number, end: number): [number, number] {
  checkCode(start, 'start_unique_code')
  checkCode(end, 'end_unique_code')
  if (start > end)
    throw AppError.validation('end_unique_code must not be less than start_unique_code', 'end_unique_code')
  return [start, end]
}

function checkEventTypes(types: readonly string[], format: WebhookFormat): string[] {
  const unknown = types.filter((t) => !(EVENT_TYPES as readonly string[]).includes(t))
  if (unknown.length)
    throw AppError.validation(`unknown event type ${unknown.join(', ')} (known: ${EVENT_TYPES.join(', ')})`, 'event_types')
  if (format === 'moota' && types.some((t) => t !== 'mutation.created'))
    throw AppError.validation('a moota-format endpoint receives new mutations only', 'event_types')
  if (!types.length) throw AppError.validation('event_types must name at least one event type', 'event_types')
  return [...new Set(types)]
}

async function accountIdOf(db: Sql, ws: Workspace, publicId: string | null | undefined): Promise<string | null> {
  if (!publicId) return null
  const [row] = await db.query<{ id: string }>(
    `select id from accounts where workspace_id = $1 and public_id = $2 and deleted_at is null
       and ${namedRows(ws, 'sandbox')}`,
    [ws.id, publicId],
  )
  if (!row) throw AppError.notFound(`account ${publicId} not found`)
  return row.id
}

/**
 * An active endpoint must name a live account (or all): one whose account was deleted could never fire, so switching
 * it on is refused with the reason instead of leaving a webhook that silently never arrives.
 */
export async function checkAccountNotDeleted(db: Sql, ws: Workspace, accountId: string | null): Promise<void> {
  if (accountId === null) return
  const [gone] = await db.query(
    'select 1 from accounts where workspace_id = $1 and id = $2 and deleted_at is not null',
    [ws.id, accountId],
  )
  if (gone)
    throw AppError.validation(
      "this endpoint's account was deleted, so it could never fire: point it at another account (or all) first",
      'bank_account_id',
    )
}

export async function createEndpoint(db: Sql, ws: Workspace, key: Buffer, input: EndpointInput): Promise<Endpoint> {
  const url = checkUrl(input.url)
  const secret = checkSecret(input.secret)
  const [start, end] = checkRange(input.startUniqueCode ?? 0, input.endUniqueCode ?? 999)
  const format = input.format ?? 'moota'
  const eventTypes = checkEventTypes(input.eventTypes ?? ['mutation.created'], format)
  const accountId = await accountIdOf(db, ws, input.account)
  const [row] = await db.query<{ public_id: string }>(
    `insert into webhook_endpoints (public_id, workspace_id, url, secret_enc, account_id, kinds, start_unique_code,
       end_unique_code, event_types, format, active, sandbox)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) returning public_id`,
    [
      newPublicId(),
      ws.id,
      url,
      encryptSecret(key, secret),
      accountId,
      input.kinds ?? 'both',
      start,
      end,
      eventTypes,
      format,
      input.active ?? true,
      isSandbox(ws),
    ],
  )
  return getEndpoint(db, ws, row!.public_id)
}

export interface EndpointListFilter {
  url?: string
  /** Public id of an account, or "" for the "all accounts" endpoints. */
  account?: string
}

/** The workspace's endpoints, oldest first (a workspace has a handful; pages are cut by the presenter). */
export async function listEndpoints(db: Sql, ws: Workspace, f: EndpointListFilter = {}): Promise<Endpoint[]> {
  const rows = await db.query<EndpointRow>(
    `select ${COLUMNS} from ${FROM}
     where e.workspace_id = $1 and e.deleted_at is null and ${sameMode(ws)}
       and ($2::text is null or e.url = $2)
       and ($3::text is null or ($3 = '' and e.account_id is null) or a.public_id = $3)
     order by e.id`,
    [ws.id, f.url ?? null, f.account ?? null],
  )
  return rows.map(toEndpoint)
}

/**
 * The active endpoints that may receive a new mutation of `accountId` (the fan-out's and "push again"'s candidates):
 * subscribed to `mutation.created`, for that account or for all. `matchesMutation` then decides per mutation.
 */
export async function mutationEndpoints(db: Sql, ws: Workspace, accountId: string): Promise<Endpoint[]> {
  const rows = await db.query<EndpointRow>(
    `select ${COLUMNS} from ${FROM}
     where e.workspace_id = $1 and e.active and e.deleted_at is null
       and (e.account_id is null or e.account_id = $2) and 'mutation.created' = any(e.event_types)
     order by e.id`,
    [ws.id, accountId],
  )
  return rows.map(toEndpoint)
}

export async function getEndpoint(db: Sql, ws: Workspace, publicId: string): Promise<Endpoint> {
  const [row] = await db.query<EndpointRow>(
    `select ${COLUMNS} from ${FROM}
     where e.workspace_id = $1 and e.public_id = $2 and e.deleted_at is null and ${sameMode(ws)}`,
    [ws.id, publicId],
  )
  if (!row) throw AppError.notFound(`webhook ${publicId} not found`)
  return toEndpoint(row)
}

/** What `updateEndpoint` changes: absent fields keep their value; `account` null or "" means every live account. */
export type EndpointPatch = Partial<EndpointInput>

/**
 * Changes an endpoint with the same rules as creating one, checked against the merged result (a new start against
 * the stored end, a new event type against the stored format). Turning it on clears an automatic disable and its
 * failure window, as `enableEndpoint` does; turning it off is the merchant's pause (no alert).
 */
export async function updateEndpoint(
  db: Sql,
  ws: Workspace,
  key: Buffer,
  publicId: string,
  patch: EndpointPatch,
): Promise<Endpoint> {
  const current = await getEndpoint(db, ws, publicId)
  const url = patch.url === undefined ? current.url : checkUrl(patch.url)
  const secretEnc = patch.secret === undefined ? current.secretEnc : encryptSecret(key, checkSecret(patch.secret))
  const [start, end] = checkRange(
    patch.startUniqueCode ?? current.startUniqueCode,
    patch.endUniqueCode ?? current.endUniqueCode,
  )
  const format = patch.format ?? current.format
  const eventTypes = checkEventTypes(patch.eventTypes ?? current.eventTypes, format)
  const accountId = patch.account === undefined ? current.accountId : await accountIdOf(db, ws, patch.account)
  if (patch.active ?? current.active) await checkAccountNotDeleted(db, ws, accountId)
  const rows = await db.query(
    `update webhook_endpoints set url = $3, secret_enc = $4, account_id = $5, kinds = $6, start_unique_code = $7,
       end_unique_code = $8, event_types = $9, format = $10, active = $11,
       disabled_at = case when $11 then null else disabled_at end,
       disabled_reason = case when $11 then null else disabled_reason end,
       failing_since = case when $11 and not active then null else failing_since end,
       updated_at = now()
     where workspace_id = $1 and public_id = $2 and deleted_at is null and ${sameMode(ws, '')} returning id`,
    [
      ws.id,
      publicId,
      url,
      secretEnc,
      accountId,
      patch.kinds ?? current.kinds,
      start,
      end,
      eventTypes,
      format,
      patch.active ?? current.active,
    ],
  )
  if (!rows.length) throw AppError.notFound(`webhook ${publicId} not found`)
  return getEndpoint(db, ws, publicId)
}

export function endpointSecret(key: Buffer, e: Pick<Endpoint, 'secretEnc'>): string {
  return decryptSecret(key, e.secretEnc)
}

/**
 * Deletes an endpoint: it stops receiving, its undelivered deliveries are given up (recorded as such) and its history
 * stays until retention removes it.
 */
export async function deleteEndpoint(db: Sql, ws: Workspace, publicId: string): Promise<void> {
  const rows = await db.query<{ id: string }>(
    `with gone as (
       update webhook_endpoints set deleted_at = now(), active = false, updated_at = now()
       where workspace_id = $1 and public_id = $2 and deleted_at is null and ${sameMode(ws, '')} returning id
     ),
     stopped as (
       update webhook_deliveries d set status = 'failed', last_error = 'endpoint deleted', lease_until = null,
         completed_at = now()
       from gone where d.endpoint_id = gone.id and d.status = 'pending'
     )
     select id from gone`,
    [ws.id, publicId],
  )
  if (!rows.length) throw AppError.notFound(`webhook ${publicId} not found`)
}
