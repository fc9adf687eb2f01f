/** Accounts: bank accounts, VAs, gateways, QRIS, e-wallets, cash and sandbox accounts, each scoped to a workspace. */
import type { Db, Sql } from '../db/db.ts'
import { AppError } from '../shared/errors.ts'
import { newPublicId } from '../shared/ids.ts'
import { disableAccountEndpoints } from '../webhooks/health.ts'
import { deliveriesCreated } from '../webhooks/signal.ts'
import { isSandbox, namedRows } from '../workspaces/mode.ts'
import type { Workspace } from '../workspaces/workspaces.ts'
import { type AccountKind, BANK_TYPES, findBankType } from './bank-types.ts'

export interface Account {
  id: string
  publicId: string
  kind: AccountKind
  bankType: string
  accountNumber: string
  holderName: string
  label: string
  refreshMinutes: number
  active: boolean
  sandbox: boolean
  settings: Record<string, unknown>
  nextSyncAt: Date | null
  createdAt: Date
}

export interface AccountWithSync extends Account {
  lastSync: {
    status: string
    startedAt: Date
    finishedAt: Date | null
    rowsNew: number
    error: string | null
  } | null
  balance: string | null
}

type AccountRow = {
  id: string
  public_id: string
  kind: AccountKind
  bank_type: string
  account_number: string
  holder_name: string
  label: string
  refresh_minutes: number
  active: boolean
  sandbox: boolean
  settings: Record<string, unknown>
  next_sync_at: Date | null
  created_at: Date
}

export const ACCOUNT_COLUMNS =
  'a.id, a.public_id, a.kind, a.bank_type, a.account_number, a.holder_name, a.label, a.refresh_minutes, a.active, a.sandbox, a.settings, a.next_sync_at, a.created_at'

export function toAccount(r: AccountRow): Account {
  return {
    id: r.id,
    publicId: r.public_id,
    kind: r.kind,
    bankType: r.bank_type,
    accountNumber: r.account_number,
    holderName: r.holder_name,
    label: r.label,
    refreshMinutes: r.refresh_minutes,
    active: r.active,
    sandbox: r.sandbox,
    settings: r.settings,
    nextSyncAt: r.next_sync_at,
    createdAt: r.created_at,
  }
}

export interface AddAccountParams {
  bankType: string
  accountNumber: string
  holderName: string
  label?: string
  refreshMinutes?: number
  active?: boolean
  settings?: Record<string, unknown>
}

function checkNumber(input: string): string {
  const number = input.trim()
  if (!/^[\w.-]{1,40}$/.test(number))
    throw AppError.validation('account number must be 1–40 letters, digits, dots or dashes', 'account_number')
  return number
}

function checkHolder(input: string): string {
  if (!input.trim()) throw AppError.validation('holder name must not be empty', 'holder_name')
  return input.trim()
}

function checkRefresh(minutes: number): number {
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > 1440)
    throw AppError.validation('refresh interval must be 1–1440 minutes', 'interval_refresh')
  return minutes
}

async function checkUnique(db: Sql, ws: Workspace, bankType: string, number: string, exceptId?: string): Promise<void> {
  const existing = await db.query(
    `select 1 from accounts where workspace_id = $1 and bank_type = $2 and account_number = $3 and deleted_at is null
       and ($4::bigint is null or id <> $4)`,
    [ws.id, bankType, number, exceptId ?? null],
  )
  if (existing.length)
    throw new AppError('conflict', `account ${bankType} ${number} already exists in this workspace`)
}

export async function addAccount(db: Sql, ws: Workspace, p: AddAccountParams): Promise<Account> {
  const type = findBankType(p.bankType)
  if (!type)
    throw AppError.validation(
      `unknown bank_type "${p.bankType}" (known: ${BANK_TYPES.map((b) => b.id).join(', ')})`,
      'bank_type',
    )
  // Sandbox mode never creates live data: the only accounts it may add are the sandbox's own bank types.
  if (isSandbox(ws) && type.sandbox !== true)
    throw AppError.validation(
      `a sandbox-mode token can add sandbox accounts only (${BANK_TYPES.filter((b) => b.sandbox).map((b) => b.id).join(', ')})`,
      'bank_type',
    )
  const number = checkNumber(p.accountNumber)
  const holder = checkHolder(p.holderName)
  const refresh = checkRefresh(p.refreshMinutes ?? 15)
  await checkUnique(db, ws, type.id, number)
  const [row] = await db.query<AccountRow>(
    `insert into accounts as a (public_id, workspace_id, kind, bank_type, account_number, holder_name, label,
       refresh_minutes, active, sandbox, settings, next_sync_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, now())
     returning ${ACCOUNT_COLUMNS}`,
    [
      newPublicId(),
      ws.id,
      type.kind,
      type.id,
      number,
      holder,
      p.label ?? type.label,
      refresh,
      p.active ?? true,
      type.sandbox === true,
      p.settings ?? {},
    ],
  )
  return toAccount(row!)
}

export async function findAccount(db: Sql, ws: Workspace, publicId: string): Promise<Account | null> {
  const [row] = await db.query<AccountRow>(
    `select ${ACCOUNT_COLUMNS} from accounts a
     where a.workspace_id = $1 and a.public_id = $2 and a.deleted_at is null and ${namedRows(ws, 'a.sandbox')}`,
    [ws.id, publicId],
  )
  return row ? toAccount(row) : null
}

export async function getAccount(db: Sql, ws: Workspace, publicId: string): Promise<Account> {
  const account = await findAccount(db, ws, publicId)
  if (!account) throw AppError.notFound(`account ${publicId} not found`)
  return account
}

