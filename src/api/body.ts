/**
 * Body parsing as tolerant as Moota's clients need (reference/moota-api.md §2.3): SDK v3 posts `[]` when it has no
 * data, some clients send JSON with no Content-Type, some send an empty body with `Content-Type: application/json`,
 * and tag detach sends a JSON body on DELETE (Fastify parses DELETE bodies already).
 */
import type { FastifyInstance } from 'fastify'

/** PHP encodes an empty associative array as `[]`; at the top of a body it always means "no fields". */
function normalize(value: unknown): unknown {
  return Array.isArray(value) && value.length === 0 ? {} : value
}

export function registerBodyParsers(server: FastifyInstance): void {
  // Fastify's own parser keeps its protection against __proto__ / constructor poisoning.
  const strictJson = server.getDefaultJsonParser('error', 'error')
  const lenientJson = (request: unknown, text: string, done: (err: Error | null, body?: unknown) => void) => {
    if (text.trim() === '') return done(null, undefined)
    // The default parser answers through `done` and returns nothing; `void` says so.
    void strictJson(request as never, text, (err, value) => (err ? done(err) : done(null, normalize(value))))
  }
  // JSON that says it is something else: PHP's curl with a string body labels it a form, fetch labels it text.
  const jsonOr =
    (fallback: (text: string) => unknown) =>
    (request: unknown, text: string, done: (err: Error | null, body?: unknown) => void) =>
      /^\s*[[{]/.test(text) ? lenientJson(request, text, done) : done(null, fallback(text))

  server.removeContentTypeParser(['application/json', 'text/plain'])
  server.addContentTypeParser('application/json', { parseAs: 'string' }, lenientJson)
  // No (or an unknown) Content-Type: Moota clients only ever send JSON.
  server.addContentTypeParser('*', { parseAs: 'string' }, lenientJson)
  server.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    jsonOr((text) => Object.fromEntries(new URLSearchParams(text))),
  )
  server.addContentTypeParser(
    'text/plain',
    { parseAs: 'string' },
    jsonOr((text) => text),
  )
}
