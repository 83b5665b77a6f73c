// The HTML report's renderer, without a browser: every string that comes from the suite is escaped wherever it can
// appear; the page loads nothing (its Content-Security-Policy allows only its own inline script and style, by hash);
// the chart has a point per test that ran, in run order, marked by heap kind and leaks; empty reports, reports
// without heap figures and 5000-test reports render; bad input gets a clear error. The browser half is in
// html-report.test.mjs.

import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { describe, test } from 'node:test'
import { renderHtmlReport as fromPackage } from 'leakwatch/reporter'
import { escapeHtml } from '../js/reporter/html/escape.js'
import { renderHtmlReport } from '../js/reporter/html/index.js'

const PAYLOAD = `<img src=x onerror=alert(1)></script><script>alert(2)</script>"><svg onload=alert(3)>' onmouseover='alert(4)<!-- <iframe src=https://evil.example/x.js>\u2028&amp;`
/** A hostile string naming where it was put, so a failure says which field leaked. */
const hostile = (field) => `${field}:${PAYLOAD}`

function frame(field) {
  return { function: hostile(`${field}.function`), file: hostile(`${field}.file`), line: 7, column: 3, isAsync: false }
}

function hostileLeak(field, { withSite = true } = {}) {
  return {
    asyncId: 12,
    kind: hostile(`${field}.kind`),
    type: hostile(`${field}.type`),
    description: hostile(`${field}.description`),
    hasRef: true,
    site: withSite ? { ...frame(`${field}.site`), absoluteFile: hostile(`${field}.site.absoluteFile`) } : null,
    userFrames: [frame(`${field}.userFrame`)],
    topFrames: [frame(`${field}.topFrame`)],
    cause: hostile(`${field}.cause`),
    note: hostile(`${field}.note`),
    emitter: hostile(`${field}.emitter`),
    event: hostile(`${field}.event`),
    retainerPath: `┬───\n│ GC Root: ${hostile(`${field}.retainerPath`)}\n├─ Object\n╰→ App instance`,
  }
}

function hostileReport() {
  return {
    schema: 'leakwatch-report',
    version: 1,
    leakwatchVersion: hostile('leakwatchVersion'),
    createdAt: hostile('createdAt'),
    root: hostile('root'),
    sources: [
      {
        createdAt: hostile('sources.createdAt'),
        shard: hostile('sources.shard.1'),
        hostname: hostile('sources.hostname'),
      },
      {
        createdAt: hostile('sources.createdAt'),
        shard: hostile('sources.shard.2'),
        hostname: hostile('sources.hostname'),
      },
    ],
    options: { heap: hostile('options.heap'), maxHeapGrowthPerTest: null, maxHeapGrowthPerFile: null },
    totals: {
      files: 1,
      tests: 2,
      testsFailedByLeaks: 1,
      testsWarned: 1,
      leaks: 3,
      leaksByKind: { [hostile('totals.leaksByKind')]: hostile('totals.leaksByKind.count') },
      filesWithHeapWarning: 1,
      filesOverHeapLimit: 1,
    },
    suite: {
      slopeBytesPerTest: 1024,
      samples: hostile('suite.samples'),
      r2: 1,
      error: hostile('suite.error'),
      warning: hostile('suite.warning'),
    },
    files: [
      {
        file: hostile('file.file'),
        project: hostile('file.project'),
        pool: hostile('file.pool'),
        workerId: 1,
        leaks: [hostileLeak('file.leak', { withSite: false })],
        heap: {
          slopeBytesPerTest: 2048,
          samples: 2,
          r2: 1,
          points: [
            { testIndex: 0, heapBytes: 10e6 },
            { testIndex: 1, heapBytes: 10.1e6 },
          ],
          error: hostile('file.heap.error'),
          warning: hostile('file.heap.warning'),
        },
        warnings: [hostile('file.warning')],
        tests: [
          {
            name: hostile('test.name'),
            index: 0,
            state: 'fail',
            failedByLeaks: true,
            warned: false,
            allowed: false,
            durationMs: 12,
            created: { [hostile('test.created')]: 1 },
            handles: { [hostile('test.handles')]: 1 },
            listeners: { [hostile('test.listeners')]: 1 },
            heap: { heapBytes: 10e6, nativeBytes: 1e6, afterGc: true, heapDeltaBytes: null },
            leaks: [hostileLeak('test.leak')],
            warnings: [hostile('test.warning')],
          },
          {
            name: hostile('warned.name'),
            index: 1,
            state: 'pass',
            failedByLeaks: false,
            warned: true,
            allowed: false,
            durationMs: 3,
            created: {},
            handles: {},
            listeners: {},
            heap: { heapBytes: 10.1e6, nativeBytes: 1e6, afterGc: true, heapDeltaBytes: 100e3 },
            leaks: [hostileLeak('warned.leak')],
            warnings: [],
          },
        ],
      },
    ],
  }
}

