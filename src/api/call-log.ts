/**
 * The API-call log as one set of hooks on the root instance: every call under /api/v2 and /v1 (answered, refused,
 * rate-limited or 404) is handed to the recorder after its response is sent, so recording costs the request nothing
 * but an array push. Calls without a valid token (401s, auth/login, unknown routes) are kept with no workspace: the
 * operator can query them (password guessing shows there), but no listing shows them, since they belong to no one.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { App } from '../app.ts'
import { keepBody, redactUrl } from '../apilog/redact.ts'
import { type ApiCallRecorder, startRecorder } from '../apilog/recorder.ts'
import { startRetention } from '../apilog/retention.ts'
import { newPublicId } from '../shared/ids.ts'
import { isApiPath, surfacePath } from './errors.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** The API-call recorder; null when LUNAS_API_LOG=off. */
    apiCallLog: ApiCallRecorder | null
  }
  interface FastifyRequest {
    /** The parsed body as the client sent it, before a route schema replaced it with its parsed form. */
    sentBody: unknown
  }
}

function responseBytes(reply: FastifyReply): number | null {
  const n = Number(reply.getHeader('content-length'))
  return Number.isFinite(n) ? n : null
}

export function registerCallLog(server: FastifyInstance, app: App): void {
  server.decorate('apiCallLog', null)
  if (!app.config.apiLog) return
  const recorder = startRecorder(app.db, app.log)
  const retention = startRetention(app.db, app.log, app.config.apiLogRetentionDays)
  server.apiCallLog = recorder
  server.decorateRequest('sentBody', undefined)

  // The schema's output drops unknown keys and normalises values; the log shows what the client really sent.
  server.addHook('preValidation', (request, _reply, done) => {
    request.sentBody = request.body
    done()
  })

  server.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done) => {
    if (isApiPath(surfacePath(request))) {
      const principal = request.principal
      // Bodies of refused calls (no valid token) were never parsed, so sentBody is undefined for them.
      const kept = keepBody(request.sentBody)
      recorder.record({
        publicId: newPublicId(),
        workspaceId: principal?.workspace.id ?? null,
        tokenId: principal?.tokenId ?? null,
        at: new Date(Date.now() - reply.elapsedTime),
        method: request.method,
        path: redactUrl(request.url),
        status: reply.statusCode,
        latencyMs: reply.elapsedTime,
        requestBody: kept.body,
        bodyTruncated: kept.truncated,
        responseBytes: responseBytes(reply),
        ip: request.ip,
      })
    }
    done()
  })

  // Runs after in-flight requests have finished and before the caller closes the database.
  server.addHook('onClose', async () => {
    await retention.stop()
    await recorder.close()
  })
}
