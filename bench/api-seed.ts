/**
 * The seed of the `api` scenario: one workspace whose four bank accounts hold `rows` mutations over a year of WIB
 * days, generated in SQL (INSERT … SELECT over generate_series: minutes instead of the hours the ingest path would
 * take) yet shaped exactly as ingest() stores statement rows: the ledger's identity (WIB day + direction + amount +
 * description + balance + occurrence, SHA-256, base64url), in-day positions in source order, a running balance with no
 * gaps, the raw statement line, one outbox event per mutation, one sync run per account and day, and some tags.
 * Every value derives from hashes of the row number, so every build stores the same data.
 *
 * Built once and kept: PGlite in `bench/.cache/api-pglite-<rows>-v<SEED_VERSION>` (gitignored), PostgreSQL in the
 * database `lunas_bench_api_<rows>_v<SEED_VERSION>` on the DATABASE_URL server. A build is reused only when its
 * completion marker (table `lunas_bench_seed`) says so; a half-built one (Ctrl-C, crash) is thrown away and rebuilt.
 * Bump SEED_VERSION whenever the generated data changes.
 */
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { addAccount } from '../src/accounts/accounts.ts'
import type { Db, Sql } from '../src/db/db.ts'
import { migrate } from '../src/db/migrate.ts'
import { pgliteDir } from '../src/db/open.ts'
import { openPglite } from '../src/db/pglite.ts'
import { openPostgres } from '../src/db/postgres.ts'
import { rebuildDayCounts } from '../src/ledger/day-counts.ts'
import { ingest } from '../src/ledger/ingest.ts'
import type { SourceRow } from '../src/ledger/types.ts'
import { createTag } from '../src/tags/tags.ts'
import { createToken } from '../src/tokens/tokens.ts'
import { createUser } from '../src/users/users.ts'
import { getWorkspace, type Workspace } from '../src/workspaces/workspaces.ts'
import { addDays, BANK_CODES, NAMES, PRICES, rupiahText } from './data.ts'
import { int, onCleanup } from './util.ts'

export const SEED_VERSION = 1
const WORKSPACE = 'bench-api'
const EMAIL = 'bench-api@lunas.test'
const TOKEN_NAME = 'bench-api'
// A year of WIB days, ending a week before the bench was written, so nothing lies in the future.
export const LAST_DAY = '2026-11-15'
export const DAYS = 365
export const FIRST_DAY = addDays(LAST_DAY, 1 - DAYS)
const ACCOUNTS = [
  { bankType: 'bca', accountNumber: '8610123456' },
  { bankType: 'bni', accountNumber: '0271234567' },
  { bankType: 'bri', accountNumber: '034101000123567' },
  { bankType: 'mandiriOnline', accountNumber: '1370012345678' },
]
// Tag names; about 8 % of the credits carry one, a quarter of those a second.
export const TAG_NAMES = ['lunas', 'reseller', 'grosir', 'dropship', 'refund', 'cek ulang']
const OPENING_BALANCE_SEN = 50_000_000_00n
const CACHE_DIR = join(dirname(fileURLToPath(import.meta.url)), '.cache')

/** A seeded database, open, with what the scenario needs to query it. */
export interface ApiSeed {
  db: Db
  label: string
  ws: Workspace
  /** A fresh `mutation_read` token of the seed's user (earlier runs' bench tokens are deleted). */
  token: string
  reused: boolean
  /** How long the build took (this run's, or the reused build's own). */
  buildMs: number
  /** Where the seed lives: a directory or a database name. */
  location: string
  close: () => Promise<void>
}

/** `hashint8extended` of the row key with a salt: a deterministic, non-negative bigint per (row, salt). */
const h = (key: string, salt: number) => `(hashint8extended(${key}, ${salt}) & 9223372036854775807)`
/** Sen as rupiah text, `-` included, as statement lines print it (data.ts rupiahText). */
const rp = (x: string) =>
  `(case when ${x} < 0 then '-' else '' end || (abs(${x}) / 100)::text || '.' || lpad((abs(${x}) % 100)::text, 2, '0'))`
/** 11 base62 characters from a SHA-256: base64 without `+`, `/` and `=` is base62. */
const publicIdOf = (text: string) =>
  `substr(translate(encode(sha256(convert_to(${text}, 'UTF8')), 'base64'), '+/=', ''), 1, 11)`
