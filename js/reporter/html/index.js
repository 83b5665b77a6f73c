// The HTML report (leakwatch-report.html): one self-contained page from a leakwatch report (schema version 1, see
// the reporter): the heap per test across the run as a chart (files as bands, leaky tests marked, the fitted slopes),
// the leak table with creation sites, the files, and a details panel for the test (or file) a click selects.
//
// Self-contained and inert: inline CSS, SVG and script, and a Content-Security-Policy that allows only those (by
// hash) and no load of any kind, so opening the file never touches the network. Everything from the suite is
// escaped here, or set as textContent by the page's script; the report's data travels as JSON in a
// <script type="application/json"> block with `<` escaped, which the browser never runs.

import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { formatBytes } from '../../core/bytes.js'
import { kindOf, LISTENER_TYPE, RETAINED_TYPE } from '../../core/kinds.js'
import { renderChartLegend, renderHeapChart, signedBytes } from './chart.js'
import { FAILURE_WORDS } from '../failure-words.js'
import { escapeHtml, jsonForScript } from './escape.js'
import { leakCountOf, leakGroupsOf } from './scope-leaks.js'
import { REPORT_CSS } from './style.js'
import { REPORT_SCHEMA, REPORT_VERSION } from '../report.js'
/** Rows of the leak table (a row per creation site of a test or file); past this the page says how many more. */
const MAX_LEAK_ROWS = 5000
/** Files' heap growth verdicts shown in full above the chart; the rest are tagged in the file table. */
const MAX_HEAP_VERDICTS = 10

/** The kinds that are no handle, so nothing to keep the process alive: the page says so of the others. */
const KINDS_WITHOUT_HANDLE = [kindOf(LISTENER_TYPE), kindOf(RETAINED_TYPE)]

const PAGE_SCRIPT = withSharedFunctions(readFileSync(new URL('./page-script.js', import.meta.url), 'utf8'))
if (/<\/script|<!--/i.test(PAGE_SCRIPT))
  throw new Error('leakwatch: page-script.js must not contain "</script" or "<!--"')
const sha256 = (text) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `script-src ${sha256(PAGE_SCRIPT)}`,
  `style-src ${sha256(REPORT_CSS)}`,
  "img-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ')

/**
 * The page script with each marker (a comment "shared: <name> from <file>") replaced by that function's source, so
 * the page and the rest of leakwatch write the same figure, and read a report, the same way. Taken from the file's
 * text, as the page script is: a function's toString() would be whatever a loader made of it.
 */
function withSharedFunctions(pageScript) {
  const shared = new Set()
  const script = pageScript.replace(/\/\* shared: (\w+) from (js\/[\w/.-]+) \*\//g, (marker, name, file) => {
    const text = readFileSync(new URL(`../../../${file}`, import.meta.url), 'utf8')
    const source = new RegExp(`^export (function ${name}\\([\\s\\S]*?\\r?\\n\\})\\r?\\n`, 'm').exec(text)?.[1]
    if (source === undefined) throw new Error(`leakwatch: page-script.js shares ${name} from ${file}, which has none`)
    shared.add(name)
    return source.replace(/\n(?=.)/g, '\n  ')
  })
  for (const name of ['formatBytes', 'leakCountOf', 'leakGroupsOf'])
    if (!shared.has(name)) throw new Error(`leakwatch: page-script.js's marker for ${name} is missing`)
  return script
}

function checkReport(report) {
  const usage = 'renderHtmlReport() takes a leakwatch report object (leakwatch-report.json, parsed)'
  if (report === null || typeof report !== 'object' || Array.isArray(report)) {
    throw new TypeError(
      `leakwatch: ${usage}; got ${report === null ? 'null' : Array.isArray(report) ? 'an array' : typeof report}`,
    )
  }
  if (report.schema !== REPORT_SCHEMA) {
    throw new TypeError(
      `leakwatch: ${usage}; this object's "schema" is ${JSON.stringify(report.schema)}, not "${REPORT_SCHEMA}"`,
    )
  }
  if (report.version !== REPORT_VERSION) {
    throw new TypeError(
      `leakwatch: this leakwatch renders report version ${REPORT_VERSION}; the report is version ${JSON.stringify(report.version)}: ` +
        'render it with the leakwatch version that wrote it',
    )
  }
  if (report.files !== undefined && !Array.isArray(report.files)) {
    throw new TypeError(`leakwatch: ${usage}; its "files" must be an array, got ${typeof report.files}`)
  }
}

