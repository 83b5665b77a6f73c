// Bytes in words, one formatter for every output: its figures and units (powers of 1000, kB/MB/GB), and the HTML
// page's copy, which must be that very function, so that the page, the reporter's summary and the CLI say the same
// thing of the same number.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import vm from 'node:vm'
import { formatBytes } from '../js/core/bytes.js'
import { renderHtmlReport } from '../js/reporter/html/index.js'

test('formatBytes writes powers of 1000 with SI units, two decimals below 10 and one above', () => {
  const cases = [
    [0, '0 B'],
    [812, '812 B'],
    [999, '999 B'],
    [1000, '1.00 kB'],
    [14_200, '14.2 kB'],
    [262_144, '262.1 kB'],
    [1_048_576, '1.05 MB'],
    [3_100_000, '3.10 MB'],
    [29_300_000, '29.3 MB'],
    [1_200_000_000, '1.20 GB'],
    [5e12, '5.00 TB'],
    [-4_194_304, '-4.19 MB'],
  ]
  for (const [bytes, text] of cases) assert.equal(formatBytes(bytes), text, `${bytes} bytes`)
})

test('formatBytes rounds a fraction of a byte, and moves up a unit when the rounded figure would read 1000', () => {
  assert.equal(formatBytes(412.6), '413 B')
  assert.equal(formatBytes(-0.3), '0 B')
  assert.equal(formatBytes(999.5), '1.00 kB')
  assert.equal(formatBytes(9_996), '10.0 kB')
  assert.equal(formatBytes(999_960), '1.00 MB')
})

test('formatBytes says ? for a missing figure', () => {
  for (const missing of [null, undefined, Number.NaN, Number.POSITIVE_INFINITY]) assert.equal(formatBytes(missing), '?')
})

test("the HTML page's formatBytes is js/core/bytes.js's function, and writes what it writes", () => {
  const html = renderHtmlReport({
    schema: 'leakwatch-report',
    version: 1,
    leakwatchVersion: '0.1.0',
    createdAt: '2026-11-28T18:00:00.000Z',
    root: '/project',
    sources: [],
    options: { heap: 'file', maxHeapGrowthPerTest: null, maxHeapGrowthPerFile: null },
    suite: { slopeBytesPerTest: 0, samples: 0, r2: 0, error: null, warning: null },
    files: [],
  })
  const pageScript = /<script>([\s\S]*?)<\/script>/.exec(html)[1]
  const copy = /^ {2}function formatBytes\(bytes\) \{\n[\s\S]*?\n {2}\}\n/m.exec(pageScript)?.[0]
  assert.ok(copy, 'the page script has a formatBytes function')
  const dedented = copy.replace(/^ {2}/gm, '')
  assert.equal(dedented.trimEnd(), formatBytes.toString())
  const pageFormatBytes = vm.runInNewContext(`(${dedented})`)
  for (const bytes of [0, 999, 1000, 262_144, 9_996, 1_048_576, -4_194_304, 1.2e9, null]) {
    assert.equal(pageFormatBytes(bytes), formatBytes(bytes), `${bytes} bytes`)
  }
})

test("the HTML chart's heap axis steps by whole kB or MB, so its labels read as round figures", () => {
  const file = (name, heaps) => ({
    file: name,
    project: null,
    pool: 'forks',
    workerId: 1,
    leaks: [],
    heap: null,
    warnings: [],
    tests: heaps.map((heapBytes, index) => ({
      index,
      name: `t${index}`,
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
      heap: { heapBytes, nativeBytes: 0, afterGc: true, heapDeltaBytes: null },
    })),
  })
  for (const heaps of [
    [10 * 2 ** 20, 11 * 2 ** 20, 13 * 2 ** 20],
    [300_000, 310_000, 345_000],
  ]) {
    const html = renderHtmlReport({
      schema: 'leakwatch-report',
      version: 1,
      leakwatchVersion: '0.1.0',
      createdAt: '2026-11-28T18:00:00.000Z',
      root: '/p',
      sources: [],
      options: { heap: 'test', maxHeapGrowthPerTest: null, maxHeapGrowthPerFile: null },
      suite: { slopeBytesPerTest: 0, samples: 0, r2: 0, error: null, warning: null },
      files: [file('a.test.js', heaps)],
    })
    const labels = [...html.matchAll(/<text class="axis-label" [^>]*text-anchor="end">([^<]*)<\/text>/g)].map(
      (m) => m[1],
    )
    assert.ok(labels.length >= 2, `axis labels: ${labels}`)
    for (const label of labels) assert.match(label, /^\d+(\.0+)? (kB|MB)$/, `axis labels: ${labels}`)
  }
})