/** 01:00 WIB the morning after a WIB day, as timestamptz: when that day's statement was read. */
const readAtOf = (day: string) => `((${day} + 1)::timestamp + interval '1 hour' - interval '7 hours') at time zone 'UTC'`

/**
 * One account's mutations. Parameters: $1 workspace, $2 account, $3 rows, $4 first WIB day, $5 days, $6 account
 * index (salt), $7 opening balance (sen), $8 names, $9 BI bank codes, $10 prices (rupiah). Descriptions and amounts
 * follow data.ts's StatementSource: 78 % customer payments (price + kode unik 1–999), 12 % fees, 5 % ATM, 5 %
 * supplier transfers (with sen).
 */
const ACCOUNT_MUTATIONS = `
with g as (
  select j, $6::bigint * 1000000000 + j as k, ($4::date + (j * $5::bigint / $3::bigint)::int) as day
  from generate_series(0::bigint, $3::bigint - 1) as j
),
r as (
  select j, k, day, to_char(day, 'DD/MM') as ddmm, ${h('k', 1)} % 86400 as sec, ${h('k', 2)} % 100 as kind,
    ($8::text[])[1 + ${h('k', 3)} % cardinality($8::text[])] as name,
    ($9::text[])[1 + ${h('k', 4)} % cardinality($9::text[])] as code,
    ${h('k', 5)} as h5, ${h('k', 6)} as h6, ${h('k', 7)} as h7, ${h('k', 8)} as h8
  from g
),
d as (
  select r.*, case when kind < 78 then 'CR' else 'DB' end as direction,
    case
      when kind < 78 then (($10::bigint[])[1 + h5 % cardinality($10::bigint[])] + 1 + h6 % 999) * 100
      when kind < 90 then (array[250000, 650000, 1000000]::bigint[])[1 + h5 % 3]
      when kind < 95 then (array[100000, 200000, 500000, 1000000]::bigint[])[1 + h5 % 4] * 100
      else (h5 % 5000000 + 100000) * 100 + h6 % 100
    end as amount
  from r
),
e as (
  select d.*,
    case
      when kind < 78 then case h7 % 6
        when 0 then 'TRSF E-BANKING CR ' || ddmm || '/FTSCY/WS95031 ' || ${rp('amount')} || ' ' || name
        when 1 then 'BI-FAST CR BIF TRANSFER DR ' || code || ' ' || name
        when 2 then 'SWITCHING CR TRANSFER DR ' || code || ' ' || name
        when 3 then 'KR OTOMATIS LLG-' || (array['BRI', 'MANDIRI', 'BNI', 'CIMB NIAGA'])[1 + h8 % 4] || ' ' || name
                    || ' INV/2026/' || lpad((j + 1)::text, 7, '0')
        when 4 then 'TRANSFER DARI ' || name || ' PEMBAYARAN PESANAN #' || lpad((j + 1)::text, 7, '0')
        else 'SETORAN TUNAI ' || ddmm || ' ' || name
      end
      when kind < 90 then case h7 % 4
        when 0 then 'BIAYA ADM'
        when 1 then 'BIAYA TXN BI-FAST ' || ddmm
        when 2 then 'DB OTOMATIS PAJAK BUNGA ' || ddmm
        else 'TRSF E-BANKING DB ' || ddmm || '/FTFVA/WS95051 PLN PASCABAYAR'
      end
      when kind < 95 then 'TARIKAN ATM ' || ddmm || ' ' || lpad((h7 % 1000000)::text, 6, '0')
      else 'BI-FAST DB BIF TRANSFER KE ' || code || ' ' || name
    end as description
  from d
),
w as (
  select e.*,
    ($7::bigint + sum(case when direction = 'CR' then amount else -amount end)
      over (order by day, sec, j rows between unbounded preceding and current row))::bigint as balance,
    (row_number() over (partition by day order by sec, j) - 1)::int as position
  from e
),
i as (
  select w.*, row_number() over (partition by day, direction, amount, description, balance order by position) - 1
           as occurrence,
         to_char(day, 'YYYY-MM-DD') as day_text, ${readAtOf('day')} as read_at
  from w
)
insert into mutations (public_id, workspace_id, account_id, identity, occurred_at, wib_date, position, direction,
  amount, description, balance, reference, note, raw, source, sandbox, sync_run_id, read_at, created_at, updated_at)
select ${publicIdOf(`'lunas-bench-api-v${SEED_VERSION}:m:' || k`)}, $1::bigint, $2::bigint,
  'day:' || day_text || ':' || substr(translate(rtrim(encode(sha256(convert_to(
    array_to_json(array[day_text, direction, amount::text, description, balance::text])::text, 'UTF8')), 'base64'),
    '='), '+/', '-_'), 1, 22) || ':' || occurrence,
  (day::timestamp + sec * interval '1 second' - interval '7 hours') at time zone 'UTC',
  day, position, direction, amount, description, balance, null, '',
  to_jsonb(day_text || ';' || description || ';' || ${rp('amount')} || ';' || direction || ';' || ${rp('balance')}),
  'mt940', false, s.id, i.read_at, i.read_at, i.read_at
from i join sync_runs s on s.account_id = $2::bigint and s.started_at = i.read_at
order by day, sec, j`