const isLeaky = (test) => Boolean(test.failedByLeaks || test.warned || leakCountOf(test) > 0)
/** The test ran to its end: a point in the chart. */
const ranToItsEnd = (test) => test.state !== 'skip' && test.state !== 'unfinished'
const hasHeap = (test) => test.heap !== null && typeof test.heap === 'object' && Number.isFinite(test.heap.heapBytes)
const count = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`

/**
 * The run order: files as the report lists them (by path), tests by their index in the file, skipped ones left out.
 * @returns {{ order: Array<[number, number]>, runIds: Array<Map<number, number>> }} each test that ran as
 *   [file index, index in file.tests]; and per file, a test's position in `order` by its index in file.tests
 */
function runOrder(files) {
  const order = []
  const runIds = files.map(() => new Map())
  files.forEach((file, fileIndex) => {
    const tests = file.tests ?? []
    const position = (testIndex) => (Number.isFinite(tests[testIndex].index) ? tests[testIndex].index : testIndex)
    const byIndex = tests.map((test, testIndex) => testIndex).sort((a, b) => position(a) - position(b))
    for (const testIndex of byIndex) {
      if (!ranToItsEnd(tests[testIndex])) continue
      runIds[fileIndex].set(testIndex, order.length)
      order.push([fileIndex, testIndex])
    }
  })
  return { order, runIds }
}

function totalsOf(report, order) {
  const files = report.files
  const given = report.totals ?? {}
  const tests = order.map(([f, t]) => files[f].tests[t])
  const testLeaks = tests.reduce((sum, test) => sum + leakCountOf(test), 0)
  const fileLeaks = files.reduce((sum, file) => sum + leakCountOf(file), 0)
  const number = (value, fallback) => (Number.isFinite(value) ? value : fallback)
  const leaksByKind = {}
  for (const leak of [...tests.flatMap((test) => test.leaks ?? []), ...files.flatMap((file) => file.leaks ?? [])]) {
    leaksByKind[leak.kind] = (leaksByKind[leak.kind] ?? 0) + 1
  }
  const unfinished = (list) => list.filter((record) => record.state === 'unfinished').length
  return {
    files: number(given.files, files.length),
    tests: number(given.tests, order.length),
    testsFailedByLeaks: number(given.testsFailedByLeaks, tests.filter((test) => test.failedByLeaks).length),
    testsWarned: number(given.testsWarned, tests.filter((test) => test.warned).length),
    filesFailedByLeaks: number(given.filesFailedByLeaks, files.filter((file) => file.failedByLeaks).length),
    filesWarned: number(given.filesWarned, files.filter((file) => file.warned).length),
    leaks: number(given.leaks, testLeaks + fileLeaks),
    leaksByKind: given.leaksByKind && typeof given.leaksByKind === 'object' ? given.leaksByKind : leaksByKind,
    filesWithHeapWarning: number(given.filesWithHeapWarning, files.filter((file) => file.heap?.warning).length),
    filesOverHeapLimit: number(given.filesOverHeapLimit, files.filter((file) => file.heap?.error).length),
    filesUnfinished: number(given.filesUnfinished, unfinished(files)),
    testsUnfinished: number(given.testsUnfinished, unfinished(files.flatMap((file) => file.tests))),
  }
}

function heapText(test) {
  if (!hasHeap(test)) return 'no heap figure'
  return `${formatBytes(test.heap.heapBytes)} ${test.heap.afterGc ? 'after GC' : 'as it was (no GC forced)'}`
}

function renderHeader(report) {
  const parts = []
  if (report.createdAt) parts.push(`created ${escapeHtml(report.createdAt)}`)
  if (report.leakwatchVersion) parts.push(`by leakwatch ${escapeHtml(report.leakwatchVersion)}`)
  if (report.root) parts.push(`root <code>${escapeHtml(report.root)}</code>`)
  const sources = Array.isArray(report.sources) ? report.sources : []
  if (sources.length > 1) {
    const shards = sources.map((source) => source?.shard).filter(Boolean)
    parts.push(
      `merged from ${sources.length} reports${shards.length > 0 ? ` (shards ${escapeHtml(shards.join(', '))})` : ''}`,
    )
  }
  const options = report.options ?? {}
  const optionText = []
  if (options.heap === 'mixed') optionText.push('heap: set per file')
  else if (options.heap) optionText.push(`heap: '${escapeHtml(options.heap)}'`)
  if (Number.isFinite(options.maxHeapGrowthPerTest))
    optionText.push(`maxHeapGrowthPerTest ${formatBytes(options.maxHeapGrowthPerTest)}`)
  if (Number.isFinite(options.maxHeapGrowthPerFile))
    optionText.push(`maxHeapGrowthPerFile ${formatBytes(options.maxHeapGrowthPerFile)}`)
  if (optionText.length > 0) parts.push(optionText.join(', '))
  return `<header><h1>leakwatch report</h1><p class="meta">${parts.join(' · ')}</p></header>`
}

function renderSummary(totals) {
  const leaked = totals.testsFailedByLeaks + totals.testsWarned
  const files = totals.filesFailedByLeaks + totals.filesWarned
  let verdict
  if (totals.tests === 0) verdict = '<p class="verdict">No tests ran.</p>'
  else if (totals.leaks === 0 && totals.filesOverHeapLimit === 0)
    verdict = `<p class="verdict good">No leaks in ${count(totals.tests, 'test')} across ${count(totals.files, 'file')}.</p>`
  else {
    const andFiles = files > 0 ? ` and ${count(files, 'file')} (at module level or in beforeAll)` : ''
    verdict = `<p class="verdict bad">${leaked} of ${count(totals.tests, 'test')}${andFiles} leaked; ${count(totals.leaks, 'leak')} in all.</p>`
  }
  const card = (figure, label, tone = '') =>
    `<div class="card ${tone}"><span class="figure">${figure}</span><span class="label">${label}</span></div>`
  const kinds = Object.entries(totals.leaksByKind)
    .sort((a, b) => b[1] - a[1])
    .map(([kind, n]) => `${escapeHtml(n)} × ${escapeHtml(kind)}`)
    .join(', ')
  return (
    `<section id="summary">${verdict}<div class="cards">` +
    card(totals.tests, 'tests ran') +
    card(totals.testsFailedByLeaks, 'failed by leaks', totals.testsFailedByLeaks > 0 ? 'bad' : '') +
    card(totals.testsWarned, 'leaked, warned only', totals.testsWarned > 0 ? 'warn' : '') +
    card(totals.leaks, 'leaks', totals.leaks > 0 ? 'bad' : '') +
    card(totals.files, 'files') +
    card(totals.filesWithHeapWarning, 'files whose heap grows', totals.filesWithHeapWarning > 0 ? 'warn' : '') +
    card(totals.filesOverHeapLimit, 'files over a heap limit', totals.filesOverHeapLimit > 0 ? 'bad' : '') +
    (totals.filesUnfinished > 0
      ? card(totals.filesUnfinished, 'files that did not finish (not checked)', 'warn')
      : '') +
    `</div>${kinds ? `<p class="kinds">Leaks by kind: ${kinds}</p>` : ''}</section>`
  )
}

function renderSuiteSlope(suite) {
  if (!suite || typeof suite !== 'object') return '<p class="slope muted">No suite heap slope in this report.</p>'
  const parts = []
  if (Number.isFinite(suite.slopeBytesPerTest) && suite.samples >= 2) {
    const pooled = Number.isFinite(suite.files) ? ` over ${count(suite.files, 'file')}` : ''
    const fit = Number.isFinite(suite.r2) ? `, R² ${suite.r2.toFixed(2)}` : ''
    parts.push(
      `<p class="slope">Suite: heap after GC changes by <strong>${signedBytes(suite.slopeBytesPerTest)} per test</strong> within ` +
        `its files (one slope fitted${pooled}, each file at its own level; ${count(suite.samples, 'sample')}${fit}).</p>`,
    )
  } else {
    parts.push(
      `<p class="slope muted">Suite: too few heap samples after GC to fit a slope (${Number(suite.samples) || 0}).</p>`,
    )
  }
  if (suite.error) parts.push(`<div class="callout error">${escapeHtml(suite.error)}</div>`)
  if (suite.warning) parts.push(`<div class="callout">${escapeHtml(suite.warning)}</div>`)
  return parts.join('')
}

/** The files over a heap growth limit, then those that grow steadily: the verdicts in full. */
function renderFileHeapVerdicts(files) {
  const verdicts = [
    ...files
      .filter((file) => file.heap?.error)
      .map((file) => `<div class="callout error">${escapeHtml(file.heap.error)}</div>`),
    ...files
      .filter((file) => file.heap?.warning)
      .map((file) => `<div class="callout">${escapeHtml(file.heap.warning)}</div>`),
  ]
  if (verdicts.length <= MAX_HEAP_VERDICTS) return verdicts.join('')
  const more = verdicts.length - MAX_HEAP_VERDICTS
  return `${verdicts.slice(0, MAX_HEAP_VERDICTS).join('')}<p class="muted">and ${count(more, 'more file')}: see the files below.</p>`
}

function heapModeNote(heapMode, anyWithoutGc) {
  if (heapMode === 'off') return "heap: 'off': no heap figures were taken; the points show the run order."
  if (anyWithoutGc) {
    return (
      'Hollow points are the heap as it was when the test ended: no GC was forced for them (heap: &#39;file&#39; forces ' +
      'one only when the heap grew 32 MB since the last), so they include garbage. heap: &#39;test&#39;, or a heap growth ' +
      'limit, gives a heap after GC for every test.'
    )
  }
  return ''
}

/**
 * The samples a file's slope was fitted on, each at the run id of its test. The report's own (`heap.points`) count
 * tests by their ordinal among those leakwatch checked in the file (those with heap figures); without them, the
 * file's tests with a heap after GC.
 * @returns {{ samples: Array<{ ordinal: number, heapBytes: number }>, checkedIds: number[] }}
 */
function fittedSamples(heap, filePoints) {
  const checked = filePoints.filter((point) => point.heapBytes !== null)
  const checkedIds = checked.map((point) => point.id)
  if (Array.isArray(heap?.points)) {
    const samples = heap.points
      .filter(
        (sample) =>
          Number.isInteger(sample?.testIndex) && sample.testIndex >= 0 && sample.testIndex < checkedIds.length,
      )
      .filter((sample) => Number.isFinite(sample.heapBytes))
      .map((sample) => ({ ordinal: sample.testIndex, heapBytes: sample.heapBytes }))
    return { samples, checkedIds }
  }
  const samples = []
  checked.forEach((point, ordinal) => point.afterGc && samples.push({ ordinal, heapBytes: point.heapBytes }))
  return { samples, checkedIds }
}

function renderHeapSection(report, order, runIds) {
  const files = report.files
  if (order.length === 0) {
    return `<section id="heap"><h2>Heap across the run</h2>${renderSuiteSlope(report.suite)}<p class="muted">No tests ran: nothing to chart.</p>${DETAILS_PANEL}</section>`
  }
  const points = order.map(([fileIndex, testIndex], id) => {
    const file = files[fileIndex]
    const test = file.tests[testIndex]
    const leaks = leakCountOf(test)
    return {
      id,
      fileIndex,
      heapBytes: hasHeap(test) ? test.heap.heapBytes : null,
      afterGc: hasHeap(test) && test.heap.afterGc === true,
      leaky: isLeaky(test),
      failed: test.state === 'fail' && !isLeaky(test),
      label: `#${id + 1} ${file.file} > ${test.name}: ${heapText(test)}${leaks > 0 ? `; ${count(leaks, 'leak')}` : ''}`,
    }
  })
  const bands = []
  files.forEach((file, fileIndex) => {
    const ids = [...runIds[fileIndex].values()]
    if (ids.length === 0) return
    const heap = file.heap && typeof file.heap === 'object' ? file.heap : null
    bands.push({
      fileIndex,
      file: String(file.file ?? ''),
      first: ids[0],
      last: ids.at(-1),
      slopeBytesPerTest:
        heap && Number.isFinite(heap.slopeBytesPerTest) && heap.samples >= 2 ? heap.slopeBytesPerTest : null,
      ...fittedSamples(
        heap,
        ids.map((id) => points[id]),
      ),
      heapStatus: heap?.error ? 'error' : heap?.warning ? 'warning' : 'ok',
      fileScopeLeaks: leakCountOf(file),
    })
  })
  const presence = {
    anyAfterGc: points.some((point) => point.heapBytes !== null && point.afterGc),
    anyWithoutGc: points.some((point) => point.heapBytes !== null && !point.afterGc),
    anyNoHeap: points.some((point) => point.heapBytes === null),
  }
  const note = heapModeNote(report.options?.heap, presence.anyWithoutGc)
  return (
    '<section id="heap"><h2>Heap across the run</h2>' +
    renderSuiteSlope(report.suite) +
    renderFileHeapVerdicts(files) +
    `<figure class="chart-wrap">${renderHeapChart({ points, bands })}` +
    `<figcaption>${renderChartLegend(presence)}${note ? `<p class="heap-note">${note}</p>` : ''}` +
    '<p class="heap-note">Click a point (or anywhere above a test) for its details.</p></figcaption></figure>' +
    DETAILS_PANEL +
    '</section>'
  )
}

