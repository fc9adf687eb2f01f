/**
 * Tags: short names a workspace attaches to its mutations (Moota's "tagging"). Names are unique per workspace without
 * regard to case (the `tags_name` index on lower(name)); attaching a name that does not exist yet creates it, matching
 * an existing tag case-insensitively. Every statement filters by workspace, so a tag or mutation of another workspace
 * is simply not found.
 */
import type { Db, Sql } from '../db/db.ts'
import { isUniqueViolation } from '../db/db.ts'
import { AppError } from '../shared/errors.ts'
import { newPublicId } from '../shared/ids.ts'
import { namedRows, unnamedRows } from '../workspaces/mode.ts'
import type { Workspace } from '../workspaces/workspaces.ts'

export interface Tag {
  id: string
  publicId: string
  name: string
}

export const MAX_TAG_NAME = 100
export const DUPLICATE_TAG_NAME = 'The name has already been taken.'

type TagRow = { id: string; public_id: string; name: string }
const toTag = (r: TagRow): Tag => ({ id: r.id, publicId: r.public_id, name: r.name })

/** A tag name as stored: trimmed, 1–100 characters. */
export function normalizeTagName(value: string, field = 'name'): string {
  const name = value.trim()
  if (name === '') throw AppError.validation(`${field} must not be empty`, field)
  if ([...name].length > MAX_TAG_NAME)
    throw AppError.validation(`${field} must be at most ${MAX_TAG_NAME} characters`, field)
  return name
}

/** Normalized names, each once (first spelling wins when two differ only in case). */
function normalizeNames(names: readonly string[]): string[] {
  const seen = new Map<string, string>()
  for (const raw of names) {
    const name = normalizeTagName(raw)
    const key = name.toLowerCase()
    if (!seen.has(key)) seen.set(key, name)
  }
  return [...seen.values()]
}

/** The workspace's tags, oldest first; `names` keeps only those (case-insensitive, unknown names ignored). */
export async function listTags(db: Sql, ws: Workspace, p: { names?: readonly string[] } = {}): Promise<Tag[]> {
  const names = p.names?.map((n) => n.trim()).filter((n) => n !== '')
  if (names && names.length > 0) {
    return (
      await db.query<TagRow>(
        `select id, public_id, name from tags
         where workspace_id = $1 and lower(name) in (select lower(n) from unnest($2::text[]) as n)
         order by id`,
        [ws.id, names],
      )
    ).map(toTag)
  }
  return (
    await db.query<TagRow>('select id, public_id, name from tags where workspace_id = $1 order by id', [ws.id])
  ).map(toTag)
}

/** Creates a tag; a name the workspace already has (in any case) is a validation error on `name`. */
export async function createTag(db: Sql, ws: Workspace, rawName: string): Promise<Tag> {
  const name = normalizeTagName(rawName)
  const [row] = await db.query<TagRow>(
    `insert into tags (public_id, workspace_id, name) values ($1, $2, $3)
     on conflict (workspace_id, lower(name)) do nothing
     returning id, public_id, name`,
    [newPublicId(), ws.id, name],
  )
  if (!row) throw AppError.validation(DUPLICATE_TAG_NAME, 'name')
  return toTag(row)
}

export async function renameTag(db: Sql, ws: Workspace, publicId: string, rawName: string): Promise<Tag> {
  const name = normalizeTagName(rawName)
  let rows: TagRow[]
  try {
    rows = await db.query<TagRow>(
      `update tags set name = $3 where workspace_id = $1 and public_id = $2 returning id, public_id, name`,
      [ws.id, publicId, name],
    )
  } catch (err) {
    if (isUniqueViolation(err)) throw AppError.validation(DUPLICATE_TAG_NAME, 'name')
    throw err
  }
  const [row] = rows
  if (!row) throw AppError.notFound(`tag ${publicId} not found`)
  return toTag(row)
}

/** Deletes a tag; its links to mutations go with it (foreign-key cascade). */
export async function deleteTag(db: Sql, ws: Workspace, publicId: string): Promise<void> {
  const rows = await db.query('delete from tags where workspace_id = $1 and public_id = $2 returning id', [
    ws.id,
    publicId,
  ])
  if (rows.length === 0) throw AppError.notFound(`tag ${publicId} not found`)
}

