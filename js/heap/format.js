// Text for the CLI's heap analyses (`leakwatch analyze` and `diff`): by-constructor tables and leak traces, from the
// JSON the native analyser returns. The byte figures are js/core's, and the leak trace the native side's, both shared
// with the test reports.

import { formatBytes } from '../core/bytes.js'
import { retainerPathText } from '../core/retainer-path-input.js'

// The CLI's text for heap figures, from one import.
export { formatBytes }

function table(header, rows) {
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => row[column].length)))
  const line = (row) =>
    row.map((cell, column) => (column === row.length - 1 ? cell : cell.padStart(widths[column]))).join('   ')
  return [line(header), ...rows.map(line)].map((text) => `  ${text}`).join('\n')
}

/**
 * The whole `leakwatch analyze` text.
 * @param {object} analysis the native analysis
 * @param {string} file
 * @param {object} native the loaded binding, which renders retainer paths
 */
export function formatAnalysis(analysis, file, native) {
  const out = []
  const reachable = analysis.reachableSize == null ? '' : `, ${formatBytes(analysis.reachableSize)} reachable`
  out.push(
    `${file}: ${analysis.nodeCount.toLocaleString('en-US')} objects, ${formatBytes(analysis.totalSize)}${reachable}`,
  )
  out.push('')
  out.push('Biggest retained objects by constructor:')
  out.push(
    table(
      ['retained (largest)', 'self (all)', 'count', 'constructor'],
      analysis.constructors.map((group) => [
        formatBytes(group.maxRetainedSize),
        formatBytes(group.selfSize),
        group.count.toLocaleString('en-US'),
        group.name,
      ]),
    ),
  )
  for (const match of analysis.matches) {
    out.push('')
    if (match.count === 0) {
      out.push(`${match.query}: no such object in the snapshot.`)
      continue
    }
    const shown = match.paths.length
    out.push(
      `${match.query}: ${match.count} found, ${match.reachableCount} still reachable` +
        (shown < match.reachableCount ? ` (the ${shown} retaining the most below)` : ''),
    )
    for (const path of match.paths) {
      out.push('')
      out.push(retainerPathText(native, path))
    }
    if (match.reachableCount === 0) {
      out.push('  None is held by a strong reference: a GC would free them (held only weakly, or already garbage).')
    }
  }
  return out.join('\n')
}

/** The whole `leakwatch diff` text. */
export function formatDiff(diff, before, after) {
  const out = []
  const delta = diff.sizeAfter - diff.sizeBefore
  out.push(`${before} → ${after}`)
  out.push(
    `  ${diff.nodeCountBefore.toLocaleString('en-US')} → ${diff.nodeCountAfter.toLocaleString('en-US')} objects, ` +
      `${formatBytes(diff.sizeBefore)} → ${formatBytes(diff.sizeAfter)} (${delta >= 0 ? '+' : ''}${formatBytes(delta)})`,
  )
  out.push('')
  if (diff.grown.length === 0) {
    out.push('Nothing grew.')
    return out.join('\n')
  }
  out.push('Grown, by constructor (largest growth first):')
  const signed = (value, format = (v) => v.toLocaleString('en-US')) => `${value > 0 ? '+' : ''}${format(value)}`
  out.push(
    table(
      ['+bytes', '+count', 'count', 'new objects', 'constructor'],
      diff.grown.map((group) => [
        signed(group.sizeDelta, formatBytes),
        signed(group.countDelta),
        `${group.countBefore.toLocaleString('en-US')} → ${group.countAfter.toLocaleString('en-US')}`,
        group.newCount.toLocaleString('en-US'),
        group.name,
      ]),
    ),
  )
  return out.join('\n')
}