const DETAILS_PANEL =
  '<section id="details" aria-live="polite"><p class="muted">Click a point in the chart, a leak or a file in the tables below, ' +
  'or find a test by name, to see its details here.</p></section>'

function siteText(leak) {
  const site = leak.site
  if (site)
    return `<code class="site">${escapeHtml(`${site.file}:${site.line}:${site.column}`)}</code>${site.function ? ` <span class="muted">in ${escapeHtml(site.function)}</span>` : ''}`
  const top = leak.topFrames?.[0]
  if (top)
    return `<span class="muted">no frame of your code; the stack begins at</span> <code>${escapeHtml(`${top.file}:${top.line}:${top.column}`)}</code>`
  return '<span class="muted">unknown</span>'
}

function retainerCell(leak) {
  if (!leak.retainerPath) return ''
  const steps = leak.retainerPath.split('\n').filter((line) => /^\s*[├╰]/.test(line)).length
  return `<details><summary>${steps > 0 ? count(steps, 'step') : 'path'}</summary><pre>${escapeHtml(leak.retainerPath)}</pre></details>`
}

/** A row per creation site of each test and file scope, with its count; a scope's sites past the report's list, counted. */
function renderLeakTable(report, runIds) {
  const rows = []
  let total = 0
  let unlisted = 0
  report.files.forEach((file, fileIndex) => {
    const scopes = [
      { scope: file, test: null, testIndex: -1 },
      ...(file.tests ?? []).map((test, testIndex) => ({ scope: test, test, testIndex })),
    ]
    for (const { scope, test, testIndex } of scopes) {
      const leakCount = leakCountOf(scope)
      if (leakCount === 0) continue
      total += leakCount
      const runId = test ? runIds[fileIndex].get(testIndex) : undefined
      const target = `data-f="${fileIndex}"${runId === undefined ? '' : ` data-i="${runId}"`}`
      const testCell = test
        ? escapeHtml(test.name)
        : '<span class="file-scope">file scope (module level, beforeAll)</span>'
      const state = test?.warned ? ' <span class="tag warn">warned</span>' : ''
      const start = `<tr ${target} tabindex="0"><td><code>${escapeHtml(file.file)}</code></td><td>${testCell}${state}</td>`
      const groups = leakGroupsOf(scope)
      let listed = 0
      for (const group of groups) {
        if (rows.length >= MAX_LEAK_ROWS) break
        const leak = scope.leaks[group.leak]
        listed += Number(group.count) || 0
        rows.push(
          `${start}<td class="num">${escapeHtml(group.count)}</td><td>${escapeHtml(leak.kind)}</td><td>${escapeHtml(group.description)}</td>` +
            `<td>${siteText(leak)}</td><td>${retainerCell(leak)}</td></tr>`,
        )
      }
      const sitesLeft = (Number.isFinite(scope.leakGroupCount) ? scope.leakGroupCount : groups.length) - groups.length
      if (sitesLeft > 0 && rows.length < MAX_LEAK_ROWS) {
        rows.push(
          `${start}<td class="num">${escapeHtml(leakCount - listed)}</td><td colspan="4" class="muted">at ${count(sitesLeft, 'more creation site')}: ` +
            'counted, not listed (the report lists the first sites of a test)</td></tr>',
        )
        listed = leakCount
      }
      unlisted += leakCount - listed
    }
  })
  if (total === 0) return '<section id="leaks"><h2>Leaks</h2><p class="muted">No leaks.</p></section>'
  const more =
    unlisted > 0 ? `<p class="muted">and ${count(unlisted, 'more leak')}, in the JSON report's counts.</p>` : ''
  return (
    `<section id="leaks"><h2>Leaks (${total})</h2>` +
    '<table class="leak-table"><thead><tr><th>File</th><th>Test</th><th class="num">Leaks</th><th>Kind</th><th>Description</th><th>Created at</th><th>Retainer path</th></tr></thead>' +
    `<tbody>${rows.join('')}</tbody></table>${more}</section>`
  )
}

