/**
 * The connector interface: one object per polling source (registry.ts picks it by `bank_type`). A connector only
 * reads; the sync shell (sync/refresh.ts) records the run and hands the rows to the ledger's `ingest`.
 */
import type { Account } from '../accounts/accounts.ts'
import type { SourceRow } from '../ledger/types.ts'

export interface FetchContext {
  account: Account
  /** The account's non-secret settings (`accounts.settings`). */
  settings: Record<string, unknown>
  /** The instant to read "as of": connectors take it from here, never from the clock, so tests can fix it. */
  now: Date
  /** Aborted when the run's deadline passes; a connector must stop waiting and throw (see `abortError`). */
  signal: AbortSignal
  /** Decrypted credentials, when the account has any stored. */
  credentials?: string
}

/**
 * How the ledger tells a re-read from a new transaction (docs/domain.md, "Identity"):
 * - `reference`: every row carries the source's own id;
 * - `whole-days`: rows carry no id, so every WIB day the source returns must be complete from its start and in the
 *   bank's own order (the current day up to now), which keeps each row's occurrence index stable across re-reads.
 */
export type IdentityKind = 'reference' | 'whole-days'

export interface Connector {
  /** Stable name, used in logs. */
  readonly id: string
  /** Moota `bank_type`s this connector polls. */
  readonly bankTypes: readonly string[]
  /** `mutations.source` of what it reads. */
  readonly source: string
  readonly identity: IdentityKind
  /** Whether this account is set up to be polled (e.g. a sandbox bank with its feed switched on). Default: yes. */
  isEnabled?(account: Account): boolean
  fetch(ctx: FetchContext): Promise<SourceRow[]>
}

export type ConnectorErrorCode = 'timeout' | 'login_failed' | 'malformed' | 'unavailable'

// A refused login repeats until someone fixes the credentials (and banks lock accounts after a few tries);
// malformed data repeats until the parser is fixed. Timeouts and outages usually pass.
const RETRYABLE: Record<ConnectorErrorCode, boolean> = {
  timeout: true,
  unavailable: true,
  login_failed: false,
  malformed: false,
}

/** A source failure, in one of a few codes the sync run can explain to a person. */
export class ConnectorError extends Error {
  override readonly name = 'ConnectorError'
  readonly retryable: boolean
  constructor(
    readonly code: ConnectorErrorCode,
    message: string,
    opts: { retryable?: boolean; cause?: unknown } = {},
  ) {
    super(message, { cause: opts.cause })
    this.retryable = opts.retryable ?? RETRYABLE[code]
  }
}

export function isConnectorError(err: unknown): err is ConnectorError {
  return err instanceof ConnectorError
}

/** The error to throw once `signal` is aborted: its reason when that is a ConnectorError, else a timeout. */
export function abortError(signal: AbortSignal): ConnectorError {
  const reason: unknown = signal.reason
  if (reason instanceof ConnectorError) return reason
  return new ConnectorError('timeout', 'the read was aborted', { cause: reason })
}

/** Throws `abortError(signal)` when the signal is already aborted; call between steps of a long read. */
export function checkAborted(signal: AbortSignal): void {
  if (signal.aborted) throw abortError(signal)
}

/** A promise that never resolves and rejects with `abortError(signal)` once the signal aborts. */
export function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) return reject(abortError(signal))
    signal.addEventListener('abort', () => reject(abortError(signal)), { once: true })
  })
}
