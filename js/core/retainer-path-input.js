// A retainer path as the native renderer takes it (src/retainer_path_text.rs, the one place a path becomes a leak
// trace, for the test reports and the CLI alike): the analyser's structure, with each node's sizes in words, put
// here by the one byte formatter (bytes.js).

import { formatBytes } from './bytes.js'

/**
 * A heap node's sizes in words: `812 B self, retains 3.10 MB`; the self size alone when the retained size was not
 * computed.
 * @param {{ selfSize: number, retainedSize?: number | null }} node
 */
export function sizesInWords(node) {
  const retained = node.retainedSize == null ? '' : `, retains ${formatBytes(node.retainedSize)}`
  return `${formatBytes(node.selfSize)} self${retained}`
}

/**
 * `path` (one of the native analysis's `matches[].paths`) with each node's sizes in words, as `renderRetainerPath`
 * and `OpenResource.retainerPath` take it.
 */
export function withSizesInWords(path) {
  const withSizes = (node) => ({ ...node, sizes: sizesInWords(node) })
  return {
    ...path,
    steps: path.steps.map((step) => ({ ...step, holder: withSizes(step.holder) })),
    target: withSizes(path.target),
  }
}

/**
 * A path of the native analysis as a leak trace, rendered by the native side.
 * @param {{ renderRetainerPath(pathJson: string): string }} native the loaded binding
 */
export function retainerPathText(native, path) {
  return native.renderRetainerPath(JSON.stringify(withSizesInWords(path)))
}
