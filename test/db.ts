/**
 * A fresh, migrated database per test file: in-memory PGlite by default, or a throw-away database on the server
 * named by LUNAS_TEST_DATABASE_URL (CI sets it to run the same suite on PostgreSQL 15).
 */
import pg from 'pg'
import type { Db } from '../src/db/db.ts'
import { migrate } from '../src/db/migrate.ts'
import { openPglite } from '../src/db/pglite.ts'
import { openPostgres } from '../src/db/postgres.ts'
import { randomBase62 } from '../src/shared/ids.ts'

export const TEST_PG_URL = process.env.LUNAS_TEST_DATABASE_URL || undefined
export const onPostgres = Boolean(TEST_PG_URL)

/** Creates an empty database on the test server and returns its URL plus a function that drops it. */
export async function createPgDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `lunas_t_${randomBase62(10).toLowerCase()}`
  const admin = new pg.Client({ connectionString: TEST_PG_URL })
  await admin.connect()
  await admin.query(`create database ${name}`)
  await admin.end()
  const url = new URL(TEST_PG_URL!)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: TEST_PG_URL })
      await c.connect()
      await c.query(`drop database if exists ${name} with (force)`)
      await c.end()
    },
  }
}

export interface TestDb {
  db: Db
  /** The database URL when on PostgreSQL (for tests that start other processes on it). */
  url?: string
  close(): Promise<void>
}

export async function openTestDb(): Promise<TestDb> {
  if (TEST_PG_URL) {
    const { url, drop } = await createPgDatabase()
    const db = openPostgres(url, 5)
    await migrate(db)
    return {
      db,
      url,
      close: async () => {
        await db.close()
        await drop()
      },
    }
  }
  const db = await openPglite(null)
  await migrate(db)
  return { db, close: () => db.close() }
}