function renderFileTable(report, runIds) {
  if (report.files.length === 0)
    return '<section id="files"><h2>Files</h2><p class="muted">No test files.</p></section>'
  const rows = report.files.map((file, fileIndex) => {
    const tests = file.tests ?? []
    const ran = runIds[fileIndex].size
    const leaked = tests.filter(isLeaky).length
    const leaks = leakCountOf(file) + tests.reduce((sum, test) => sum + leakCountOf(test), 0)
    const heap = file.heap && typeof file.heap === 'object' ? file.heap : null
    const slope =
      heap && Number.isFinite(heap.slopeBytesPerTest) && heap.samples >= 2
        ? `${signedBytes(heap.slopeBytesPerTest)} <span class="muted">(${Number(heap.samples)})</span>`
        : '<span class="muted">–</span>'
    const notes = []
    if (heap?.error) notes.push('<span class="tag bad">heap over its limit</span>')
    if (heap?.warning) notes.push('<span class="tag warn">heap grows steadily</span>')
    if (file.state === 'unfinished') notes.push('<span class="tag warn">did not finish: not checked</span>')
    if (leakCountOf(file) > 0) notes.push(`<span class="tag bad">${count(leakCountOf(file), 'file-scope leak')}</span>`)
    if ((file.warnings?.length ?? 0) > 0)
      notes.push(`<span class="tag warn">${count(file.warnings.length, 'warning')}</span>`)
    if (file.project) notes.push(`<span class="tag">${escapeHtml(file.project)}</span>`)
    return (
      `<tr data-f="${fileIndex}" tabindex="0"><td><code>${escapeHtml(file.file)}</code></td>` +
      `<td class="num">${ran}${tests.length > ran ? ` <span class="muted">+${tests.length - ran} skipped</span>` : ''}</td>` +
      `<td class="num">${leaked}</td><td class="num">${leaks}</td><td class="num">${slope}</td><td>${notes.join('')}</td></tr>`
    )
  })
  return (
    `<section id="files"><h2>Files (${report.files.length})</h2>` +
    '<table class="file-table"><thead><tr><th>File</th><th class="num">Tests</th><th class="num">Leaked</th>' +
    '<th class="num">Leaks</th><th class="num">Heap slope per test (samples)</th><th>Notes</th></tr></thead>' +
    `<tbody>${rows.join('')}</tbody></table></section>`
  )
}