/** The internal id of a live (not deleted) mutation of the workspace, or not_found. */
async function mutationId(tx: Sql, ws: Workspace, publicId: string): Promise<string> {
  const [row] = await tx.query<{ id: string }>(
    `select id from mutations where workspace_id = $1 and public_id = $2 and deleted_at is null
       and ${namedRows(ws, 'sandbox')}`,
    [ws.id, publicId],
  )
  if (!row) throw AppError.notFound(`mutation ${publicId} not found`)
  return row.id
}

/** The ids of the tags with these (normalized) names, creating the missing ones. */
async function ensureTags(tx: Sql, ws: Workspace, names: readonly string[]): Promise<string[]> {
  if (names.length === 0) return []
  // One order for every caller, so two transactions inserting overlapping names cannot deadlock on the index.
  const sorted = [...names].sort((x, y) => (x.toLowerCase() < y.toLowerCase() ? -1 : 1))
  await tx.query(
    `insert into tags (public_id, workspace_id, name)
     select p, $1, n from unnest($2::text[], $3::text[]) as t(p, n)
     on conflict (workspace_id, lower(name)) do nothing`,
    [ws.id, sorted.map(() => newPublicId()), sorted],
  )
  const rows = await tx.query<{ id: string }>(
    `select id from tags where workspace_id = $1 and lower(name) in (select lower(n) from unnest($2::text[]) as n)
     order by id`,
    [ws.id, names],
  )
  return rows.map((r) => r.id)
}

async function link(tx: Sql, mutation: string, tagIds: readonly string[]): Promise<void> {
  if (tagIds.length === 0) return
  await tx.query(
    `insert into mutation_tags (mutation_id, tag_id) select $1, t from unnest($2::bigint[]) as t
     on conflict do nothing`,
    [mutation, tagIds],
  )
}

/** Adds the named tags to a mutation, creating unknown names; attaching a tag twice changes nothing. */
export async function attachTags(
  db: Db,
  ws: Workspace,
  mutationPublicId: string,
  names: readonly string[],
): Promise<void> {
  const wanted = normalizeNames(names)
  await db.tx(async (tx) => {
    const mutation = await mutationId(tx, ws, mutationPublicId)
    await link(tx, mutation, await ensureTags(tx, ws, wanted))
  })
}

/** Makes the mutation's tags exactly the named ones (creating unknown names); an empty list removes them all. */
export async function replaceTags(
  db: Db,
  ws: Workspace,
  mutationPublicId: string,
  names: readonly string[],
): Promise<void> {
  const wanted = normalizeNames(names)
  await db.tx(async (tx) => {
    const mutation = await mutationId(tx, ws, mutationPublicId)
    await replaceLinks(tx, mutation, await ensureTags(tx, ws, wanted))
  })
}

async function replaceLinks(tx: Sql, mutation: string, tagIds: readonly string[]): Promise<void> {
  await tx.query('delete from mutation_tags where mutation_id = $1 and not (tag_id = any($2::bigint[]))', [
    mutation,
    tagIds,
  ])
  await link(tx, mutation, tagIds)
}

/** The internal ids of the workspace's tags with these public ids; one unknown id (or another tenant's) refuses all. */
async function tagIdsByPublicId(tx: Sql, ws: Workspace, publicIds: readonly string[], field: string): Promise<string[]> {
  const unique = [...new Set(publicIds)]
  if (unique.length === 0) return []
  const rows = await tx.query<{ id: string; public_id: string }>(
    'select id, public_id from tags where workspace_id = $1 and public_id = any($2::text[])',
    [ws.id, unique],
  )
  const found = new Set(rows.map((r) => r.public_id))
  const unknown = unique.find((id) => !found.has(id))
  if (unknown !== undefined) throw AppError.validation(`tag ${unknown} not found`, field)
  return rows.map((r) => r.id)
}

/**
 * Makes the mutation's tags exactly these: existing tags by public id plus tags by name (unknown names created, as
 * Moota's attach does). Both lists empty removes every tag. Returns the mutation's tags afterwards.
 */
export async function setMutationTags(
  db: Db,
  ws: Workspace,
  mutationPublicId: string,
  p: { tagIds: readonly string[]; names: readonly string[] },
): Promise<Tag[]> {
  const wanted = normalizeNames(p.names)
  await db.tx(async (tx) => {
    const mutation = await mutationId(tx, ws, mutationPublicId)
    const byId = await tagIdsByPublicId(tx, ws, p.tagIds, 'tag_ids')
    const byName = await ensureTags(tx, ws, wanted)
    await replaceLinks(tx, mutation, [...new Set([...byId, ...byName])])
  })
  return tagsOfMutation(db, ws, mutationPublicId)
}

