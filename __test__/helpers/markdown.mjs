// Reads the parts of a Markdown page that the docs test checks: fenced code blocks (with their info string), links
// outside code, heading anchors as GitHub makes them, and the tables that follow a marker comment. Small on purpose:
// the docs are written to these rules, and anything it does not understand makes the test fail, not pass.

/**
 * The fenced code blocks, in order. `info` is the words after the fence: `ts vitest.config` gives lang `ts` and tags
 * `['vitest.config']`.
 * @returns {Array<{ lang: string, tags: string[], code: string, line: number }>} `line`: 1-based, of the opening fence
 */
export function codeBlocks(text) {
  const blocks = []
  const lines = text.split('\n')
  for (let index = 0; index < lines.length; index++) {
    const open = /^(\s*)(`{3,}|~{3,})(.*)$/.exec(lines[index])
    if (!open) continue
    const [, , fence, info] = open
    const body = []
    let end = index + 1
    while (end < lines.length && !lines[end].trimStart().startsWith(fence)) body.push(lines[end++])
    if (end === lines.length) throw new Error(`a code block opened at line ${index + 1} is never closed`)
    const [lang = '', ...tags] = info.trim().split(/\s+/).filter(Boolean)
    blocks.push({ lang, tags, code: body.join('\n'), line: index + 1 })
    index = end
  }
  return blocks
}

/**
 * The text with fenced blocks and (unless `keepSpans`) inline code spans blanked, same line count: links in code are
 * not links, and `#` lines in a code block are not headings.
 */
export function withoutCode(text, { keepSpans = false } = {}) {
  const lines = text.split('\n')
  let fence = null
  return lines
    .map((line) => {
      const marker = /^\s*(`{3,}|~{3,})/.exec(line)
      if (fence === null && marker) {
        fence = marker[1]
        return ''
      }
      if (fence !== null) {
        if (line.trimStart().startsWith(fence)) fence = null
        return ''
      }
      return keepSpans ? line : line.replace(/(`+)[^`]*?\1/g, (span) => ' '.repeat(span.length))
    })
    .join('\n')
}

/**
 * Inline links and images outside code: `[text](target)` and `![alt](target)`.
 * @returns {Array<{ target: string, line: number }>}
 */
export function links(text) {
  const found = []
  withoutCode(text)
    .split('\n')
    .forEach((line, index) => {
      for (const match of line.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
        found.push({ target: match[1], line: index + 1 })
      }
    })
  return found
}

/** GitHub's anchor for a heading: lower case, punctuation dropped (hyphens and underscores kept), spaces to hyphens. */
export function slug(heading) {
  const plain = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/`/g, '')
    .replace(/<[^>]+>/g, '')
  return plain
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-')
}

/** The anchors of a page's headings (outside code), with GitHub's `-1`, `-2` for repeats. */
export function anchors(text) {
  const seen = new Map()
  const result = new Set()
  for (const line of withoutCode(text, { keepSpans: true }).split('\n')) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)
    if (!heading) continue
    const base = slug(heading[1])
    const count = seen.get(base) ?? 0
    seen.set(base, count + 1)
    result.add(count === 0 ? base : `${base}-${count}`)
  }
  return result
}

/** A table row's cells: split on unescaped pipes, `\|` read as `|`. */
function cells(row) {
  const parts = row.trim().split(/(?<!\\)\|/)
  if (parts[0].trim() === '') parts.shift()
  if (parts.length > 0 && parts.at(-1).trim() === '') parts.pop()
  return parts.map((cell) => cell.trim().replace(/\\\|/g, '|'))
}

/**
 * The table after each `<!-- <kind>: <name> -->` comment (e.g. `<!-- options: configure -->`).
 * @returns {Map<string, { header: string[], rows: string[][], line: number }>} by name
 */
export function markedTables(text, kind) {
  const tables = new Map()
  const lines = text.split('\n')
  lines.forEach((line, index) => {
    const marker = new RegExp(`^<!--\\s*${kind}:\\s*(\\S+)\\s*-->$`).exec(line.trim())
    if (!marker) return
    let at = index + 1
    while (at < lines.length && lines[at].trim() === '') at++
    const rows = []
    while (at < lines.length && lines[at].trim().startsWith('|')) rows.push(cells(lines[at++]))
    if (rows.length < 2 || !rows[1].every((cell) => /^:?-{3,}:?$/.test(cell))) {
      throw new Error(`the marker "${line.trim()}" at line ${index + 1} is not followed by a table`)
    }
    if (tables.has(marker[1])) throw new Error(`two tables are marked "${kind}: ${marker[1]}"`)
    tables.set(marker[1], { header: rows[0], rows: rows.slice(2), line: index + 1 })
  })
  return tables
}

/** The text of a cell that is one code span and nothing else (`` `100` `` gives `100`), else null. */
export function codeOnly(cell) {
  const match = /^(`+)(.+?)\1$/.exec(cell.trim())
  return match && !match[2].includes('`') ? match[2].trim() : null
}