/** The document split into its markup and the text of its two script elements. */
function parts(html) {
  const data = /<script type="application\/json" id="leakwatch-data">([\s\S]*?)<\/script>/.exec(html)
  const page = /<script>([\s\S]*?)<\/script>/.exec(html)
  assert.ok(data && page, 'the page has its data block and its script')
  const markup = html.replace(data[0], '').replace(page[0], '')
  const style = /<style>([\s\S]*?)<\/style>/.exec(markup)
  return { markup, dataText: data[1], scriptText: page[1], styleText: style[1] }
}

const ALLOWED_TAGS = new Set([
  'html',
  'head',
  'meta',
  'title',
  'style',
  'body',
  'header',
  'main',
  'section',
  'h1',
  'h2',
  'h3',
  'h4',
  'p',
  'div',
  'span',
  'strong',
  'code',
  'pre',
  'ul',
  'ol',
  'li',
  'table',
  'thead',
  'tbody',
  'tr',
  'th',
  'td',
  'details',
  'summary',
  'input',
  'figure',
  'figcaption',
  'svg',
  'defs',
  'clippath',
  'rect',
  'line',
  'circle',
  'text',
  'g',
])
const FORBIDDEN_ATTRIBUTES = /^(on.*|src|srcset|href|xlink:href|action|formaction|style|background|poster|data|ping)$/i

/**
 * Every tag of the markup (script bodies removed): known tag names, no event handler, no attribute that loads
 * anything, and no `<` left once the tags are taken out (all else is text).
 */
function auditMarkup(markup) {
  const tag = /<(\/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^\s=>/"']+(?:="[^"<>]*")?)*)\s*(\/?)>/g
  const body = markup.replace(/^<!doctype html>/i, '').replace(/<style>[\s\S]*?<\/style>/, '<style></style>')
  for (const [, , name, attributes] of body.matchAll(tag)) {
    assert.ok(ALLOWED_TAGS.has(name.toLowerCase()), `unexpected element <${name}>`)
    for (const [, attribute, value = ''] of attributes.matchAll(/\s+([^\s=]+)(?:="([^"]*)")?/g)) {
      assert.doesNotMatch(attribute, FORBIDDEN_ATTRIBUTES, `<${name}> has a ${attribute} attribute`)
      if (attribute === 'clip-path') assert.equal(value, 'url(#plot-clip)')
    }
  }
  const leftover = body.replace(tag, '')
  assert.ok(
    !leftover.includes('<'),
    `markup outside tags: ${leftover.slice(Math.max(0, leftover.indexOf('<') - 80), leftover.indexOf('<') + 80)}`,
  )
}

