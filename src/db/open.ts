/** Opens the configured engine: PostgreSQL when DATABASE_URL is set, otherwise PGlite in the data directory. */
import { join } from 'node:path'
import type { Db } from './db.ts'
import { openPglite } from './pglite.ts'
import { openPostgres } from './postgres.ts'

export interface DbTarget {
  databaseUrl: string | undefined
  dataDir: string
  dbPoolSize?: number
}

/** The PGlite cluster lives in a sub-folder so the data directory can also hold the lock, socket and key file. */
export function pgliteDir(dataDir: string): string {
  return join(dataDir, 'pglite')
}

export async function openDb(target: DbTarget): Promise<Db> {
  if (target.databaseUrl) return openPostgres(target.databaseUrl, target.dbPoolSize)
  return openPglite(pgliteDir(target.dataDir))
}