/** One finished scheduled sync run per account and WIB day, each reading that day's statement. */
const ACCOUNT_SYNC_RUNS = `
insert into sync_runs (public_id, workspace_id, account_id, trigger, status, started_at, finished_at, rows_seen,
  rows_new, worker)
select ${publicIdOf(`'lunas-bench-api-v${SEED_VERSION}:s:' || $2::bigint || ':' || day`)}, $1::bigint, $2::bigint, 'schedule', 'ok',
  ${readAtOf('day')}, ${readAtOf('day')} + interval '3 seconds', n, n, 'bench'
from (select ($4::date + (j * $5::bigint / $3::bigint)::int) as day, count(*)::int as n
      from generate_series(0::bigint, $3::bigint - 1) as j group by 1) x
order by day`

interface DroppedIndex {
  name: string
  definition: string
}

/** The secondary indexes of `mutations` (not those behind constraints), dropped for the load and rebuilt after. */
async function dropSecondaryIndexes(db: Sql): Promise<DroppedIndex[]> {
  const rows = await db.query<{ name: string; definition: string }>(
    `select i.relname as name, pg_get_indexdef(i.oid) as definition
     from pg_index x join pg_class i on i.oid = x.indexrelid
     where x.indrelid = 'mutations'::regclass
       and not exists (select 1 from pg_constraint c where c.conindid = i.oid)
     order by i.relname`,
  )
  for (const r of rows) await db.exec(`drop index ${r.name}`)
  return rows
}

const step = async <T>(what: string, work: () => Promise<T>): Promise<T> => {
  const t0 = performance.now()
  const result = await work()
  console.log(`    ${what.padEnd(52)} ${((performance.now() - t0) / 1000).toFixed(1).padStart(6)} s`)
  return result
}

