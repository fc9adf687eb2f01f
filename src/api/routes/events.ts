/**
 * `GET /v1/events`: the workspace's events in order, after a cursor, for a merchant that was down to fetch what it
 * missed without depending on pushes. `seq` is the cursor: pass the last one seen as `after`.
 */
import type { FastifyPluginAsync } from 'fastify'
import { z } from 'zod'
import type { App } from '../../app.ts'
import { listEvents } from '../../events/events.ts'
import { listedMutationsByIds } from '../../ledger/list.ts'
import { tagsOfMutations } from '../../tags/tags.ts'
import { principalOf } from '../auth.ts'
import { presentMutation } from '../presenters.ts'
import { flag, type ZodTypeProvider } from '../validation.ts'

const EventsQuery = z.object({
  after: z
    .string()
    .regex(/^\d{1,18}$/, 'after must be the seq of an event (a whole number), or 0 for the beginning')
    .default('0'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  include_sandbox: flag,
})

export const eventRoutes: FastifyPluginAsync<{ app: App }> = async (instance, { app }) => {
  const server = instance.withTypeProvider<ZodTypeProvider>()

  server.get('/events', { schema: { querystring: EventsQuery }, config: { scope: 'mutation_read' } }, async (request) => {
    const ws = principalOf(request).workspace
    const q = request.query
    const events = await listEvents(app.db, ws, {
      after: BigInt(q.after),
      limit: q.limit,
      includeSandbox: q.include_sandbox,
    })
    const mutations = await listedMutationsByIds(
      app.db,
      ws,
      events.flatMap((e) => (e.mutationId ? [e.mutationId] : [])),
    )
    const tags = await tagsOfMutations(app.db, ws, [...mutations.values()].map((m) => m.publicId))
    const last = events.at(-1)
    return {
      data: events.map((e) => {
        const m = e.mutationId ? mutations.get(e.mutationId) : undefined
        return {
          id: e.publicId,
          seq: e.seq,
          type: e.type,
          created_at: e.createdAt.toISOString(),
          // A mutation deleted since is shown as null: the event happened, the row is gone.
          data: e.mutationId ? (m ? presentMutation(m, tags.get(m.publicId) ?? []) : null) : e.data,
        }
      }),
      // Where to resume: the last seq of this page, or the cursor given when nothing newer exists yet.
      next_after: last ? last.seq : q.after,
    }
  })
}
