/**
 * Ingest throughput through the real `ingest()` (validation, identities, dedup, outbox events, balance re-check),
 * set against what the engine does with no ledger logic at all: a raw multi-row INSERT of the same columns into the
 * same `mutations` table, measured in the same run on the same engine. The ratio is the price of the ledger's rules;
 * the absolute figures move with the machine.
 */
import { type Account, addAccount } from '../src/accounts/accounts.ts'
import type { Db } from '../src/db/db.ts'
import { identify } from '../src/ledger/identity.ts'
import { ingest } from '../src/ledger/ingest.ts'
import type { SourceRow } from '../src/ledger/types.ts'
import { validateBatch } from '../src/ledger/validate.ts'
import { newPublicId } from '../src/shared/ids.ts'
import { ensureWorkspace, type Workspace } from '../src/workspaces/workspaces.ts'
import { makeRng, referencedRow, StatementSource } from './data.ts'
import {
  type BenchDb,
  dirBytes,
  int,
  mb,
  openBenchPglite,
  openBenchPostgres,
  perSec,
  ratio,
  rssSampler,
  type SummaryRow,
  section,
  serverVersion,
} from './util.ts'

export interface IngestOptions {
  /** Rows for the batch ingest and for the raw baseline (default 100,000). */
  rows: number
  /** One-row ingest() calls (default 2,000). */
  calls: number
  /** PostgreSQL server to compare with; a throw-away database is created on it. */
  databaseUrl: string | undefined
}

// One statement per 1000 rows on both sides of the comparison, as ingest() chunks.
const BATCH_ROWS = 1000
// Whole WIB days per batch: 4 days × 250 mutations, a busy merchant account.
const DAYS_PER_BATCH = 4
const ROWS_PER_DAY = BATCH_ROWS / DAYS_PER_BATCH
const ACCOUNTS = 5
// No single measurement may run away on a slow machine; a capped one says so.
const CAP_MS = 180_000

const COLUMNS = [
  'public_id',
  'workspace_id',
  'account_id',
  'identity',
  'occurred_at',
  'wib_date',
  'position',
  'direction',
  'amount',
  'description',
  'balance',
  'reference',
  'note',
  'raw',
  'source',
  'sandbox',
  'sync_run_id',
  'read_at',
] as const

interface Measured {
  rows: number
  ms: number
  capped: boolean
}

interface EngineFigures {
  label: string
  version: string
  raw: Measured
  batch: Measured
  rawSingle: Measured
  oneByOne: Measured
  rssAfter?: number
  rssPeak?: number
  diskBytes?: number
}

interface Batch {
  account: Account
  rows: SourceRow[]
}

interface Statement {
  text: string
  params: unknown[]
}

/** The same statement days for every method: `count` batches, round-robin over the accounts, oldest days first. */
function statementBatches(accounts: readonly Account[], count: number, seed: number): Batch[] {
  const sources = accounts.map((_, i) => new StatementSource(seed + i, '2025-01-01'))
  return Array.from({ length: count }, (_, b) => ({
    account: accounts[b % accounts.length]!,
    rows: sources[b % accounts.length]!.days(DAYS_PER_BATCH, ROWS_PER_DAY),
  }))
}

const valuesText = new Map<number, string>()

/** `insert into mutations (...) values ($1..$18), ...` for `n` rows; the text is reused for every full batch. */
function insertText(n: number): string {
  let text = valuesText.get(n)
  if (!text) {
    const tuples = Array.from(
      { length: n },
      (_, r) => `(${COLUMNS.map((_, c) => `$${r * COLUMNS.length + c + 1}`).join(', ')})`,
    )
    text = `insert into mutations (${COLUMNS.join(', ')}) values ${tuples.join(', ')}`
    valuesText.set(n, text)
  }
  return text
}

/**
 * The baseline's statements, built before the clock starts: identities precomputed with the ledger's own rule, no
 * dedup, no events, no balance check.
 */
