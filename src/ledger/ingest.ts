/**
 * The one way mutations enter the ledger. Validates the whole batch first (a bad row stores nothing), then in one
 * short transaction: inserts what is new by identity (identity.ts), writes one outbox event per new mutation, and
 * re-checks the running balance around the new rows.
 */

import { getAccount } from '../accounts/accounts.ts'
import type { Db } from '../db/db.ts'
import { AppError } from '../shared/errors.ts'
import { newPublicId } from '../shared/ids.ts'
import type { Workspace } from '../workspaces/workspaces.ts'
import { identify } from './identity.ts'
import { insertEvents, insertMutations, lockAccount, recheckGaps } from './queries.ts'
import type { IngestParams, IngestResult, StoredMutation } from './types.ts'
import { validateBatch } from './validate.ts'

// Statements carry at most this many rows: keeps each PGlite statement short and parameter arrays small.
const CHUNK = 1000

export const MUTATION_CREATED = 'mutation.created'

export async function ingest(db: Db, ws: Workspace, p: IngestParams): Promise<IngestResult> {
  if (!p.source || !/^[a-z0-9][a-z0-9_.-]{0,39}$/.test(p.source))
    throw AppError.validation('source must be a short lowercase name such as "mt940"', 'source')
  const rows = identify(p.source, validateBatch(p.rows))
  const raws = rows.map((r, i) => {
    try {
      return JSON.stringify(r.raw ?? null)
    } catch {
      throw AppError.validation(`rows[${i}].raw: cannot be stored as JSON`, `rows[${i}].raw`)
    }
  })
  const account = await getAccount(db, ws, p.accountId)
  if (rows.length === 0) return { seen: 0, inserted: [], duplicates: 0, gaps: 0 }

  const readAt = p.readAt ?? new Date()
  return db.tx(async (tx) => {
    // Serialises ingestion per account, so balance checks and identities never race on PostgreSQL.
    await lockAccount(tx, ws, account.id)
    const inserted: StoredMutation[] = []
    for (let start = 0; start < rows.length; start += CHUNK) {
      const chunk = rows.slice(start, start + CHUNK)
      const stored = await insertMutations(tx, {
        workspaceId: ws.id,
        accountId: account.id,
        source: p.source,
        sandbox: account.sandbox,
        syncRunId: p.syncRunId ?? null,
        readAt,
        rows: chunk.map((r, i) => ({ ...r, publicId: newPublicId(), rawJson: raws[start + i]! })),
      })
      inserted.push(...stored)
    }
    if (inserted.length) {
      await insertEvents(tx, {
        workspaceId: ws.id,
        accountId: account.id,
        sandbox: account.sandbox,
        type: MUTATION_CREATED,
        mutationIds: inserted.map((m) => m.id),
        publicIds: inserted.map(() => newPublicId()),
      })
    }
    const gaps = inserted.length ? await recheckGaps(tx, ws, account.id, inserted) : 0
    return { seen: rows.length, inserted, duplicates: rows.length - inserted.length, gaps }
  })
}
