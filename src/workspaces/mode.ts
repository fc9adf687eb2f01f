/**
 * Live and sandbox mode, as Stripe's live and test keys: every token has a mode, and a sandbox-mode token sees the
 * workspace's sandbox accounts, their mutations and what it created itself as if they were the workspace's only
 * data (docs/adr/0007-sandbox-never-live.md). The mode travels on the `Workspace` a request acts in, so each query
 * that already filters by workspace asks this file how to filter by mode, and the rule lives in one place.
 */
import { AppError } from '../shared/errors.ts'
import type { Workspace } from './workspaces.ts'

export const MODES = ['live', 'sandbox'] as const
export type Mode = (typeof MODES)[number]

export function parseMode(input: unknown, field = 'mode'): Mode {
  if (input === undefined || input === null || input === '') return 'live'
  if (typeof input === 'string' && (MODES as readonly string[]).includes(input.trim().toLowerCase()))
    return input.trim().toLowerCase() as Mode
  throw AppError.validation(`${field} must be one of ${MODES.join(', ')}`, field)
}

/** The mode a workspace handle acts in; handles made outside a request (CLI, workers) act live. */
export const modeOf = (ws: Workspace): Mode => ws.mode ?? 'live'

export const isSandbox = (ws: Workspace): boolean => modeOf(ws) === 'sandbox'

/** The same workspace acting in `mode`. */
export const inMode = (ws: Workspace, mode: Mode): Workspace => ({ id: ws.id, publicId: ws.publicId, name: ws.name, mode })

/**
 * SQL condition on a `sandbox` column for rows a list shows when the caller names no account: in sandbox mode the
 * sandbox rows only; in live mode the live ones (all of them when the caller asked to include the sandbox).
 */
export function unnamedRows(ws: Workspace, column: string, includeSandbox = false): string {
  if (isSandbox(ws)) return column
  return includeSandbox ? 'true' : `not ${column}`
}

/**
 * SQL condition on a `sandbox` column for a row the caller named (an account, a mutation by id): live mode reaches
 * sandbox rows by naming them, as before modes existed; sandbox mode never reaches a live one.
 */
export function namedRows(ws: Workspace, column: string): string {
  return isSandbox(ws) ? column : 'true'
}
