// The HTML report's chart: heap after GC against test order, one point per test that ran, files as bands, leaky
// tests marked, and the fitted slopes as lines. Drawn here as static SVG (no script needed to see it; the page's
// script only handles clicks), sized by a viewBox so it scales with the page. Thousands of points stay cheap: one
// <circle> each, coordinates rounded, no per-point script.

import { formatBytes } from '../../core/bytes.js'
import { escapeHtml } from './escape.js'

const WIDTH = 1000
const HEIGHT = 360
const MARGIN = { left: 74, right: 16, top: 44, bottom: 40 }
/** The lane under the plot for tests without heap figures (heap: 'off', or a report without them). */
const NO_HEAP_LANE = 22
const NO_HEAP_GAP = 8
/** Roughly the width of one character of the band labels, in viewBox units (font-size 11). */
const LABEL_CHAR_WIDTH = 6.3

/**
 * @typedef {object} ChartPoint
 * @property {number} id position in the run, from 0 (the page's script finds the test by it)
 * @property {number} fileIndex
 * @property {number | null} heapBytes
 * @property {boolean} afterGc
 * @property {boolean} leaky
 * @property {boolean} failed failed for another reason than a leak
 * @property {string} label what hovering the point says
 */
/**
 * @typedef {object} ChartBand
 * @property {number} fileIndex
 * @property {string} file
 * @property {number} first id of its first point
 * @property {number} last id of its last point
 * @property {number | null} slopeBytesPerTest the file's fitted heap slope, when it has one
 * @property {Array<{ ordinal: number, heapBytes: number }>} samples the heap samples after GC the slope was fitted
 *   on, by ordinal among the file's tests with heap figures
 * @property {number[]} checkedIds the run ids of the file's tests with heap figures, by that ordinal
 * @property {'ok' | 'warning' | 'error'} heapStatus
 * @property {number} fileScopeLeaks leaks of the file itself (module level, beforeAll, closed servers kept reachable)
 */

const round = (value) => Math.round(value * 10) / 10

/** A step of 1, 2 or 5 times a power of ten near `rough`. */
function niceStep(rough) {
  if (!(rough > 0)) return 1
  const power = 10 ** Math.floor(Math.log10(rough))
  const scaled = rough / power
  return (scaled <= 1 ? 1 : scaled <= 2 ? 2 : scaled <= 5 ? 5 : 10) * power
}

/** The y domain and its ticks, in steps that read well as bytes (whole kB or MB multiples: see js/core/bytes.js). */
function heapScale(values) {
  // A loop, not Math.min(...values): a suite may have more tests than a call takes arguments.
  let min = Infinity
  let max = -Infinity
  for (const value of values) {
    if (value < min) min = value
    if (value > max) max = value
  }
  if (max - min < 64_000) {
    min -= 32_000
    max += 32_000
  }
  const unit = max - min >= 4_000_000 ? 1_000_000 : 1000
  const step = niceStep((max - min) / unit / 5) * unit
  const low = Math.max(0, Math.floor(min / step) * step)
  const high = Math.ceil(max / step) * step
  const ticks = []
  for (let tick = low; tick <= high + step / 2; tick += step) ticks.push(tick)
  return { low, high: high > low ? high : low + step, ticks }
}

/**
 * A file's label in the room it has: its path, or its base name, or the base name without `.test.ts` and the like,
 * cut short with an ellipsis at the end.
 */
function fitLabel(file, width) {
  const max = Math.floor(width / LABEL_CHAR_WIDTH)
  if (max < 3) return ''
  const base = file.slice(file.lastIndexOf('/') + 1)
  const stem = base.replace(/\.(test|spec)\.[cm]?[jt]sx?$/, '')
  for (const candidate of [file, base, stem]) if (candidate.length <= max) return candidate
  return `${stem.slice(0, max - 1)}…`
}

/**
 * @param {{ points: ChartPoint[], bands: ChartBand[] }} chart
 * @returns {string} an <svg> element
 */
