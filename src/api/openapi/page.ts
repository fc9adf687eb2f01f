/**
 * The browsable API reference at `/docs`: one HTML page rendered on the server from the OpenAPI document, with inline
 * CSS and no script, so it works offline and loads nothing from anywhere (ADR 0010). Pure.
 */
import type { JsonSchema, OpenApiDocument } from './document.ts'

const esc = (s: unknown) =>
  String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)

/** The little Markdown the document uses: `code`, paragraphs and "- " lists. */
function prose(text: string | undefined): string {
  if (!text) return ''
  const inline = (s: string) => esc(s).replace(/`([^`]+)`/g, '<code>$1</code>')
  return text
    .split(/\n{2,}/)
    .map((block) => {
      const lines = block.split('\n')
      const items = lines.filter((l) => l.startsWith('- '))
      const head = lines.filter((l) => !l.startsWith('- ')).join(' ')
      return (
        (head ? `<p>${inline(head)}</p>` : '') +
        (items.length ? `<ul>${items.map((l) => `<li>${inline(l.slice(2))}</li>`).join('')}</ul>` : '')
      )
    })
    .join('')
}

/** A short type label for a JSON Schema: `string`, `integer | string`, `array of object`, `"OK"`. */
function typeLabel(s: JsonSchema | undefined): string {
  if (!s || Object.keys(s).length === 0) return 'any'
  if ('const' in s) return JSON.stringify(s.const)
  if (Array.isArray(s.enum)) return s.enum.map((v) => JSON.stringify(v)).join(' | ')
  const alternatives = (s.anyOf ?? s.oneOf) as JsonSchema[] | undefined
  if (alternatives) return [...new Set(alternatives.map(typeLabel))].join(' | ')
  if (s.type === 'array') return `array of ${typeLabel(s.items as JsonSchema | undefined)}`
  if (typeof s.$ref === 'string') return s.$ref.split('/').pop()!
  return [s.type ?? 'any'].flat().join(' | ')
}

function schemaBlock(schema: unknown): string {
  return `<details><summary>Schema</summary><pre>${esc(JSON.stringify(schema, null, 2))}</pre></details>`
}

interface Operation {
  tags: string[]
  summary: string
  description: string
  operationId: string
  parameters?: { name: string; in: string; required: boolean; description?: string; schema: JsonSchema }[]
  requestBody?: { required: boolean; content: Record<string, { schema: JsonSchema }> }
  responses: Record<string, { description: string; content?: Record<string, { schema: unknown }> }>
}

function renderOperation(method: string, path: string, op: Operation): string {
  const params = op.parameters?.length
    ? `<h4>Parameters</h4><table><tr><th>Name</th><th>In</th><th>Type</th><th>Description</th></tr>${op.parameters
        .map(
          (p) =>
            `<tr><td><code>${esc(p.name)}</code>${p.required ? ' <b>required</b>' : ''}</td><td>${esc(p.in)}</td>` +
            `<td>${esc(typeLabel(p.schema))}</td><td>${prose(p.description ?? (p.schema.description as string | undefined))}</td></tr>`,
        )
        .join('')}</table>`
    : ''
  let body = ''
  if (op.requestBody) {
    const [type, media] = Object.entries(op.requestBody.content)[0]!
    const props = Object.entries((media.schema.properties ?? {}) as Record<string, JsonSchema>)
    const required = (media.schema.required ?? []) as string[]
    body =
      `<h4>Body <small>${esc(type)}${op.requestBody.required ? '' : ', optional'}</small></h4>` +
      `<table><tr><th>Field</th><th>Type</th><th>Description</th></tr>${props
        .map(
          ([name, s]) =>
            `<tr><td><code>${esc(name)}</code>${required.includes(name) ? ' <b>required</b>' : ''}</td>` +
            `<td>${esc(typeLabel(s))}</td><td>${prose(s.description as string | undefined)}</td></tr>`,
        )
        .join('')}</table>`
  }
  const responses = `<h4>Responses</h4><table>${Object.entries(op.responses)
    .map(([status, r]) => {
      const media = r.content && Object.values(r.content)[0]
      return `<tr><td><code>${esc(status)}</code></td><td>${prose(r.description)}${media ? schemaBlock(media.schema) : ''}</td></tr>`
    })
    .join('')}</table>`
  return (
    `<section id="${esc(op.operationId)}"><h3><span class="m ${esc(method)}">${esc(method.toUpperCase())}</span> ` +
    `<code>${esc(path)}</code> ${esc(op.summary)}</h3>${prose(op.description)}${params}${body}${responses}</section>`
  )
}

const STYLE = `
body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1d2330;display:flex}
nav{width:19rem;flex:none;height:100vh;overflow:auto;position:sticky;top:0;background:#f4f5f7;padding:1rem;box-sizing:border-box;font-size:13px}
nav a{display:block;color:inherit;text-decoration:none;padding:1px 0}main{padding:1rem 2rem;max-width:60rem}
section{border-top:1px solid #dde;padding:.5rem 0}h3{font-size:1.05rem}code{background:#f0f1f4;padding:0 .2em;border-radius:3px}
table{border-collapse:collapse;width:100%;margin:.3rem 0}td,th{border:1px solid #dde;padding:.25rem .5rem;text-align:left;vertical-align:top}
pre{background:#f7f7f9;padding:.5rem;overflow:auto;font-size:12px}.m{font:bold 12px monospace;padding:2px 6px;border-radius:3px;color:#fff;background:#555}
.get{background:#2f7d32}.post{background:#1f5fa8}.put{background:#a86b1f}.delete{background:#a8321f}`

/** The whole page; `documentUrl` is linked for download (same origin). */
export function renderReferencePage(doc: OpenApiDocument, documentUrl: string): string {
  const ops = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ path, method, op: op as Operation })),
  )
  const byTag = doc.tags.map((tag) => ({ tag, ops: ops.filter((o) => o.op.tags.includes(tag.name)) }))
  const nav = byTag
    .map(
      ({ tag, ops }) =>
        `<h4>${esc(tag.name)}</h4>${ops
          .map((o) => `<a href="#${esc(o.op.operationId)}"><b>${esc(o.method.toUpperCase())}</b> ${esc(o.path)}</a>`)
          .join('')}`,
    )
    .join('')
  const content = byTag
    .map(({ tag, ops }) => `<h2>${esc(tag.name)}</h2>${prose(tag.description)}${ops.map((o) => renderOperation(o.method, o.path, o.op)).join('')}`)
    .join('')
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(doc.info.title)} reference</title><style>${STYLE}</style></head>
<body><nav><strong>${esc(doc.info.title)} ${esc(doc.info.version)}</strong><p><a href="${esc(documentUrl)}">OpenAPI 3.1 document (JSON)</a></p>${nav}</nav>
<main><h1>${esc(doc.info.title)}</h1>${prose(doc.info.description)}
<p>Authentication: <code>Authorization: Bearer &lt;token&gt;</code>. ${prose(doc.components.securitySchemes.bearer.description)}</p>
${content}</main></body></html>
`
}