/**
 * Accounts with their last sync run and latest reported balance, oldest first: every account in live mode (sandbox
 * ones flagged, so a plugin's bank picker can offer them), the sandbox ones only in sandbox mode.
 */
export function listAccounts(db: Sql, ws: Workspace): Promise<AccountWithSync[]> {
  return accountsWithSync(db, ws, null)
}

/** One account with its last sync run and latest reported balance; not_found outside the workspace. */
export async function getAccountWithSync(db: Sql, ws: Workspace, publicId: string): Promise<AccountWithSync> {
  const [account] = await accountsWithSync(db, ws, publicId)
  if (!account) throw AppError.notFound(`account ${publicId} not found`)
  return account
}

async function accountsWithSync(db: Sql, ws: Workspace, publicId: string | null): Promise<AccountWithSync[]> {
  const rows = await db.query<
    AccountRow & {
      run_status: string | null
      run_started: Date | null
      run_finished: Date | null
      run_new: number | null
      run_error: string | null
      balance: string | null
    }
  >(
    `select ${ACCOUNT_COLUMNS},
       r.status as run_status, r.started_at as run_started, r.finished_at as run_finished,
       r.rows_new as run_new, r.error as run_error, b.balance
     from accounts a
     left join lateral (select * from sync_runs s where s.account_id = a.id order by s.started_at desc, s.id desc limit 1) r on true
     left join lateral (select m.balance from mutations m where m.account_id = a.id and m.balance is not null and m.deleted_at is null
                        order by m.occurred_at desc, m.position desc, m.id desc limit 1) b on true
     where a.workspace_id = $1 and a.deleted_at is null and ($2::text is null or a.public_id = $2)
       and ${namedRows(ws, 'a.sandbox')}
     order by a.id`,
    [ws.id, publicId],
  )
  return rows.map((r) => ({
    ...toAccount(r),
    lastSync: r.run_status
      ? {
          status: r.run_status,
          startedAt: r.run_started!,
          finishedAt: r.run_finished,
          rowsNew: r.run_new ?? 0,
          error: r.run_error,
        }
      : null,
    balance: r.balance,
  }))
}

/** Marks an account due now ("refresh now"); the scheduler picks it up on its next tick, as a `manual` run. */
export async function requestRefresh(db: Sql, ws: Workspace, publicId: string): Promise<void> {
  const rows = await db.query(
    `update accounts set next_sync_at = now(), refresh_requested_at = now()
     where workspace_id = $1 and public_id = $2 and deleted_at is null and ${namedRows(ws, 'sandbox')} returning id`,
    [ws.id, publicId],
  )
  if (!rows.length) throw AppError.notFound(`account ${publicId} not found`)
}

/** Replaces the account's non-secret settings (e.g. sandbox feed options). */
export async function updateAccountSettings(
  db: Sql,
  ws: Workspace,
  publicId: string,
  settings: Record<string, unknown>,
): Promise<Account> {
  const [row] = await db.query<AccountRow>(
    `update accounts a set settings = $3, updated_at = now()
     where a.workspace_id = $1 and a.public_id = $2 and a.deleted_at is null and ${namedRows(ws, 'a.sandbox')}
     returning ${ACCOUNT_COLUMNS}`,
    [ws.id, publicId, settings],
  )
  if (!row) throw AppError.notFound(`account ${publicId} not found`)
  return toAccount(row)
}

export interface UpdateAccountParams {
  accountNumber?: string
  holderName?: string
  label?: string
  refreshMinutes?: number
  active?: boolean
}

/** Changes an account's editable fields; what is left out stays as it is. */
export async function updateAccount(db: Sql, ws: Workspace, publicId: string, p: UpdateAccountParams): Promise<Account> {
  const current = await getAccount(db, ws, publicId)
  const number = p.accountNumber === undefined ? current.accountNumber : checkNumber(p.accountNumber)
  if (number !== current.accountNumber) await checkUnique(db, ws, current.bankType, number, current.id)
  const [row] = await db.query<AccountRow>(
    `update accounts a set account_number = $3, holder_name = $4, label = $5, refresh_minutes = $6, active = $7,
       updated_at = now()
     where a.workspace_id = $1 and a.id = $2 and a.deleted_at is null returning ${ACCOUNT_COLUMNS}`,
    [
      ws.id,
      current.id,
      number,
      p.holderName === undefined ? current.holderName : checkHolder(p.holderName),
      p.label ?? current.label,
      p.refreshMinutes === undefined ? current.refreshMinutes : checkRefresh(p.refreshMinutes),
      p.active ?? current.active,
    ],
  )
  return toAccount(row!)
}

/**
 * Removes an account from use. Its row and mutations stay (deleted_at set), so history, reports and webhook logs that
 * point at them keep working; the account number can be added again. Endpoints that name it are disabled with an
 * alert (health.ts), in the same transaction: an endpoint left active would never fire again, silently.
 */
export async function deleteAccount(db: Db, ws: Workspace, publicId: string): Promise<void> {
  const sent = await db.tx(async (tx) => {
    const [row] = await tx.query<{ id: string }>(
      `update accounts set deleted_at = now(), active = false, updated_at = now()
       where workspace_id = $1 and public_id = $2 and deleted_at is null and ${namedRows(ws, 'sandbox')} returning id`,
      [ws.id, publicId],
    )
    if (!row) throw AppError.notFound(`account ${publicId} not found`)
    return disableAccountEndpoints(tx, row.id)
  })
  if (sent) deliveriesCreated()
}