export function renderHeapChart({ points, bands }) {
  const count = points.length
  const withHeap = points.filter((point) => point.heapBytes !== null)
  const hasNoHeapLane = withHeap.length < count
  const plotLeft = MARGIN.left
  const plotRight = WIDTH - MARGIN.right
  const plotTop = MARGIN.top
  const lanesBottom = HEIGHT - MARGIN.bottom
  const plotBottom = hasNoHeapLane ? lanesBottom - NO_HEAP_LANE - NO_HEAP_GAP : lanesBottom
  const laneTop = plotBottom + NO_HEAP_GAP
  const step = (plotRight - plotLeft) / count
  const xOf = (id) => plotLeft + (id + 0.5) * step
  const scale = withHeap.length > 0 ? heapScale(withHeap.map((point) => point.heapBytes)) : null
  const yOf = (bytes) => plotBottom - ((bytes - scale.low) / (scale.high - scale.low)) * (plotBottom - plotTop)
  const radius = Math.max(1.6, Math.min(4.5, step * 0.4))
  const parts = []

  parts.push(
    `<svg id="heap-chart" class="chart" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" ` +
      `aria-label="Heap per test in run order: ${count} tests" data-plot-left="${plotLeft}" data-step="${step}" data-count="${count}">`,
    `<defs><clipPath id="plot-clip"><rect x="${plotLeft}" y="${plotTop}" width="${plotRight - plotLeft}" height="${plotBottom - plotTop}"/></clipPath></defs>`,
  )

  // Files as bands, labelled above the plot on two staggered rows: a label may use its neighbour's room as well.
  bands.forEach((band, position) => {
    const x = plotLeft + band.first * step
    const width = (band.last - band.first + 1) * step
    const labelRoom = (bands[position + 2]?.first ?? count) * step - band.first * step - 6
    const parity = position % 2 === 0 ? 'even' : 'odd'
    const slope = band.slopeBytesPerTest === null ? '' : `; heap slope ${signedBytes(band.slopeBytesPerTest)} per test`
    const status =
      band.heapStatus === 'ok'
        ? ''
        : band.heapStatus === 'error'
          ? ' (over its heap growth limit)'
          : ' (heap grows steadily)'
    const fileLeaks =
      band.fileScopeLeaks > 0
        ? `; ${band.fileScopeLeaks} leak${band.fileScopeLeaks === 1 ? '' : 's'} of the file scope`
        : ''
    parts.push(
      `<g class="band band-${parity} band-${band.heapStatus}${band.fileScopeLeaks > 0 ? ' band-leaky' : ''}" data-f="${band.fileIndex}">` +
        `<title>${escapeHtml(`${band.file}: tests ${band.first + 1} to ${band.last + 1}${slope}${status}${fileLeaks}`)}</title>` +
        `<rect x="${round(x)}" y="${plotTop}" width="${round(width)}" height="${lanesBottom - plotTop}"/>` +
        `<line class="band-mark" x1="${round(x)}" x2="${round(x)}" y1="${plotTop - (parity === 'even' ? 20 : 6)}" y2="${plotTop}"/>` +
        `<text class="band-label" x="${round(x + 3)}" y="${plotTop - (parity === 'even' ? 22 : 8)}">${escapeHtml(fitLabel(band.file, labelRoom))}</text></g>`,
    )
  })

  // Axes: heap on the left, test numbers (run order) below.
  if (scale) {
    for (const tick of scale.ticks) {
      const y = round(yOf(tick))
      parts.push(
        `<line class="grid" x1="${plotLeft}" x2="${plotRight}" y1="${y}" y2="${y}"/>`,
        `<text class="axis-label" x="${plotLeft - 6}" y="${y + 4}" text-anchor="end">${escapeHtml(formatBytes(tick))}</text>`,
      )
    }
  } else {
    parts.push(
      `<text class="chart-note" x="${(plotLeft + plotRight) / 2}" y="${(plotTop + plotBottom) / 2}" text-anchor="middle">` +
        'No heap figures in this report (heap: &#39;off&#39;): the points show the run order only.</text>',
    )
  }
  if (hasNoHeapLane) {
    parts.push(
      `<rect class="no-heap-lane" x="${plotLeft}" y="${laneTop}" width="${plotRight - plotLeft}" height="${NO_HEAP_LANE}"/>`,
      `<text class="axis-label" x="${plotLeft - 6}" y="${laneTop + NO_HEAP_LANE / 2 + 4}" text-anchor="end">no heap</text>`,
    )
  }
  // Whole test numbers only: under 10 tests, count / 10 would give steps of 0.1 to 0.5.
  const xStep = Math.max(1, niceStep(count / 10))
  for (let number = xStep; number <= count; number += xStep) {
    const x = round(xOf(number - 1))
    parts.push(`<text class="axis-label" x="${x}" y="${lanesBottom + 16}" text-anchor="middle">${number}</text>`)
  }
  parts.push(
    `<line class="axis" x1="${plotLeft}" x2="${plotRight}" y1="${lanesBottom}" y2="${lanesBottom}"/>`,
    `<line class="axis" x1="${plotLeft}" x2="${plotLeft}" y1="${plotTop}" y2="${lanesBottom}"/>`,
    `<text class="axis-title" x="${(plotLeft + plotRight) / 2}" y="${HEIGHT - 4}" text-anchor="middle">tests, in run order (files in path order)</text>`,
  )

  // Each file's slope within its band, drawn through the mean of the samples it was fitted on (where a least-squares
  // line passes). The suite's slope is a pooled fit (each file keeps its own level), so it is no one line here.
  if (scale) {
    for (const band of bands) {
      const { samples, checkedIds, slopeBytesPerTest: slope } = band
      if (samples.length < 2 || slope === null) continue
      const meanOrdinal = samples.reduce((sum, sample) => sum + sample.ordinal, 0) / samples.length
      const meanHeap = samples.reduce((sum, sample) => sum + sample.heapBytes, 0) / samples.length
      const last = checkedIds.length - 1
      const y = (ordinal) => round(yOf(meanHeap + slope * (ordinal - meanOrdinal)))
      parts.push(
        `<line class="trend" clip-path="url(#plot-clip)" x1="${round(xOf(checkedIds[0]))}" x2="${round(xOf(checkedIds[last]))}" ` +
          `y1="${y(0)}" y2="${y(last)}"><title>${escapeHtml(`${band.file}: ${signedBytes(slope)} per test`)}</title></line>`,
      )
    }
  }

  // Leaky tests: a tick above the plot as well as the red point, so they stand out among thousands.
  for (const point of points) {
    if (point.leaky)
      parts.push(
        `<line class="leak-tick" x1="${round(xOf(point.id))}" x2="${round(xOf(point.id))}" y1="${plotTop - 5}" y2="${plotTop}"/>`,
      )
  }

  parts.push(
    `<line id="selection-line" class="selection-line" x1="0" x2="0" y1="${plotTop}" y2="${lanesBottom}" visibility="hidden"/>`,
  )
  parts.push('<g class="points">')
  for (const point of points) {
    const y = point.heapBytes === null ? laneTop + NO_HEAP_LANE / 2 : yOf(point.heapBytes)
    const kind = point.heapBytes === null ? 'no-heap' : point.afterGc ? 'after-gc' : 'no-gc'
    const marks = `${point.leaky ? ' leaky' : ''}${point.failed ? ' failed' : ''}`
    parts.push(
      `<circle class="point ${kind}${marks}" data-i="${point.id}" cx="${round(xOf(point.id))}" cy="${round(y)}" ` +
        `r="${round(point.leaky ? radius * 1.4 : radius)}"><title>${escapeHtml(point.label)}</title></circle>`,
    )
  }
  parts.push('</g></svg>')
  return parts.join('\n')
}

