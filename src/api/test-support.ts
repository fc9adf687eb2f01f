/**
 * For the API tests only: a server on a fresh test database (test/db.ts), listening on a random port of 127.0.0.1,
 * with its log captured in memory, plus builders for the users, tokens and accounts the tests need.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import type { FastifyInstance } from 'fastify'
import { openTestDb } from '../../test/db.ts'
import { type Account, addAccount } from '../accounts/accounts.ts'
import type { App } from '../app.ts'
import { loadConfig } from '../config.ts'
import type { Db, Sql } from '../db/db.ts'
import { bumpDayCounts } from '../ledger/day-counts.ts'
import { randomBase62 } from '../shared/ids.ts'
import { createLogger } from '../shared/log.ts'
import { createToken } from '../tokens/tokens.ts'
import { createUser } from '../users/users.ts'
import type { Workspace } from '../workspaces/workspaces.ts'
import { buildServer } from './server.ts'

export const TEST_SECRET_KEY = 'ab'.repeat(32)

export interface TestServer {
  app: App
  server: FastifyInstance
  /** `http://127.0.0.1:<port>` */
  url: string
  /** Everything the server logged so far (pino JSON lines). */
  logs(): string
  /** Real HTTP to the server; `token` becomes a Bearer header. */
  request(
    method: string,
    path: string,
    opts?: { token?: string; json?: unknown; headers?: Record<string, string> },
  ): Promise<Response>
  close(): Promise<void>
}

/**
 * Builds and starts a server. `extend` may add routes before it listens (e.g. one that throws, to test the 500 path);
 * `env` adds settings (e.g. `LUNAS_RATE_LIMIT_PER_MINUTE`).
 */
export async function startTestServer(
  extend?: (server: FastifyInstance) => void,
  env: Record<string, string> = {},
): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'lunas-api-'))
  const testDb = await openTestDb()
  const chunks: string[] = []
  const sink = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk))
      done()
    },
  })
  const app: App = {
    config: loadConfig({
      LUNAS_DATA_DIR: dataDir,
      LUNAS_SECRET_KEY: TEST_SECRET_KEY,
      LUNAS_LOG_LEVEL: 'silent',
      ...env,
    }),
    db: testDb.db,
    // trace: the widest net for the "no secret in the logs" assertions.
    log: createLogger('trace', sink),
    secretKey: Buffer.from(TEST_SECRET_KEY, 'hex'),
  }
  const server = await buildServer(app)
  extend?.(server)
  await server.listen({ port: 0, host: '127.0.0.1' })
  const address = server.server.address()
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
  return {
    app,
    server,
    url,
    logs: () => chunks.join(''),
    request: (method, path, opts = {}) =>
      fetch(url + path, {
        method,
        headers: {
          ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
          ...(opts.json === undefined ? {} : { 'content-type': 'application/json' }),
          ...opts.headers,
        },
        ...(opts.json === undefined ? {} : { body: JSON.stringify(opts.json) }),
      }),
    close: async () => {
      await server.close()
      await testDb.close()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

export interface RawResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
}

/**
 * One HTTP request with exactly the headers given (node:http adds only Host, Connection and, with a body,
 * Content-Length), for replaying what a client sends. `fetch` cannot: it adds Accept, Accept-Language, User-Agent and
 * Sec-Fetch-Mode. `path` is sent as written, so a malformed URL reaches the server as the client wrote it.
 */
export function rawRequest(
  baseUrl: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<RawResponse> {
  const { hostname, port } = new URL(baseUrl)
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        hostname,
        port,
        method,
        path,
        headers: { ...headers, ...(body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) }) },
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }),
        )
        res.on('error', reject)
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}

export interface Tenant {
  workspace: Workspace
  /** A token with every scope (`api`). */
  token: string
  email: string
}

/** A user in a new workspace with an `api` token. */
export async function createTenant(db: Db, name = `ws-${randomBase62(6)}`): Promise<Tenant> {
  const email = `${name.toLowerCase()}@example.test`
  const { workspace } = await createUser(db, { email, password: 'correct horse battery', workspace: name })
  const { token } = await createToken(db, { email, scopes: ['api'] })
  return { workspace, token, email }
}

/** Another token for the tenant's user, with the given scopes. */
export async function tokenWithScopes(db: Sql, tenant: Tenant, scopes: string[]): Promise<string> {
  return (await createToken(db, { email: tenant.email, scopes })).token
}

export function addTestAccount(db: Sql, ws: Workspace, bankType = 'sandbox'): Promise<Account> {
  return addAccount(db, ws, { bankType, accountNumber: randomBase62(10), holderName: 'PT Contoh Jaya' })
}

export interface TestMutation {
  /** ISO 8601 with a zone; passed to PostgreSQL as written, so microseconds survive. */
  occurredAt: string
  amount: bigint
  type?: 'CR' | 'DB'
  description?: string
  sandbox?: boolean
}

/**
 * Writes mutations straight into the table (bypassing ingestion) so list tests control every column, including
 * identical timestamps; the per-day rollup is kept as ingestion keeps it.
 */
export async function insertMutations(
  db: Sql,
  ws: Workspace,
  account: Account,
  rows: readonly TestMutation[],
) {
  const ids: string[] = []
  for (const [i, r] of rows.entries()) {
    const publicId = randomBase62(11)
    await db.query(
      `with stored as (
         insert into mutations (public_id, workspace_id, account_id, identity, occurred_at, wib_date, position,
           direction, amount, description, source, raw, sandbox)
         values ($1, $2, $3, $4, $5, ($5::timestamptz at time zone 'Asia/Jakarta')::date, $6, $7, $8, $9, 'test', '{}',
           $10)
         returning workspace_id, account_id, occurred_at, direction, sandbox, amount
       )
       ${bumpDayCounts('stored', 1)}`,
      [
        publicId,
        ws.id,
        account.id,
        `test:${publicId}`,
        r.occurredAt,
        i,
        r.type ?? 'CR',
        r.amount.toString(),
        r.description ?? `TRANSFER ${i}`,
        r.sandbox ?? account.sandbox,
      ],
    )
    ids.push(publicId)
  }
  return ids
}

/** A response body captured from Moota (test/fixtures/moota-api, from Moota's PHP SDK), e.g. `Auth/MockAuthResponse.json`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- fixtures are arbitrary JSON, read loosely in tests
export function mootaFixture(path: string): Record<string, any> {
  return JSON.parse(readFileSync(new URL(`../../test/fixtures/moota-api/${path}`, import.meta.url), 'utf8'))
}

/** The JSON type of a value, objects key by key (recursively): conformance compares these, not just key names. */
export function jsonShape(value: unknown): unknown {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  if (typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonShape(v)]))
  return typeof value
}
