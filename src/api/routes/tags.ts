/**
 * Lunas' own tag routes under /v1: tags are objects (`{id, name}`) that can be renamed without touching the
 * mutations carrying them, and a mutation's tags are set by id or by name. The domain is tags.ts, shared with
 * Moota's tagging routes: names are unique per workspace without regard to case, unknown names are created.
 */
import type { FastifyPluginAsync } from 'fastify'
import { z } from 'zod'
import type { App } from '../../app.ts'
import {
  createTag,
  deleteTag,
  detachTagById,
  listTagsWithUsage,
  renameTag,
  setMutationTags,
} from '../../tags/tags.ts'
import { principalOf } from '../auth.ts'
import { presentTag, presentTagWithUsage } from '../presenters.ts'
import { body, type ZodTypeProvider } from '../validation.ts'

const TagParams = z.object({ id: z.string().max(64) })
const MutationTagParams = z.object({ id: z.string().max(64), tag_id: z.string().max(64) })
const NameBody = body({ name: z.string().max(1000) })
const SetBody = body({
  tag_ids: z.array(z.string().max(64)).max(100).default([]),
  names: z.array(z.string().max(1000)).max(100).default([]),
})

export const tagRoutes: FastifyPluginAsync<{ app: App }> = async (instance, { app }) => {
  const server = instance.withTypeProvider<ZodTypeProvider>()

  server.get('/tags', { config: { scope: 'mutation_read' } }, async (request) => {
    const tags = await listTagsWithUsage(app.db, principalOf(request).workspace)
    return { data: tags.map(presentTagWithUsage) }
  })

  server.post('/tags', { schema: { body: NameBody }, config: { scope: 'mutation' } }, async (request, reply) => {
    const tag = await createTag(app.db, principalOf(request).workspace, request.body.name)
    return reply.code(201).send(presentTag(tag))
  })

  server.patch(
    '/tags/:id',
    { schema: { params: TagParams, body: NameBody }, config: { scope: 'mutation' } },
    async (request) =>
      presentTag(await renameTag(app.db, principalOf(request).workspace, request.params.id, request.body.name)),
  )

  server.delete(
    '/tags/:id',
    { schema: { params: TagParams }, config: { scope: 'mutation' } },
    async (request, reply) => {
      await deleteTag(app.db, principalOf(request).workspace, request.params.id)
      return reply.code(204).send()
    },
  )

  // Replaces the whole set: `{"tag_ids": [...], "names": [...]}`; both empty removes every tag.
  server.put(
    '/mutations/:id/tags',
    { schema: { params: TagParams, body: SetBody }, config: { scope: 'mutation' } },
    async (request) => {
      const tags = await setMutationTags(app.db, principalOf(request).workspace, request.params.id, {
        tagIds: request.body.tag_ids,
        names: request.body.names,
      })
      return { data: tags.map(presentTag) }
    },
  )

  server.delete(
    '/mutations/:id/tags/:tag_id',
    { schema: { params: MutationTagParams }, config: { scope: 'mutation' } },
    async (request, reply) => {
      await detachTagById(app.db, principalOf(request).workspace, request.params.id, request.params.tag_id)
      return reply.code(204).send()
    },
  )
}
