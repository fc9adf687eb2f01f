/**
 * The one way mutations enter the ledger. Validates the whole batch first (a bad row stores nothing), then in one
 * short transaction: inserts what is new by identity (identity.ts), writes one outbox event per new mutation, fans the
 * new mutations out to matching webhook endpoints, and re-checks the running balance around the new rows.
 */

import { getAccount } from '../accounts/accounts.ts'
import type { Db } from '../db/db.ts'
import { AppError } from '../shared/errors.ts'
import { newPublicId } from '../shared/ids.ts'
import type { Workspace } from '../workspaces/workspaces.ts'
import { fanOutMutations } from '../webhooks/fanout.ts'
import { deliveriesCreated } from '../webhooks/signal.ts'
import { type IdentifiedRow, identifier } from './identity.ts'
import { countGaps, insertMutations, lockAccount, recheckGaps } from './queries.ts'
import type { IngestParams, IngestResult, SourceRow, StoredMutation } from './types.ts'
import { checkBatchShape, validateRows } from './validate.ts'

// Statements carry at most this many rows: keeps each PGlite statement short and parameter arrays small.
const CHUNK = 1000
// Validation, hashing and serialisation run on the main thread (~15 µs a row); yielding every SLICE rows keeps a
// 50 000-row batch from stalling the HTTP server's event loop.
const SLICE = 200

export type PreparedRow = IdentifiedRow & { publicId: string; eventPublicId: string; rawJson: string }

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve))

/** Validates the whole batch and gives each row its identity, public id and raw JSON, yielding between slices. */
async function prepare(source: string, input: readonly SourceRow[]): Promise<PreparedRow[]> {
  checkBatchShape(input)
  const identify = identifier(source)
  const out: PreparedRow[] = []
  for (let from = 0; from < input.length; from += SLICE) {
    if (from > 0) await yieldToLoop()
    const valid = validateRows(input, from, from + SLICE)
    valid.forEach((row, k) => {
      const i = from + k
      let rawJson: string
      try {
        rawJson = JSON.stringify(row.raw ?? null)
      } catch {
        throw AppError.validation(`rows[${i}].raw: cannot be stored as JSON`, `rows[${i}].raw`)
      }
      out.push({ ...identify(row), publicId: newPublicId(), eventPublicId: newPublicId(), rawJson })
    })
  }
  return out
}

export const MUTATION_CREATED = 'mutation.created'

export async function ingest(db: Db, ws: Workspace, p: IngestParams): Promise<IngestResult> {
  if (!p.source || !/^[a-z0-9][a-z0-9_.-]{0,39}$/.test(p.source))
    throw AppError.validation('source must be a short lowercase name such as "mt940"', 'source')
  const rows = await prepare(p.source, p.rows)
  const account = await getAccount(db, ws, p.accountId)
  if (rows.length === 0) return { seen: 0, inserted: [], duplicates: 0, gaps: 0 }

  const readAt = p.readAt ?? new Date()
  let deliveries = 0
  const result = await db.tx(async (tx) => {
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
        eventType: MUTATION_CREATED,
        rows: chunk,
      })
      inserted.push(...stored)
    }
    // Same transaction: a webhook delivery exists exactly when its mutations do.
    deliveries = await fanOutMutations(tx, ws, account, inserted, p.webhookBatchMax)
    const gaps = inserted.length
      ? await recheckGaps(tx, ws, account.id, inserted)
      : await countGaps(tx, ws, account.id)
    return { seen: rows.length, inserted, duplicates: rows.length - inserted.length, gaps }
  })
  // After commit: only now can a worker see the deliveries.
  if (deliveries) deliveriesCreated()
  return result
}
