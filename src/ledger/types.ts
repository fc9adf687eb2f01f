/** What sources hand to the ledger, and what the ledger answers. */

/** One transaction as a source read it, before validation. Amounts are rupiah text (`"150123.00"`), never floats. */
export interface SourceRow {
  /** `YYYY-MM-DD` (WIB day), `YYYY-MM-DD HH:mm:ss` (WIB) or ISO 8601 with a zone. */
  date: string | Date
  /** Rupiah, non-negative, up to two decimals: `"150123"`, `"150123.00"`. */
  amount: string | number
  type: 'CR' | 'DB'
  description: string
  /** Balance after this mutation, when the source reports it (rupiah; may be negative for overdrafts). */
  balance?: string | number | null
  /** The source's own id for the transaction, when it has one (gateway id, SNAP reference, simulator reference). */
  reference?: string | null
  /** Initial note (e.g. from the simulator); user edits come later through the API. */
  note?: string
  /** The raw input (line, JSON, text) exactly as received, kept so normalization can be re-run. */
  raw?: unknown
}

export interface IngestParams {
  /** Public id (`bank_id`) of the account, in the caller's workspace. */
  accountId: string
  /** Which source read these rows, e.g. `sandbox`, `sandbox-feed`, `mt940`, `manual`. */
  source: string
  rows: readonly SourceRow[]
  syncRunId?: string | null
  /** When the rows were read; defaults to now. */
  readAt?: Date
  /** Most mutations in one `moota` webhook delivery (LUNAS_WEBHOOK_BATCH_MAX); defaults to 50. */
  webhookBatchMax?: number
}

export interface StoredMutation {
  id: string
  publicId: string
  occurredAt: Date
  direction: 'CR' | 'DB'
  /** sen */
  amount: bigint
  description: string
  balance: bigint | null
}

export interface IngestResult {
  seen: number
  /** The mutations this call stored, in source order. */
  inserted: StoredMutation[]
  /** Rows that were already stored (or tombstoned) and were skipped. */
  duplicates: number
  /** Open balance breaks on the account after this batch (including older ones). */
  gaps: number
}
