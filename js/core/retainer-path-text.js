// A retainer path as text: a LeakCanary-style leak trace (the GC root, one line per reference, then the object),
// from the structure the native analyser returns. Shared by the test reports (retainer-paths.js) and the CLI's
// `leakwatch analyze`, so that both print the same trace.

import { formatBytes } from './bytes.js'

function sizes(node) {
  const retained = node.retainedSize == null ? '' : `, retains ${formatBytes(node.retainedSize)}`
  return `@${node.id}, ${formatBytes(node.selfSize)} self${retained}`
}

/**
 * One retainer path as a leak trace: the root, one line per reference (with a `^` line under a reference worth a
 * word, `step.note`), then the object.
 */
export function formatRetainerPath(path) {
  const lines = ['┬───', `│ GC Root: ${path.root}`, '│']
  for (const step of path.steps) {
    lines.push(`├─ ${step.holder.label}  (${sizes(step.holder)})`)
    const internal = step.isInternal ? '   (V8 internal reference)' : ''
    lines.push(`│    ↓ ${step.edgeLabel}${internal}`)
    if (step.note) lines.push(`│      ^ ${step.note}`)
  }
  lines.push(`╰→ ${path.target.label}  (${sizes(path.target)})`)
  return lines.join('\n')
}
