/**
 * One data layer for both engines: PGlite (embedded, in a worker thread) and a real PostgreSQL server (pg.Pool).
 * Both return the same JS types: int8 and numeric as strings (money is converted with BigInt), date as
 * `YYYY-MM-DD` text, timestamptz as Date, json/jsonb as objects.
 */
export type Row = Record<string, unknown>

/** Something SQL can be sent to: the database itself or an open transaction. */
export interface Sql {
  query<R extends Row = Row>(text: string, params?: readonly unknown[]): Promise<R[]>
  /** Runs a multi-statement SQL script without parameters (migrations). */
  exec(text: string): Promise<void>
}

export interface Db extends Sql {
  readonly engine: 'pglite' | 'postgres'
  /**
   * Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. Keep it short:
   * on PGlite every other statement waits for it. Never call the outer `db` from inside `fn` (that would wait on itself).
   */
  tx<T>(fn: (tx: Sql) => Promise<T>): Promise<T>
  close(): Promise<void>
}

/** A database error carried across the worker boundary, keeping what callers branch on. */
export class DbError extends Error {
  override readonly name = 'DbError'
  constructor(
    message: string,
    /** SQLSTATE, e.g. `23505` for a unique violation. */
    readonly code?: string,
    readonly constraint?: string,
    readonly detail?: string,
  ) {
    super(message)
  }
}

export const UNIQUE_VIOLATION = '23505'

export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const e = err as { code?: string; constraint?: string }
  return e?.code === UNIQUE_VIOLATION && (constraint === undefined || e.constraint === constraint)
}

/** Type OIDs whose text form we keep as text on both engines. */
export const TEXT_TYPES = { int8: 20, numeric: 1700, date: 1082 } as const
