// One object of a heap snapshot, asked for by its id (`leakwatch analyze --id`): what it is, what it refers to, and
// the path from a GC root that keeps it alive; as JSON and as text. Built from the native analyser's match for the
// id (asked with maxPaths 1 and maxReferences).

import { retainerPathText, sizesInWords } from '../core/retainer-path-input.js'

/**
 * The object an id query found, alone, or null when it found none.
 * @param {any} match one of the native analysis's `matches`, for an `@id` query
 */
export function objectView(match) {
  if (match.count === 0) return null
  const retainerPath = match.paths[0] ?? null
  const node = retainerPath?.target ?? match.unreachable[0]
  return {
    ...node,
    reachable: retainerPath !== null,
    retainerPath,
    references: match.references ?? [],
    referenceCount: match.referenceCount ?? 0,
  }
}

const SHOWN_NAME_CHARS = 80

/** What V8 calls it: the constructor of an object, the name of a function, the text of a string. */
function nameInWords(object) {
  if (object.type === 'object') return `constructor ${object.name || 'Object'}`
  if (object.type === 'closure') return `function ${object.name || '(anonymous)'}`
  const name = object.name.length > SHOWN_NAME_CHARS ? `${object.name.slice(0, SHOWN_NAME_CHARS)}…` : object.name
  return `name ${JSON.stringify(name)}`
}

/**
 * The object in words.
 * @param {string} query the id as asked (`@1234`)
 * @param {ReturnType<typeof objectView>} object
 * @param {object} native the loaded binding, which renders retainer paths
 */
export function formatObjectView(query, object, native) {
  if (object === null) return `${query}: no such object in the snapshot.`
  const out = [
    `@${object.id}: ${object.label}`,
    `  ${nameInWords(object)} (V8 type ${object.type}), ${sizesInWords(object)}`,
    '',
  ]
  const { references, referenceCount } = object
  if (referenceCount === 0) {
    out.push('It holds no references.')
  } else {
    const plural = referenceCount === 1 ? 'reference' : 'references'
    // Ranked strong before weak, then by what the referenced object retains (see src/heap/references.rs).
    out.push(
      references.length < referenceCount
        ? `It holds ${referenceCount} ${plural}; the ${references.length} retaining the most:`
        : `It holds ${referenceCount} ${plural} (those retaining the most first):`,
    )
    const width = Math.max(...references.map((reference) => reference.edgeLabel.length))
    for (const reference of references) {
      const notes = [reference.isWeak ? 'weak' : '', reference.isInternal ? 'V8 internal reference' : ''].filter(
        Boolean,
      )
      const note = notes.length > 0 ? `   (${notes.join(', ')})` : ''
      out.push(
        `  ${reference.edgeLabel.padEnd(width)}  → ${reference.target.label}  (@${reference.target.id}, ${sizesInWords(reference.target)})${note}`,
      )
    }
  }
  out.push('')
  if (object.retainerPath === null) {
    out.push(
      'Nothing keeps it alive through a strong reference: a GC would free it (held only weakly, or already garbage).',
    )
  } else {
    out.push('What keeps it alive, the shortest path from a GC root:')
    out.push(retainerPathText(native, object.retainerPath))
  }
  return out.join('\n')
}