const FIND_SECTION =
  '<section id="find-test"><h2>Find a test</h2><input id="find" type="search" placeholder="part of a test or file name" ' +
  'aria-label="Find a test by name"><ul id="find-results"></ul></section>'

/**
 * The HTML report: one self-contained document (no network) for a leakwatch report, schema version 1.
 * @param {object} report the report, as leakwatch-report.json holds it
 * @returns {string} the whole HTML document
 */
export function renderHtmlReport(report) {
  checkReport(report)
  const isObject = (value) => value !== null && typeof value === 'object'
  const objects = (list) => (Array.isArray(list) ? list.filter(isObject) : [])
  const files = (report.files ?? []).filter(isObject).map((file) => ({
    ...file,
    leaks: objects(file.leaks),
    tests: objects(file.tests).map((test) => ({ ...test, leaks: objects(test.leaks) })),
  }))
  const normalised = { ...report, files }
  const { order, runIds } = runOrder(normalised.files)
  const totals = totalsOf(normalised, order)
  const title =
    totals.leaks > 0
      ? `leakwatch: ${count(totals.leaks, 'leak')} in ${count(totals.tests, 'test')}`
      : `leakwatch: ${count(totals.tests, 'test')}, no leaks`
  const data = {
    report: normalised,
    order,
    heapMode: normalised.options?.heap ?? null,
    failureWords: FAILURE_WORDS,
    kindsWithoutHandle: KINDS_WITHOUT_HANDLE,
  }
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">`,
    '<meta name="referrer" content="no-referrer">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${REPORT_CSS}</style>`,
    '</head><body>',
    renderHeader(normalised),
    '<main>',
    renderSummary(totals),
    renderHeapSection(normalised, order, runIds),
    renderLeakTable(normalised, runIds),
    renderFileTable(normalised, runIds),
    FIND_SECTION,
    '</main>',
    `<script type="application/json" id="leakwatch-data">${jsonForScript(data)}</script>`,
    `<script>${PAGE_SCRIPT}</script>`,
    '</body></html>',
    '',
  ].join('\n')
}