/** Removes one tag (by public id) from a mutation; not_found when either is unknown in the workspace. */
export async function detachTagById(db: Db, ws: Workspace, mutationPublicId: string, tagPublicId: string): Promise<void> {
  await db.tx(async (tx) => {
    const mutation = await mutationId(tx, ws, mutationPublicId)
    const [tag] = await tx.query<{ id: string }>('select id from tags where workspace_id = $1 and public_id = $2', [
      ws.id,
      tagPublicId,
    ])
    if (!tag) throw AppError.notFound(`tag ${tagPublicId} not found`)
    await tx.query('delete from mutation_tags where mutation_id = $1 and tag_id = $2', [mutation, tag.id])
  })
}

export interface TagWithUsage extends Tag {
  /** Mutations carrying the tag that the mutation lists show (tag filter, no account named). */
  usage: number
}

/**
 * The workspace's tags, oldest first, each with how many mutations carry it: the same mutations a list filtered by the
 * tag shows (not deleted, of an account not deleted, of the caller's mode), so the count and the list agree. Tag
 * names are the workspace's vocabulary, shared by both modes; only the counts are per mode.
 */
export async function listTagsWithUsage(db: Sql, ws: Workspace): Promise<TagWithUsage[]> {
  const rows = await db.query<TagRow & { usage: number }>(
    `select t.id, t.public_id, t.name,
       (select count(*)::int from mutation_tags mt join mutations m on m.id = mt.mutation_id
          join accounts a on a.id = m.account_id
        where mt.tag_id = t.id and m.workspace_id = $1 and m.deleted_at is null and a.deleted_at is null
          and ${unnamedRows(ws, 'm.sandbox')}) as usage
     from tags t where t.workspace_id = $1 order by t.id`,
    [ws.id],
  )
  return rows.map((r) => ({ ...toTag(r), usage: Number(r.usage) }))
}

/** Tags of several mutations (public ids) at once, oldest tag first: one query for a whole page of a list. */
export async function tagsOfMutations(
  db: Sql,
  ws: Workspace,
  mutationPublicIds: readonly string[],
): Promise<Map<string, Tag[]>> {
  const byMutation = new Map<string, Tag[]>(mutationPublicIds.map((id) => [id, []]))
  if (mutationPublicIds.length === 0) return byMutation
  const rows = await db.query<TagRow & { mutation: string }>(
    `select m.public_id as mutation, t.id, t.public_id, t.name from mutation_tags mt
     join tags t on t.id = mt.tag_id
     join mutations m on m.id = mt.mutation_id
     where m.workspace_id = $1 and t.workspace_id = $1 and m.public_id = any($2::text[])
     order by t.id`,
    [ws.id, [...mutationPublicIds]],
  )
  for (const r of rows) byMutation.get(r.mutation)?.push(toTag(r))
  return byMutation
}

/** Removes the named tags from a mutation; names it does not carry (or that do not exist) are ignored. */
export async function detachTags(
  db: Db,
  ws: Workspace,
  mutationPublicId: string,
  names: readonly string[],
): Promise<void> {
  const wanted = normalizeNames(names)
  await db.tx(async (tx) => {
    const mutation = await mutationId(tx, ws, mutationPublicId)
    if (wanted.length === 0) return
    await tx.query(
      `delete from mutation_tags mt using tags t
       where mt.tag_id = t.id and mt.mutation_id = $1 and t.workspace_id = $2
         and lower(t.name) in (select lower(n) from unnest($3::text[]) as n)`,
      [mutation, ws.id, wanted],
    )
  })
}

/** The names of a mutation's tags, oldest tag first (for tests and presenters). */
export async function tagsOfMutation(db: Sql, ws: Workspace, mutationPublicId: string): Promise<Tag[]> {
  const rows = await db.query<TagRow>(
    `select t.id, t.public_id, t.name from mutation_tags mt
     join tags t on t.id = mt.tag_id
     join mutations m on m.id = mt.mutation_id
     where m.workspace_id = $1 and m.public_id = $2 and t.workspace_id = $1 and ${namedRows(ws, 'm.sandbox')}
     order by t.id`,
    [ws.id, mutationPublicId],
  )
  return rows.map(toTag)
}
