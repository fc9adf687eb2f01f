/**
 * Moota-compatible tagging under /api/v2 (reference/moota-api.md §4.4): tag CRUD and the tags of a mutation, all in
 * the token's workspace. Tags are attached by name; names that do not exist yet are created (the WordPress plugin
 * relies on it). Clients disagree on verbs, so tag update takes PUT or POST.
 */
import type { FastifyPluginAsync } from 'fastify'
import { z } from 'zod'
import type { App } from '../../app.ts'
import {
  attachTags,
  createTag,
  deleteTag,
  detachTags,
  listTags,
  renameTag,
  replaceTags,
  type Tag,
} from '../../tags/tags.ts'
import { principalOf } from '../auth.ts'
import { body, type ZodTypeProvider } from '../validation.ts'

/** One name: PHP clients send an order id as a number, which is still a name. */
const oneName = z.union([z.string(), z.number().transform(String)])

/** `name` as one name or a list of names (Moota documents the list; some clients send one string). */
const names = (min: number) =>
  z
    .union([oneName.transform((n) => [n]), z.array(oneName)])
    .refine((list) => list.length >= min, { message: 'Kolom name harus diisi.' })

const TagParams = z.object({ tag_id: z.string() })
const MutationParams = z.object({ mutation_id: z.string() })

const ListQuery = z.object({
  // `tag=a,b`; repeated `tag=a&tag=b` works too.
  tag: z.union([z.string(), z.array(z.string())]).optional(),
})

// Blank is missing, in Laravel's words (the domain would refuse it too, in its own).
const NameBody = body({ name: oneName.refine((n) => n.trim() !== '', { message: 'Kolom name harus diisi.' }) })
const AttachBody = body({ name: names(1) })
const ReplaceBody = body({ name: names(0) })

const OK = { message: 'OK' } as const

export const presentTag = (t: Tag) => ({ name: t.name, tag_id: t.publicId })

export const mootaTaggingRoutes: FastifyPluginAsync<{ app: App }> = async (instance, { app }) => {
  const server = instance.withTypeProvider<ZodTypeProvider>()
  const ws = (request: Parameters<typeof principalOf>[0]) => principalOf(request).workspace

  server.get(
    '/tagging',
    { schema: { querystring: ListQuery }, config: { scope: 'mutation_read' } },
    async (request) => {
      const tag = request.query.tag
      const filter = tag === undefined ? undefined : [tag].flat().flatMap((t) => t.split(','))
      const tags = await listTags(app.db, ws(request), { names: filter })
      return { error: false, tagging: tags.map(presentTag) }
    },
  )

  server.post(
    '/tagging',
    { schema: { body: NameBody }, config: { scope: 'mutation' } },
    async (request) => {
      const tag = await createTag(app.db, ws(request), request.body.name)
      return { error: false, tagging: presentTag(tag) }
    },
  )

  server.route({
    method: ['PUT', 'POST'],
    url: '/tagging/:tag_id',
    schema: { params: TagParams, body: NameBody },
    config: { scope: 'mutation' },
    handler: async (request) => {
      await renameTag(app.db, ws(request), request.params.tag_id, request.body.name)
      return { error: false, message: 'Tag berhasil diupdate' }
    },
  })

  server.delete(
    '/tagging/:tag_id',
    { schema: { params: TagParams }, config: { scope: 'mutation' } },
    async (request) => {
      await deleteTag(app.db, ws(request), request.params.tag_id)
      return OK
    },
  )

  server.post(
    '/tagging/mutation/:mutation_id',
    { schema: { params: MutationParams, body: AttachBody }, config: { scope: 'mutation' } },
    async (request) => {
      await attachTags(app.db, ws(request), request.params.mutation_id, request.body.name)
      return OK
    },
  )

  server.put(
    '/tagging/mutation/:mutation_id',
    { schema: { params: MutationParams, body: ReplaceBody }, config: { scope: 'mutation' } },
    async (request) => {
      await replaceTags(app.db, ws(request), request.params.mutation_id, request.body.name)
      return OK
    },
  )

  server.delete(
    '/tagging/mutation/:mutation_id',
    { schema: { params: MutationParams, body: AttachBody }, config: { scope: 'mutation' } },
    async (request) => {
      await detachTags(app.db, ws(request), request.params.mutation_id, request.body.name)
      return OK
    },
  )
}
