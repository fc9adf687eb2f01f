/** Builders for tests: a workspace with accounts, created through the real domain functions. */
import { type Account, addAccount } from '../src/accounts/accounts.ts'
import type { Db } from '../src/db/db.ts'
import { ensureWorkspace, type Workspace } from '../src/workspaces/workspaces.ts'

let counter = 0

export async function seedWorkspace(db: Db, name = `ws-${++counter}-${Date.now()}`): Promise<Workspace> {
  return ensureWorkspace(db, name)
}

export async function seedAccount(
  db: Db,
  ws: Workspace,
  p: { bankType?: string; accountNumber?: string } = {},
): Promise<Account> {
  return addAccount(db, ws, {
    bankType: p.bankType ?? 'bca',
    accountNumber: p.accountNumber ?? String(1_000_000_000 + ++counter),
    holderName: 'PT Maju Jaya',
  })
}