function sha256(text) {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`
}

/** A plain report: `files` given as [name, tests] with tests { name, heap, leaks?, state?, index? }. */
function plainReport(files, options = { heap: 'file', maxHeapGrowthPerTest: null, maxHeapGrowthPerFile: null }) {
  return {
    schema: 'leakwatch-report',
    version: 1,
    leakwatchVersion: '0.1.0',
    createdAt: '2026-11-28T18:00:00.000Z',
    root: '/project',
    sources: [{ createdAt: '2026-11-28T18:00:00.000Z', shard: null, hostname: 'ci' }],
    options,
    suite: { slopeBytesPerTest: 0, samples: 0, r2: 0, error: null, warning: null },
    files: files.map(([file, tests]) => ({
      file,
      project: null,
      pool: 'forks',
      workerId: 1,
      leaks: [],
      heap: null,
      warnings: [],
      tests: tests.map((entry, position) => ({
        index: position,
        state: 'pass',
        failedByLeaks: false,
        warned: false,
        allowed: false,
        durationMs: 1,
        created: {},
        handles: {},
        listeners: {},
        leaks: [],
        warnings: [],
        heap: null,
        ...entry,
      })),
    })),
  }
}

const heapAt = (megabytes, afterGc) => ({
  heapBytes: megabytes * 1024 * 1024,
  nativeBytes: 1024,
  afterGc,
  heapDeltaBytes: null,
})
const intervalLeak = {
  asyncId: 3,
  kind: 'Interval',
  type: 'Timeout',
  description: 'Interval every 1000 ms',
  hasRef: true,
  site: { function: null, file: 'a.test.js', absoluteFile: '/project/a.test.js', line: 9, column: 3 },
  userFrames: [],
  topFrames: [],
  cause: null,
  note: null,
  emitter: null,
  event: null,
  retainerPath: null,
}

const points = (html) =>
  [...html.matchAll(/<circle class="point ([^"]*)" data-i="(\d+)"[^>]*><title>([^<]*)<\/title>/g)].map(
    ([, classes, id, title]) => ({ classes: classes.split(' '), id: Number(id), title }),
  )

describe('renderHtmlReport: hostile strings', () => {
  const report = hostileReport()
  const html = renderHtmlReport(report)
  const { markup, dataText, scriptText } = parts(html)

  test('no string from the suite can close a script element or open a tag: exactly two scripts', () => {
    assert.equal(html.match(/<script/gi).length, 2)
    assert.equal(html.match(/<\/script/gi).length, 2)
    assert.ok(!dataText.includes('<'), 'the JSON block holds no <')
  })

  test('the markup is only the page’s own tags: no event handler, no src/href, nothing unparsed', () => {
    auditMarkup(markup)
    for (const raw of ['<img', '<svg onload', '<iframe', '<!--', "onmouseover='"])
      assert.ok(!markup.includes(raw), `raw ${raw} in the markup`)
  })

  test('what the page shows before any click is there as escaped text: names, paths, messages, sites, paths', () => {
    const shown = [
      'root',
      'createdAt',
      'leakwatchVersion',
      'sources.shard.1',
      'suite.error',
      'suite.warning',
      'totals.leaksByKind',
      'totals.leaksByKind.count',
      'file.file',
      'file.project',
      'file.heap.error',
      'file.heap.warning',
      'test.name',
      'warned.name',
      'test.leak.kind',
      'test.leak.description',
      'test.leak.site.file',
      'test.leak.site.function',
      'test.leak.retainerPath',
      'file.leak.description',
      'file.leak.topFrame.file',
    ]
    for (const field of shown) assert.ok(markup.includes(escapeHtml(hostile(field))), `${field} is not shown escaped`)
  })

  test('the page’s data (for the details a click shows) reads back exactly: no field lost or altered', () => {
    const data = JSON.parse(dataText)
    assert.deepEqual(data.report, report)
    assert.deepEqual(data.order, [
      [0, 0],
      [0, 1],
    ])
  })

  test('the page script builds the details with textContent only, and loads nothing', () => {
    for (const sink of [
      'innerHTML',
      'outerHTML',
      'insertAdjacentHTML',
      'document.write',
      'eval(',
      'Function(',
      'fetch(',
      'XMLHttpRequest',
      'import(',
    ]) {
      assert.ok(!scriptText.includes(sink), `the page script uses ${sink}`)
    }
    assert.match(scriptText, /textContent/)
  })

  test('the Content-Security-Policy forbids every load and allows only the page’s own script and style, by hash', () => {
    const { styleText } = parts(html)
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)?.[1]
    assert.ok(csp, 'a CSP meta element')
    assert.ok(
      html.indexOf('Content-Security-Policy') < html.indexOf('<style>'),
      'the CSP comes before the style and scripts',
    )
    const directives = new Map(
      csp
        .split(';')
        .map((part) => part.trim().split(/\s+/))
        .map(([name, ...values]) => [name, values]),
    )
    assert.deepEqual(directives.get('default-src'), ["'none'"])
    assert.deepEqual(directives.get('script-src'), [sha256(scriptText)])
    assert.deepEqual(directives.get('style-src'), [sha256(styleText)])
    assert.deepEqual(directives.get('img-src'), ["'none'"])
    assert.ok(!csp.includes('unsafe'), csp)
  })
})

describe('renderHtmlReport: the page', () => {
  test('no http(s) URL anywhere in a report of ordinary tests: the page would load nothing', () => {
    const html = renderHtmlReport(
      plainReport([
        [
          'a.test.js',
          [
            { name: 'one', heap: heapAt(10, true), leaks: [intervalLeak], state: 'fail', failedByLeaks: true },
            { name: 'two', heap: heapAt(11, false) },
          ],
        ],
      ]),
    )
    assert.doesNotMatch(html, /https?:\/\//i)
    assert.doesNotMatch(html, /@import|url\((?!#plot-clip\))/i)
  })

  test('one point per test that ran, in run order (files as listed, tests by index), marked by heap kind and leaks', () => {
    const report = plainReport([
      [
        'a.test.js',
        [
          { name: 'a second', index: 1, heap: heapAt(12, false) },
          {
            name: 'a first',
            index: 0,
            heap: heapAt(10, true),
            leaks: [intervalLeak],
            state: 'fail',
            failedByLeaks: true,
          },
          { name: 'a skipped', index: 2, state: 'skip', heap: null },
          { name: 'a failed', index: 3, state: 'fail', heap: heapAt(11, true) },
        ],
      ],
      [
        'b.test.js',
        [
          { name: 'b one', heap: null },
          { name: 'b warned', heap: null, leaks: [intervalLeak], warned: true },
        ],
      ],
    ])
    const html = renderHtmlReport(report)
    const found = points(html)
    assert.deepEqual(
      found.map((point) => point.id),
      [0, 1, 2, 3, 4],
    )
    assert.deepEqual(
      found.map((point) => /&gt; (.*?):/.exec(point.title)[1]),
      ['a first', 'a second', 'a failed', 'b one', 'b warned'],
    )
    const marked = (mark) => found.filter((point) => point.classes.includes(mark)).map((point) => point.id)
    assert.deepEqual(marked('after-gc'), [0, 2])
    assert.deepEqual(marked('no-gc'), [1])
    assert.deepEqual(marked('no-heap'), [3, 4])
    assert.deepEqual(marked('leaky'), [0, 4])
    assert.deepEqual(marked('failed'), [2])
    assert.equal(html.match(/<line class="leak-tick"/g).length, 2 + 1, 'a tick per leaky test, and the legend’s')
    assert.equal(html.match(/<g class="band /g).length, 2)
    assert.match(html, /heap as it was at the end of the test \(no GC forced/)
    assert.match(html, /no heap figure/)
    // The leak table: a row per leak, pointing at its test's point.
    assert.match(html, /<tr data-f="0" data-i="0" tabindex="0">[\s\S]*?a\.test\.js:9:3/)
    assert.match(html, /<tr data-f="1" data-i="4" tabindex="0">[\s\S]*?b warned <span class="tag warn">warned<\/span>/)
  })

  test('a file’s slope is drawn in its band through the mean of its samples', () => {
    const report = plainReport([
      ['grows.test.js', [0, 1, 2, 3].map((i) => ({ name: `t${i}`, heap: heapAt(10 + i, true) }))],
    ])
    report.files[0].heap = {
      slopeBytesPerTest: 1024 * 1024,
      samples: 4,
      r2: 1,
      error: null,
      warning: 'grows',
      points: [0, 1, 2, 3].map((i) => ({ testIndex: i, heapBytes: (10 + i) * 1024 * 1024 })),
    }
    const html = renderHtmlReport(report)
    const trend =
      /<line class="trend" clip-path="url\(#plot-clip\)" x1="([\d.]+)" x2="([\d.]+)" y1="([\d.]+)" y2="([\d.]+)">/.exec(
        html,
      )
    assert.ok(trend, 'a trend line')
    const [first, last] = [points(html)[0], points(html)[3]].map(({ id }) => {
      const circle = new RegExp(`data-i="${id}" cx="([\\d.]+)" cy="([\\d.]+)"`).exec(html)
      return { cx: Number(circle[1]), cy: Number(circle[2]) }
    })
    // The samples lie on a line: the trend passes through the first and last points.
    assert.ok(
      Math.abs(Number(trend[1]) - first.cx) < 0.2 && Math.abs(Number(trend[3]) - first.cy) < 0.2,
      `${trend[0]} vs ${JSON.stringify(first)}`,
    )
    assert.ok(
      Math.abs(Number(trend[2]) - last.cx) < 0.2 && Math.abs(Number(trend[4]) - last.cy) < 0.2,
      `${trend[0]} vs ${JSON.stringify(last)}`,
    )
    assert.match(html, /<g class="band band-even band-warning"/)
    assert.match(html, /\+1\.05 MB <span class="muted">\(4\)<\/span>/)
  })

  test('an empty report renders: no tests, no points, says so', () => {
    const html = renderHtmlReport(plainReport([]))
    assert.equal(points(html).length, 0)
    assert.match(html, /No tests ran\./)
    assert.match(html, /No leaks\./)
    auditMarkup(parts(html).markup)
    const bare = renderHtmlReport({ schema: 'leakwatch-report', version: 1 })
    assert.match(bare, /No tests ran\./)
  })

  test("heap 'off': a point per test in the lane without heap figures, and a note saying why", () => {
    const html = renderHtmlReport(
      plainReport([['a.test.js', [{ name: 'x' }, { name: 'y' }, { name: 'z' }]]], {
        heap: 'off',
        maxHeapGrowthPerTest: null,
        maxHeapGrowthPerFile: null,
      }),
    )
    const found = points(html)
    assert.equal(found.length, 3)
    assert.ok(found.every((point) => point.classes.includes('no-heap')))
    assert.match(html, /No heap figures in this report/)
    assert.doesNotMatch(html, /class="grid"/)
  })

  test('5000 tests in 50 files: 5000 points, 50 bands, every leak in the table', () => {
    const files = Array.from({ length: 50 }, (_, f) => [
      `test/feature-${f}.test.ts`,
      Array.from({ length: 100 }, (_, i) => ({
        name: `feature ${f} > case ${i}`,
        heap: heapAt(30 + (i % 10) / 10, i % 3 === 0),
        ...(i === 50 ? { leaks: [intervalLeak], state: 'fail', failedByLeaks: true } : {}),
      })),
    ])
    const started = performance.now()
    const html = renderHtmlReport(plainReport(files))
    const elapsed = performance.now() - started
    assert.equal(points(html).length, 5000)
    assert.equal(html.match(/<g class="band /g).length, 50)
    assert.equal(html.match(/<tr data-f="\d+" data-i="\d+" tabindex="0">/g).length, 50)
    console.log(`# rendered 5000 tests in ${elapsed.toFixed(0)} ms, ${(html.length / 1024).toFixed(0)} KB`)
  })

  test("the x axis of a run of 1 to 12 tests: whole test numbers, each under its test's point, inside the plot", () => {
    for (const count of [1, 2, 3, 7, 12]) {
      const html = renderHtmlReport(
        plainReport([
          ['a.test.js', Array.from({ length: count }, (_, i) => ({ name: `t${i}`, heap: heapAt(10 + i / 10, true) }))],
        ]),
      )
      const svg = /<svg id="heap-chart"[^>]* data-plot-left="([\d.]+)"/.exec(html)
      const plotLeft = Number(svg[1])
      const plotRight = 1000 - 16
      const labels = [
        ...html.matchAll(/<text class="axis-label" x="([\d.-]+)" y="(\d+)" text-anchor="middle">([^<]*)<\/text>/g),
      ].map(([, x, , text]) => ({ x: Number(x), text }))
      assert.ok(labels.length > 0, `${count} tests: no x axis label`)
      const circles = new Map(
        points(html).map(({ id }) => [id, Number(new RegExp(`data-i="${id}" cx="([\\d.]+)"`).exec(html)[1])]),
      )
      for (const { x, text } of labels) {
        assert.match(text, /^[1-9]\d*$/, `${count} tests: label "${text}"`)
        assert.ok(Number(text) <= count, `${count} tests: label ${text}`)
        assert.ok(
          x >= plotLeft && x <= plotRight,
          `${count} tests: label ${text} at x ${x}, outside ${plotLeft}..${plotRight}`,
        )
        assert.equal(
          x,
          circles.get(Number(text) - 1),
          `${count} tests: label ${text} is not under test ${text}'s point`,
        )
      }
      if (count <= 10)
        assert.deepEqual(
          labels.map(({ text }) => Number(text)),
          Array.from({ length: count }, (_, i) => i + 1),
          `${count} tests`,
        )
    }
  })

  test('renderHtmlReport is exported by leakwatch/reporter, for reports built or merged by other means', () => {
    assert.equal(fromPackage, renderHtmlReport)
  })

  test('bad input: a clear TypeError saying what was expected', () => {
    assert.throws(() => renderHtmlReport(null), {
      name: 'TypeError',
      message: /renderHtmlReport\(\) takes a leakwatch report object .*; got null/,
    })
    assert.throws(() => renderHtmlReport('{"schema":"leakwatch-report"}'), { message: /; got string$/ })
    assert.throws(() => renderHtmlReport({ schema: 'vitest', version: 1 }), {
      message: /"schema" is "vitest", not "leakwatch-report"/,
    })
    assert.throws(() => renderHtmlReport({ schema: 'leakwatch-report', version: 2 }), {
      message:
        'leakwatch: this leakwatch renders report version 1; the report is version 2: render it with the leakwatch version that wrote it',
    })
    assert.throws(() => renderHtmlReport({ schema: 'leakwatch-report', version: 1, files: {} }), {
      message: /"files" must be an array, got object/,
    })
  })
})