function rawStatements(
  ws: Workspace,
  source: string,
  batches: readonly Batch[],
  perStatement: number,
): Statement[] {
  const readAt = new Date().toISOString()
  const statements: Statement[] = []
  for (const b of batches) {
    const rows = identify(source, validateBatch(b.rows))
    for (let start = 0; start < rows.length; start += perStatement) {
      const chunk = rows.slice(start, start + perStatement)
      const params: unknown[] = []
      for (const r of chunk) {
        params.push(
          newPublicId(),
          ws.id,
          b.account.id,
          r.identity,
          r.occurredAt.toISOString(),
          r.wibDate,
          r.position,
          r.direction,
          r.amount.toString(),
          r.description,
          r.balance === null ? null : r.balance.toString(),
          r.reference,
          r.note,
          JSON.stringify(r.raw ?? null),
          source,
          b.account.sandbox,
          null,
          readAt,
        )
      }
      statements.push({ text: insertText(chunk.length), params })
    }
  }
  return statements
}

async function timed(total: number, run: (i: number) => Promise<number>): Promise<Measured> {
  const start = performance.now()
  let rows = 0
  for (let i = 0; i < total; i++) {
    rows += await run(i)
    if (performance.now() - start > CAP_MS) return { rows, ms: performance.now() - start, capped: true }
  }
  return { rows, ms: performance.now() - start, capped: false }
}

async function clearLedger(db: Db): Promise<void> {
  await db.exec('truncate table events, balance_gaps, mutation_tags, mutation_day_counts, mutations')
}

async function countMutations(db: Db): Promise<number> {
  const [r] = await db.query<{ n: string }>('select count(*) as n from mutations')
  return Number(r!.n)
}

async function expectStored(db: Db, what: string, m: Measured): Promise<void> {
  const n = await countMutations(db)
  if (n !== m.rows) throw new Error(`${what}: expected ${m.rows} stored mutations, found ${n}`)
}

function report(what: string, m: Measured, baseline?: Measured): void {
  const rps = perSec(m.rows, m.ms)
  const vs = baseline ? `  = ${ratio(rps, perSec(baseline.rows, baseline.ms))} raw multi-row INSERT` : ''
  const cap = m.capped ? `  (stopped at the ${CAP_MS / 1000} s cap)` : ''
  console.log(
    `  ${what.padEnd(44)} ${int(m.rows).padStart(9)} rows in ${(m.ms / 1000).toFixed(2).padStart(6)} s  ${int(rps).padStart(8)} rows/s${vs}${cap}`,
  )
}

async function measureEngine(bench: BenchDb, o: IngestOptions): Promise<EngineFigures> {
  const { db } = bench
  const version = await serverVersion(db)
  section(`ingest on ${bench.label} ${version}`)
  const ws = await ensureWorkspace(db, 'bench')
  const accounts: Account[] = []
  for (let i = 0; i < ACCOUNTS; i++)
    accounts.push(
      await addAccount(db, ws, { bankType: 'bca', accountNumber: `88000${i}`, holderName: 'PT Maju Jaya' }),
    )
  const sandbox = await addAccount(db, ws, {
    bankType: 'sandbox',
    accountNumber: '990001',
    holderName: 'Sandbox',
  })

  // Warm-up (JIT, WASM, plan caches, first file extensions), then an empty table for each measured method.
  const warm = statementBatches(accounts, 2, 999)
  for (const s of rawStatements(ws, 'mt940', warm, BATCH_ROWS)) await db.query(s.text, s.params)
  await clearLedger(db)
  for (const b of warm) await ingest(db, ws, { accountId: b.account.publicId, source: 'mt940', rows: b.rows })
  await clearLedger(db)

  const batchCount = Math.max(1, Math.round(o.rows / BATCH_ROWS))
  const batches = statementBatches(accounts, batchCount, 1)

  const rawStmts = rawStatements(ws, 'mt940', batches, BATCH_ROWS)
  const raw = await timed(rawStmts.length, async (i) => {
    const s = rawStmts[i]!
    await db.query(s.text, s.params)
    return s.params.length / COLUMNS.length
  })
  await expectStored(db, 'raw multi-row INSERT', raw)
  report('raw multi-row INSERT (1000 rows/statement)', raw)
  await clearLedger(db)

  const batch = await timed(batches.length, async (i) => {
    const b = batches[i]!
    const r = await ingest(db, ws, { accountId: b.account.publicId, source: 'mt940', rows: b.rows })
    if (r.duplicates || r.gaps)
      throw new Error(`batch ${i}: ${r.duplicates} duplicates, ${r.gaps} gaps (expected none)`)
    return r.inserted.length
  })
  await expectStored(db, 'batch ingest', batch)
  report('ingest(), batches of 1000 rows (4 WIB days)', batch, raw)
  await clearLedger(db)

  // One-by-one: each call carries one referenced row, as the simulator and gateways deliver them.
  const rng = makeRng(7)
  const t0 = Date.now() - o.calls * 1000
  const singles = Array.from({ length: o.calls }, (_, i) => referencedRow(rng, i, new Date(t0 + i * 1000)))
  const singleStmts = rawStatements(ws, 'sandbox', [{ account: sandbox, rows: singles }], 1)
  const rawSingle = await timed(singleStmts.length, async (i) => {
    await db.query(singleStmts[i]!.text, singleStmts[i]!.params)
    return 1
  })
  await expectStored(db, 'raw single-row INSERT', rawSingle)
  await clearLedger(db)
  const oneByOne = await timed(singles.length, async (i) => {
    const r = await ingest(db, ws, { accountId: sandbox.publicId, source: 'sandbox', rows: [singles[i]!] })
    return r.inserted.length
  })
  await expectStored(db, 'one-by-one ingest', oneByOne)
  report('ingest(), one row with a reference per call', oneByOne, raw)
  report('(context) raw single-row INSERT, autocommit', rawSingle, raw)
  return { label: bench.label, version, raw, batch, rawSingle, oneByOne }
}

