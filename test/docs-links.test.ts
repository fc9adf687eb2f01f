/**
 * Every relative link in README.md and docs/**\/*.md must point at a file or folder that exists: the README once
 * linked docs/webhooks.md before anyone wrote it (issue 8). External links (any `scheme:`) and same-page anchors
 * are not checked; an anchor into another file is checked for the file only.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('..', import.meta.url))

// One pass over the line, no nested quantifiers: linear on any input.
const LINK = /\]\(([^)\s]+)\)/g
const SCHEME = /^[a-z][a-z\d+.-]*:/i
const FENCE = /^\s*(```|~~~)/

/** The relative link targets of a markdown text, with their line numbers; code blocks hold code, not links. */
function relativeLinks(markdown: string): { line: number; target: string }[] {
  const out: { line: number; target: string }[] = []
  let inCode = false
  markdown.split('\n').forEach((text, i) => {
    if (FENCE.test(text)) inCode = !inCode
    if (inCode) return
    for (const m of text.matchAll(LINK)) {
      const target = m[1]!
      if (SCHEME.test(target) || target.startsWith('#')) continue
      out.push({ line: i + 1, target })
    }
  })
  return out
}

/** `docs/x.md#part` from `README.md` → the absolute path it names (a leading `/` is the repository root). */
function resolveTarget(fromFile: string, target: string): string {
  const path = decodeURIComponent(target.replace(/[#?].*$/, ''))
  return path.startsWith('/') ? join(ROOT, path) : join(dirname(fromFile), path)
}

function markdownFiles(): string[] {
  const docs = readdirSync(join(ROOT, 'docs'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.md'))
    .map((f) => join(ROOT, 'docs', f))
  return [join(ROOT, 'README.md'), ...docs.sort()]
}

describe('relativeLinks', () => {
  it('keeps relative paths (anchor included) and skips external links, same-page anchors and code', () => {
    const md = [
      'See [a](docs/a.md), [b](b.md#part) and [dir](adr/).',
      '[web](https://x.id) [plain](http://x.id) [mail](mailto:a@b.id) [top](#intro)',
      '```',
      'not a link: [x](missing.md)',
      '```',
    ].join('\n')
    expect(relativeLinks(md)).toEqual([
      { line: 1, target: 'docs/a.md' },
      { line: 1, target: 'b.md#part' },
      { line: 1, target: 'adr/' },
    ])
  })
})

describe('links in README.md and docs/', () => {
  it('point at files that exist', () => {
    const broken = markdownFiles().flatMap((file) =>
      relativeLinks(readFileSync(file, 'utf8'))
        .filter((l) => !existsSync(resolveTarget(file, l.target)))
        .map((l) => `${relative(ROOT, file)}:${l.line} → ${l.target}`),
    )
    expect(broken).toEqual([])
  })
})