/** Builds the seed into a freshly migrated, empty database and marks it complete. */
async function build(db: Db, rows: number): Promise<number> {
  const t0 = performance.now()
  const memory = db.engine === 'postgres' ? '512MB' : '128MB'
  const { workspace: ws } = await createUser(db, { email: EMAIL, password: 'bench-password', workspace: WORKSPACE })
  const accounts = []
  for (const a of ACCOUNTS) accounts.push(await addAccount(db, ws, { ...a, holderName: 'CV Maju Jaya Abadi' }))
  const tagIds: string[] = []
  for (const name of TAG_NAMES) tagIds.push((await createTag(db, ws, name)).id)

  const indexes = await step('drop secondary indexes of mutations', () => dropSecondaryIndexes(db))
  const perAccount = Math.ceil(rows / accounts.length)
  for (const [n, account] of accounts.entries()) {
    const count = Math.min(perAccount, rows - n * perAccount)
    const params = [
      ws.id,
      account.id,
      count,
      FIRST_DAY,
      DAYS,
      n,
      OPENING_BALANCE_SEN.toString(),
      [...NAMES],
      [...BANK_CODES],
      PRICES.map(String),
    ]
    await step(`${account.bankType}: ${int(count)} mutations`, async () => {
      await db.query(ACCOUNT_SYNC_RUNS, params.slice(0, 5))
      await db.tx(async (tx) => {
        await tx.query(`set local work_mem = '${memory}'`)
        await tx.query(ACCOUNT_MUTATIONS, params)
      })
    })
  }
  await step('outbox events (one per mutation)', () =>
    db.query(
      `insert into events (public_id, workspace_id, type, account_id, mutation_id, sandbox, created_at)
       select ${publicIdOf(`'lunas-bench-api-v${SEED_VERSION}:e:' || m.id`)}, m.workspace_id, 'mutation.created',
         m.account_id, m.id, m.sandbox, m.created_at
       from mutations m where m.workspace_id = $1 order by m.id`,
      [ws.id],
    ),
  )
  await step('tags (8 % of credits, a quarter of them twice)', () =>
    db.query(
      `insert into mutation_tags (mutation_id, tag_id, created_at)
       select m.id, ($2::bigint[])[1 + ${h('m.id', 11)} % 6], m.created_at + interval '1 hour'
       from mutations m where m.workspace_id = $1 and m.direction = 'CR' and ${h('m.id', 10)} % 100 < 8
       union all
       select m.id, ($2::bigint[])[1 + (${h('m.id', 11)} + 1 + ${h('m.id', 12)} % 5) % 6], m.created_at + interval '2 hours'
       from mutations m where m.workspace_id = $1 and m.direction = 'CR' and ${h('m.id', 10)} % 100 < 2`,
      [ws.id, tagIds],
    ),
  )
  // The rows went in behind the ledger's back, so its per-day rollup (exact list totals) is computed once here.
  await step('per-day rollup of mutations', () => rebuildDayCounts(db, ws))
  for (const ix of indexes)
    await step(`rebuild ${ix.name}`, () =>
      db.tx(async (tx) => {
        await tx.query(`set local maintenance_work_mem = '${memory}'`)
        await tx.exec(ix.definition)
      }),
    )
  // What autovacuum does on a server soon after a bulk load; PGlite has no autovacuum, so both get it explicitly
  // and every run (building or reusing) measures the same state.
  await step('vacuum (analyze)', () => db.exec('vacuum (analyze)'))
  await step('check: stored as ingest() would store them', () => verify(db, ws, rows))
  const buildMs = performance.now() - t0
  await db.exec('create table lunas_bench_seed (rows int not null, version int not null, build_ms int not null, built_at timestamptz not null default now())')
  await db.query('insert into lunas_bench_seed (rows, version, build_ms) values ($1, $2, $3)', [
    rows,
    SEED_VERSION,
    Math.round(buildMs),
  ])
  return buildMs
}

/**
 * The seed is what ingest() would have stored: re-ingesting a stored day through the real ingest() finds every row a
 * duplicate (identities match), and no account's running balance breaks anywhere.
 */
async function verify(db: Db, ws: Workspace, rows: number): Promise<void> {
  const [count] = await db.query<{ n: string; min_balance: string }>(
    'select count(*) as n, min(balance) as min_balance from mutations where workspace_id = $1',
    [ws.id],
  )
  if (Number(count!.n) !== rows) throw new Error(`seed: expected ${rows} mutations, found ${count!.n}`)
  const [gaps] = await db.query<{ n: string }>(
    `select count(*) as n from (
       select balance, lag(balance) over w + case when direction = 'CR' then amount else -amount end as expected
       from mutations where workspace_id = $1 window w as (partition by account_id order by occurred_at, position, id)
     ) x where expected is not null and expected <> balance`,
    [ws.id],
  )
  if (Number(gaps!.n) !== 0) throw new Error(`seed: ${gaps!.n} balance breaks`)
  const [account] = await db.query<{ public_id: string; id: string }>(
    'select public_id, id from accounts where workspace_id = $1 order by id limit 1',
    [ws.id],
  )
  const day = addDays(FIRST_DAY, Math.floor(DAYS / 2))
  const stored = await db.query<{
    at: string
    direction: 'CR' | 'DB'
    amount: string
    description: string
    balance: string
    raw: string
  }>(
    `select to_char(occurred_at at time zone 'UTC' + interval '7 hours', 'YYYY-MM-DD HH24:MI:SS') as at, direction,
       amount, description, balance, raw
     from mutations where account_id = $1 and wib_date = $2 order by position`,
    [account!.id, day],
  )
  const source: SourceRow[] = stored.map((r) => ({
    date: r.at,
    amount: rupiahText(BigInt(r.amount)),
    type: r.direction,
    description: r.description,
    balance: rupiahText(BigInt(r.balance)),
    raw: r.raw,
  }))
  const again = await ingest(db, ws, { accountId: account!.public_id, source: 'mt940', rows: source })
  if (again.inserted.length || again.duplicates !== source.length || source.length === 0)
    throw new Error(
      `seed: re-ingesting ${day} (${source.length} rows) stored ${again.inserted.length}; identities differ from ingest()`,
    )
  if (Number(count!.min_balance) < 0) console.log(`    (lowest running balance ${count!.min_balance} sen: an overdraft)`)
}