export function signedBytes(bytes) {
  return `${bytes > 0 ? '+' : ''}${formatBytes(bytes)}`
}

/** The legend under the chart: what each mark means. */
export function renderChartLegend({ anyAfterGc, anyWithoutGc, anyNoHeap }) {
  const item = (swatch, text) =>
    `<li><svg class="swatch" viewBox="0 0 16 16" aria-hidden="true">${swatch}</svg>${text}</li>`
  const items = []
  if (anyAfterGc)
    items.push(
      item(
        '<circle class="point after-gc" cx="8" cy="8" r="4.5"/>',
        'heap after GC (a GC forced at the end of the test)',
      ),
    )
  if (anyWithoutGc)
    items.push(
      item(
        '<circle class="point no-gc" cx="8" cy="8" r="4.5"/>',
        'heap as it was at the end of the test (no GC forced: garbage included)',
      ),
    )
  if (anyNoHeap)
    items.push(item('<circle class="point no-heap" cx="8" cy="8" r="4.5"/>', 'no heap figure (heap: &#39;off&#39;)'))
  items.push(
    item(
      '<circle class="point after-gc leaky" cx="8" cy="8" r="5.5"/><line class="leak-tick" x1="8" x2="8" y1="0" y2="2"/>',
      'a test that leaked (failed, or warned with onLeak: &#39;warn&#39;), also ticked above the chart',
    ),
    item('<circle class="point after-gc failed" cx="8" cy="8" r="4.5"/>', 'a test that failed for another reason'),
    item(
      '<rect class="swatch-band" x="1" y="1" width="14" height="14"/>',
      'a test file (bands alternate; hover for its name)',
    ),
    item(
      '<text class="swatch-file-leak" x="1" y="13">ab</text>',
      'a file that leaked itself (module level, beforeAll)',
    ),
    item(
      '<rect class="swatch-band-warning" x="1" y="1" width="14" height="14"/>',
      'a file whose heap grows steadily, or over its limit (red)',
    ),
    item(
      '<line class="trend" x1="1" x2="15" y1="12" y2="4"/>',
      'a file&#39;s heap slope, fitted on its heap samples after GC',
    ),
  )
  return `<ul class="legend">${items.join('')}</ul>`
}
