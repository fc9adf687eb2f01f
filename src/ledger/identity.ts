/**
 * The identity of a mutation: what makes a re-read a duplicate (docs/domain.md, "Identity").
 *
 * - A row with the source's own reference is that reference: `ref:<source>:<reference>`.
 * - A row without one (statement files, KlikBCA, BCA SNAP) is its WIB day + direction + amount + description
 *   (+ balance when given) + its occurrence index among identical rows of that day, in the source's order.
 *   Such sources always deliver whole WIB days, so the index is stable: a day read as A, B, A′ (A′ a real second
 *   payment identical to A) gives A#0, B#0, A#1 on every re-read, and both A and A′ are kept.
 */
import { createHash } from 'node:crypto'
import type { Direction, ValidRow } from './validate.ts'

export interface IdentifiedRow extends ValidRow {
  identity: string
  /** Index of the row within its WIB day in this batch (the tie-break after occurred_at). */
  position: number
}

function contentKey(
  day: string,
  direction: Direction,
  amount: bigint,
  description: string,
  balance: bigint | null,
): string {
  return JSON.stringify([
    day,
    direction,
    amount.toString(),
    description,
    balance === null ? null : balance.toString(),
  ])
}

/**
 * Returns a function that assigns identities and in-day positions to the rows of one batch, fed in the batch's
 * order (stateful, so a large batch can be identified in slices). Pure apart from that state.
 */
export function identifier(source: string): (row: ValidRow) => IdentifiedRow {
  const positionInDay = new Map<string, number>()
  const occurrences = new Map<string, number>()
  return (row) => {
    const position = positionInDay.get(row.wibDate) ?? 0
    positionInDay.set(row.wibDate, position + 1)
    if (row.reference !== null) return { ...row, position, identity: `ref:${source}:${row.reference}` }
    const key = contentKey(row.wibDate, row.direction, row.amount, row.description, row.balance)
    const occurrence = occurrences.get(key) ?? 0
    occurrences.set(key, occurrence + 1)
    const digest = createHash('sha256').update(key).digest('base64url').slice(0, 22)
    return { ...row, position, identity: `day:${row.wibDate}:${digest}:${occurrence}` }
  }
}

/** Assigns identities and in-day positions to a validated batch, keeping the batch's order. */
export function identify(source: string, rows: readonly ValidRow[]): IdentifiedRow[] {
  return rows.map(identifier(source))
}