export async function runIngestScenario(o: IngestOptions): Promise<SummaryRow[]> {
  const figures: EngineFigures[] = []

  const rss = rssSampler()
  const lite = await openBenchPglite('ingest')
  try {
    const f = await measureEngine(lite, o)
    f.rssAfter = process.memoryUsage().rss
    f.rssPeak = rss.peak()
    f.diskBytes = dirBytes(lite.dir!)
    console.log(
      `  RSS of this process (PGlite runs in its worker thread): ${mb(f.rssAfter)} after the runs, peak ${mb(f.rssPeak)}; data dir ${mb(f.diskBytes)}`,
    )
    figures.push(f)
  } finally {
    rss.stop()
    await lite.close()
  }

  if (o.databaseUrl) {
    const server = await openBenchPostgres(o.databaseUrl)
    try {
      figures.push(await measureEngine(server, o))
    } finally {
      await server.close()
    }
  } else {
    console.log('\n  DATABASE_URL is not set: PostgreSQL skipped.')
  }
  return summarize(figures)
}

function summarize(figures: readonly EngineFigures[]): SummaryRow[] {
  const rows: SummaryRow[] = []
  const rps = (m: Measured) => perSec(m.rows, m.ms)
  for (const f of figures) {
    const s = `ingest · ${f.label === 'PostgreSQL' ? `PG ${f.version.split(' ')[0]}` : 'PGlite disk'}`
    rows.push({ scenario: s, metric: 'raw multi-row INSERT (baseline)', value: `${int(rps(f.raw))} rows/s` })
    rows.push({
      scenario: s,
      metric: 'ingest() batch of 1000',
      value: `${int(rps(f.batch))} rows/s`,
      note: `${ratio(rps(f.batch), rps(f.raw))} raw`,
    })
    rows.push({
      scenario: s,
      metric: 'ingest() one-by-one',
      value: `${int(rps(f.oneByOne))} rows/s`,
      note: `${ratio(rps(f.oneByOne), rps(f.raw))} raw (${ratio(rps(f.oneByOne), rps(f.rawSingle))} raw single-row)`,
    })
    if (f.rssAfter !== undefined)
      rows.push({
        scenario: s,
        metric: 'RSS after runs / peak',
        value: `${mb(f.rssAfter)} / ${mb(f.rssPeak!)}`,
      })
  }
  const [lite, server] = figures
  if (lite && server) {
    const s = 'ingest · PG ÷ PGlite'
    rows.push({ scenario: s, metric: 'raw multi-row INSERT', value: ratio(rps(server.raw), rps(lite.raw)) })
    rows.push({
      scenario: s,
      metric: 'ingest() batch of 1000',
      value: ratio(rps(server.batch), rps(lite.batch)),
    })
    rows.push({
      scenario: s,
      metric: 'ingest() one-by-one',
      value: ratio(rps(server.oneByOne), rps(lite.oneByOne)),
    })
  }
  return rows
}
