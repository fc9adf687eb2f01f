/**
 * What the conformance tests compare a Lunas answer with: the JSON type of every field of Moota's captured response
 * (test/fixtures/moota-api/, from Moota's PHP SDK), plus the value forms clients parse (decimal-string money,
 * 11-character ids, `token` mirroring the id, WIB dates). Where Lunas legitimately differs from a fixture, the field
 * is listed below with the reason; nothing else may differ.
 */
import { expect } from 'vitest'
import { jsonShape, type RawResponse } from '../../src/api/test-support.ts'

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Moota's JSON, read loosely in tests
export type Json = Record<string, any>

export const MONEY = /^-?\d+\.\d{2}$/
export const ID = /^[0-9A-Za-z]{11}$/
/** `"Y-m-d H:i:s"`, as Moota writes mutation and bank dates (in WIB). */
export const WIB_DATE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/
/** Laravel's ISO form (`2021-09-24T03:46:57.000000Z`) of `last_update` and the user's timestamps. */
export const LARAVEL_ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/

/**
 * BankAccount fields whose JSON type differs from the fixture's, and why. Their type must be one of those given.
 */
export const BANK_EXCEPTIONS: Record<string, { types: string[]; why: string }> = {
  corporate_id: { types: ['null'], why: 'no corporate internet-banking login (fixture: null in lists, "" after store)' },
  date_from: { types: ['null'], why: 'Lunas does not scrape, so there is no crawl window' },
  date_to: { types: ['null'], why: 'Lunas does not scrape, so there is no crawl window' },
  meta: { types: ['null'], why: "Moota keeps e-wallet session tokens here; Lunas never echoes credentials" },
  next_queue: { types: ['string', 'null'], why: 'null while no sync is scheduled' },
  recurred_at: { types: ['null'], why: 'no paid subscription to renew' },
  last_update: { types: ['string', 'null'], why: 'null until a sync of the account has finished' },
}
/** Fields Lunas adds to a BankAccount: `sandbox` (simulated accounts never mix into live data). */
export const BANK_EXTRA: Record<string, string> = { sandbox: 'boolean' }
/** Fields Lunas adds to a Mutation: top-level `bank_type`, which v1-era receivers read (reference §5). */
export const MUTATION_EXTRA: Record<string, string> = { bank_type: 'string' }

type Shape = Record<string, unknown>

/** `ours` has exactly the fixture's keys and JSON types, apart from the stated exceptions and extra fields. */
export function expectShape(
  ours: unknown,
  theirs: unknown,
  opts: { exceptions?: Record<string, { types: string[] }>; extra?: Record<string, string>; label?: string } = {},
) {
  const label = opts.label ?? 'response'
  const o = jsonShape(ours) as Shape
  const t = jsonShape(theirs) as Shape
  expect(typeof o, label).toBe('object')
  for (const [key, type] of Object.entries(opts.extra ?? {})) {
    expect(o[key], `${label}.${key} (Lunas addition)`).toBe(type)
    delete o[key]
  }
  for (const [key, { types }] of Object.entries(opts.exceptions ?? {})) {
    if (!(key in t)) continue
    expect(types, `${label}.${key} (stated exception)`).toContain(o[key])
    o[key] = t[key]
  }
  expect(o, label).toEqual(t)
}

/** A BankAccount against a fixture's bank, with its value forms. */
export function expectBank(ours: Json, theirs: Json, label = 'bank') {
  expectShape(ours, theirs, { exceptions: BANK_EXCEPTIONS, extra: BANK_EXTRA, label })
  expect(ours.bank_id, `${label}.bank_id`).toMatch(ID)
  expect(ours.token, `${label}.token`).toBe(ours.bank_id)
  expect(ours.balance, `${label}.balance`).toMatch(MONEY)
  expect(ours.account_number, `${label}.account_number`).toEqual(expect.any(String))
  expect(ours.created_at, `${label}.created_at`).toMatch(WIB_DATE)
  if (ours.last_update !== null) expect(ours.last_update, `${label}.last_update`).toMatch(LARAVEL_ISO)
  if (ours.next_queue !== null) expect(ours.next_queue, `${label}.next_queue`).toMatch(WIB_DATE)
  // Credentials are never shown, whatever the client stored.
  expect(ours.username, `${label}.username`).toBe('')
  expect(ours.meta, `${label}.meta`).toBeNull()
}

/** A Mutation (API form) against a fixture's mutation, nested bank and taggings included. */
export function expectMutation(ours: Json, theirs: Json, label = 'mutation') {
  const { bank, taggings, ...rest } = ours
  const { bank: theirBank, taggings: theirTaggings, ...theirRest } = theirs
  expectShape(rest, theirRest, { extra: MUTATION_EXTRA, label })
  expect(Array.isArray(taggings) && Array.isArray(theirTaggings), `${label}.taggings is an array`).toBe(true)
  for (const tag of taggings as Json[]) {
    expectShape(tag, { name: 'car', tag_id: 'M1Z6zK0jJDY' }, { label: `${label}.taggings[]` })
    expect(tag.tag_id).toMatch(ID)
  }
  expectBank(bank as Json, theirBank as Json, `${label}.bank`)
  expect(ours.mutation_id, `${label}.mutation_id`).toMatch(ID)
  expect(ours.token, `${label}.token`).toBe(ours.mutation_id)
  expect(ours.bank_id, `${label}.bank_id`).toBe((bank as Json).bank_id)
  expect(ours.amount, `${label}.amount`).toMatch(MONEY)
  expect(ours.balance, `${label}.balance`).toMatch(MONEY)
  for (const key of ['date', 'created_at', 'updated_at']) expect(ours[key], `${label}.${key}`).toMatch(WIB_DATE)
  expect(['CR', 'DB']).toContain(ours.type)
}

/**
 * Laravel's paginator envelope against a fixture's, `data` aside. The URL fields and `from`/`to` are null or not by
 * position (first, last, empty page), exactly as Laravel writes them; every other field keeps the fixture's type.
 */
export function expectPaginator(page: Json, fixture: Json, label = 'page') {
  const { data, links, ...envelope } = page
  const { data: _d, links: theirLinks, ...theirs } = fixture
  const t = jsonShape(theirs) as Shape
  const hasRows = (data as unknown[]).length > 0
  t.next_page_url = page.current_page < page.last_page ? 'string' : 'null'
  t.prev_page_url = page.current_page > 1 ? 'string' : 'null'
  t.from = hasRows ? 'number' : 'null'
  t.to = hasRows ? 'number' : 'null'
  expect(jsonShape(envelope), label).toEqual(t)
  expect(Array.isArray(data)).toBe(true)
  for (const link of links as Json[]) {
    expect(['string', 'null']).toContain(jsonShape(link.url))
    expectShape({ ...link, url: 'x' }, { ...(theirLinks as Json[])[1], url: 'x' }, { label: `${label}.links[]` })
  }
  for (const key of ['current_page', 'last_page', 'per_page', 'total']) expect(Number.isInteger(page[key])).toBe(true)
}

/** The body of a raw response as JSON, after checking it says it is JSON (PHP clients json_decode whatever comes). */
export function json(res: RawResponse): Json {
  expect(res.headers['content-type'], `content-type of ${res.status} ${res.text.slice(0, 200)}`).toMatch(
    /^application\/json/,
  )
  return JSON.parse(res.text) as Json
}

/** A `"Y-m-d H:i:s"` WIB date as an instant. */
export const wibInstant = (s: string) => new Date(`${s.replace(' ', 'T')}+07:00`)
