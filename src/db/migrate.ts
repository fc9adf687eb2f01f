/**
 * Numbered plain-SQL migrations (migrations/NNNN_name.sql), the same files on PostgreSQL 15 and PGlite.
 * They run in one transaction under an advisory lock, so several processes starting together are safe:
 * the first applies them, the others wait and then find nothing left to do.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Db } from './db.ts'

const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url))
// Any fixed 64-bit number; it only has to be the same in every Lunas process.
const MIGRATION_LOCK = 7_273_748_001

export interface Migration {
  version: number
  name: string
  sql: string
}

export function listMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}_[\w-]+\.sql$/.test(f))
    .sort()
    .map((f) => ({
      version: Number(f.slice(0, 4)),
      name: f.replace(/\.sql$/, ''),
      sql: readFileSync(dir + f, 'utf8'),
    }))
}

/** Applies pending migrations; returns the names applied by this call. */
export async function migrate(db: Db, migrations = listMigrations()): Promise<string[]> {
  return db.tx(async (tx) => {
    await tx.query('select pg_advisory_xact_lock($1)', [MIGRATION_LOCK])
    await tx.query(
      'create table if not exists schema_migrations (version int primary key, name text not null, applied_at timestamptz not null default now())',
    )
    const done = new Set(
      (await tx.query<{ version: number }>('select version from schema_migrations')).map((r) => r.version),
    )
    const applied: string[] = []
    for (const m of migrations) {
      if (done.has(m.version)) continue
      // Sent as one simple-protocol script so a file may hold several statements.
      await tx.exec(m.sql)
      await tx.query('insert into schema_migrations (version, name) values ($1, $2)', [m.version, m.name])
      applied.push(m.name)
    }
    return applied
  })
}
