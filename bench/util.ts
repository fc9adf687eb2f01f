/**
 * What every scenario shares: throw-away databases (a temp dir on disk for PGlite, as production runs it; a fresh
 * database on the PostgreSQL server), cleanup that also runs on Ctrl-C, and number formatting.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import type { Db } from '../src/db/db.ts'
import { migrate } from '../src/db/migrate.ts'
import { pgliteDir } from '../src/db/open.ts'
import { openPglite } from '../src/db/pglite.ts'
import { openPostgres } from '../src/db/postgres.ts'
import { randomBase62 } from '../src/shared/ids.ts'

/** One line of the final summary table. */
export interface SummaryRow {
  scenario: string
  metric: string
  value: string
  /** Ratio or verdict shown beside the value. */
  note?: string
}

// Undone last-first at the end of the run, or on SIGINT/SIGTERM, so no temp dir or database outlives the bench.
const cleanups: { label: string; fn: () => Promise<void> | void }[] = []

export function onCleanup(label: string, fn: () => Promise<void> | void): () => Promise<void> {
  const entry = { label, fn }
  cleanups.push(entry)
  // Calling the returned function runs this one cleanup now, once.
  return async () => {
    const i = cleanups.indexOf(entry)
    if (i < 0) return
    cleanups.splice(i, 1)
    await fn()
  }
}

export async function runCleanups(): Promise<void> {
  while (cleanups.length) {
    const { label, fn } = cleanups.pop()!
    try {
      await fn()
    } catch (err) {
      console.error(`cleanup "${label}" failed: ${(err as Error).message}`)
    }
  }
}

export function tempDir(prefix: string): { dir: string; remove: () => Promise<void> } {
  const dir = mkdtempSync(join(tmpdir(), `lunas-bench-${prefix}-`))
  const remove = onCleanup(`remove ${dir}`, () => rmSync(dir, { recursive: true, force: true }))
  return { dir, remove }
}

export interface BenchDb {
  db: Db
  label: string
  /** The PGlite data directory, for its size on disk. */
  dir?: string
  close: () => Promise<void>
}

/** PGlite in its worker thread on a fresh temp directory laid out as production's (`<data>/pglite`), migrated. */
export async function openBenchPglite(prefix: string): Promise<BenchDb> {
  const tmp = tempDir(prefix)
  const dir = pgliteDir(tmp.dir)
  const db = await openPglite(dir)
  const closeDb = onCleanup('close PGlite', () => db.close())
  await migrate(db)
  return {
    db,
    dir,
    label: 'PGlite (disk)',
    close: async () => {
      await closeDb()
      await tmp.remove()
    },
  }
}

/** A throw-away database on the server named by `adminUrl`, migrated; dropped on close. */
export async function openBenchPostgres(adminUrl: string): Promise<BenchDb> {
  const name = `lunas_bench_${randomBase62(8).toLowerCase()}`
  const admin = async (sql: string) => {
    const c = new pg.Client({ connectionString: adminUrl })
    await c.connect()
    try {
      await c.query(sql)
    } finally {
      await c.end()
    }
  }
  await admin(`create database ${name}`)
  const drop = onCleanup(`drop database ${name}`, () => admin(`drop database if exists ${name} with (force)`))
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  const db = openPostgres(url.toString(), 10)
  const closeDb = onCleanup('close pg pool', () => db.close())
  await migrate(db)
  return {
    db,
    label: 'PostgreSQL',
    close: async () => {
      await closeDb()
      await drop()
    },
  }
}

export async function serverVersion(db: Db): Promise<string> {
  const [r] = await db.query<{ v: string }>("select current_setting('server_version') as v")
  return r?.v ?? '?'
}

export function dirBytes(dir: string): number {
  let total = 0
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name)
    if (e.isDirectory()) total += dirBytes(p)
    else if (e.isFile()) total += statSync(p).size
  }
  return total
}

/** Samples RSS every 100 ms so a short peak between two measurements is not missed. */
export function rssSampler(): { peak: () => number; stop: () => void } {
  let peak = process.memoryUsage().rss
  const t = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss)
  }, 100)
  t.unref()
  return { peak: () => Math.max(peak, process.memoryUsage().rss), stop: () => clearInterval(t) }
}

export const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`
export const int = (n: number) => Math.round(n).toLocaleString('en-US')
export const perSec = (count: number, ms: number) => (count * 1000) / ms
export const ms = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2))
export const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`

/** The p-th percentile (0–100) of unsorted samples, nearest-rank. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN
  const sorted = [...samples].sort((a, b) => a - b)
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[rank]!
}

export function section(title: string): void {
  console.log(`\n== ${title} ${'='.repeat(Math.max(0, 100 - title.length))}`)
}
