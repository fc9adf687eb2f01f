/** The scale-out engine: a real PostgreSQL server through a pg.Pool, behind the common `Db` interface. */
import pg from 'pg'
import { type Db, type Row, type Sql, TEXT_TYPES } from './db.ts'

// Keep `date` as YYYY-MM-DD text: node-postgres would otherwise make a local-midnight Date of it.
const asText = (x: string) => x
pg.types.setTypeParser(TEXT_TYPES.date, asText)

export function openPostgres(url: string, poolSize = 10): Db {
  const pool = new pg.Pool({ connectionString: url, max: poolSize })
  // An idle client losing its connection (server restart) must not crash the process; the pool replaces it.
  pool.on('error', () => {})

  const run =
    (client: pg.Pool | pg.PoolClient) =>
    async <R extends Row = Row>(text: string, params: readonly unknown[] = []) =>
      (await client.query(text, params as unknown[])).rows as R[]

  return {
    engine: 'postgres',
    query: run(pool),
    async exec(text) {
      await pool.query(text)
    },
    async tx(fn) {
      const client = await pool.connect()
      // A client whose rollback failed has a broken connection: destroy it rather than return it to the pool.
      let broken = false
      try {
        await client.query('begin')
        const tx: Sql = {
          query: run(client),
          exec: async (text) => {
            await client.query(text)
          },
        }
        const result = await fn(tx)
        await client.query('commit')
        return result
      } catch (err) {
        await client.query('rollback').catch(() => {
          broken = true
        })
        throw err
      } finally {
        client.release(broken)
      }
    },
    async close() {
      await pool.end()
    },
  }
}