/** The marker of a complete build, or null (no marker table: never built, or interrupted). */
async function marker(db: Db): Promise<{ rows: number; build_ms: number } | null> {
  const [t] = await db.query<{ t: string | null }>("select to_regclass('lunas_bench_seed')::text as t")
  if (!t?.t) return null
  const [m] = await db.query<{ rows: number; build_ms: number; version: number }>(
    'select rows, build_ms, version from lunas_bench_seed',
  )
  return m ?? null
}

/** The seeded workspace and a fresh token: earlier runs' bench tokens are deleted first, so none pile up. */
async function session(db: Db): Promise<{ ws: Workspace; token: string }> {
  const ws = await getWorkspace(db, WORKSPACE)
  await db.query('delete from api_tokens where workspace_id = $1 and name = $2', [ws.id, TOKEN_NAME])
  const { token } = await createToken(db, { email: EMAIL, workspace: WORKSPACE, scopes: 'mutation_read', name: TOKEN_NAME })
  return { ws, token }
}

/** PGlite (in its worker thread, as the server runs it) on the cached seed directory, building it when missing. */
export async function openSeedPglite(rows: number): Promise<ApiSeed> {
  const home = join(CACHE_DIR, `api-pglite-${rows}-v${SEED_VERSION}`)
  const reused = existsSync(home)
  let buildMs = 0
  if (!reused) {
    // Built beside its final place and renamed when complete: an interrupted build never looks like a cache.
    const partial = `${home}.partial`
    rmSync(partial, { recursive: true, force: true })
    mkdirSync(partial, { recursive: true })
    const removePartial = onCleanup(`remove ${partial}`, () => rmSync(partial, { recursive: true, force: true }))
    console.log(`  seed: building ${int(rows)} mutations in ${partial}`)
    const db = await openPglite(pgliteDir(partial))
    try {
      await migrate(db)
      buildMs = await build(db, rows)
    } finally {
      await db.close()
    }
    renameSync(partial, home)
    await removePartial()
  }
  const db = await openPglite(pgliteDir(home))
  const closeDb = onCleanup('close PGlite', () => db.close())
  await migrate(db) // later migrations (new indexes) apply to the cached seed too
  const m = await marker(db)
  if (!m) {
    await closeDb()
    rmSync(home, { recursive: true, force: true })
    throw new Error(`${home} holds no complete seed; removed it, run again to rebuild`)
  }
  if (reused) buildMs = m.build_ms
  const { ws, token } = await session(db)
  return { db, label: 'PGlite (disk)', ws, token, reused, buildMs, location: home, close: closeDb }
}

/** A persistent database on the DATABASE_URL server, built when missing or incomplete. */
export async function openSeedPostgres(adminUrl: string, rows: number): Promise<ApiSeed> {
  const name = `lunas_bench_api_${rows}_v${SEED_VERSION}`
  const admin = async (sql: string, params: unknown[] = []) => {
    const c = new pg.Client({ connectionString: adminUrl })
    await c.connect()
    try {
      return (await c.query(sql, params)).rows
    } finally {
      await c.end()
    }
  }
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  const open = async () => {
    const db = openPostgres(url.toString(), 10)
    return { db, close: onCleanup('close pg pool', () => db.close()) }
  }

  let buildMs = 0
  let reused = false
  if ((await admin('select 1 from pg_database where datname = $1', [name])).length) {
    const { db, close } = await open()
    const m = await marker(db)
    await close()
    if (m) {
      reused = true
      buildMs = m.build_ms
    } else {
      console.log(`  seed: ${name} has no completion marker (interrupted build): dropping it`)
      await admin(`drop database ${name} with (force)`)
    }
  }
  if (!reused) {
    console.log(`  seed: building ${int(rows)} mutations in database ${name}`)
    await admin(`create database ${name}`)
    const { db, close } = await open()
    try {
      await migrate(db)
      buildMs = await build(db, rows)
    } finally {
      await close()
    }
  }
  const { db, close } = await open()
  await migrate(db)
  const { ws, token } = await session(db)
  return { db, label: 'PostgreSQL', ws, token, reused, buildMs, location: `${url.host}/${name}`, close }
}
