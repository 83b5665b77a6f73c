// Big reports stay readable: vitest runs __test__/fixtures/big-reports, where one test leaks 2,000 intervals from one
// line (delays 60000 to 61999 ms) and a server, a timeout and a listener besides; one leaks a listener for each of 150
// events from one line (150 creation sites); and 15 tests of one file leak an interval each. Asserted on what a person
// and a CI job get: the LeakError (sites grouped, the delays as a range, so many sites and then a count), the
// reporter's summary (5 sites a test, 10 tests a file, the rest counted), the JSON report (the records kept up to
// LEAK_RECORDS_PER_SCOPE, a record of every site first, every leak counted) and the HTML page (small; in Chromium it
// loads and a click shows the test, with a row per site). Nothing of the few other leaks is lost in any cap.

import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { LEAK_RECORDS_PER_SCOPE } from '../js/core/report-meta.js'
import { assertNothingWrong, CHROMIUM, launchChromium, NEEDS_CHROMIUM, openReport } from './helpers/chromium.mjs'
import { lineOf, runVitest } from './helpers/run-vitest.mjs'

const FIXTURE = 'big-reports'
const BIG = 'leaks 2000 intervals from one line, and a few other things'
const EVENTS = 'leaks a listener for each of 150 events, from one line'

// Bounds on what one run of the fixture makes: before the grouping and the limits, the big test alone made a
// 4,000-line message, a 2,011-line summary, a 4.7 MB JSON report and a 3.9 MB page (issue 15).
const MAX_MESSAGE_LINES = 40
const MAX_MESSAGE_BYTES = 4 * 1024
const MAX_SUMMARY_LINES = 60
const MAX_RECORD_BYTES = 64 * 1024
const MAX_JSON_BYTES = 320 * 1024
const MAX_HTML_BYTES = 320 * 1024
/** The page's elements: chart, tables, a row per site listed; not one per leak. */
const MAX_PAGE_ELEMENTS = 3000

const outDir = mkdtempSync(path.join(tmpdir(), 'leakwatch-big-reports-'))
after(() => rmSync(outDir, { recursive: true, force: true }))

const line = (marker) => lineOf(FIXTURE, 'many-leaks.test.js', marker)
const site = (marker) => `many-leaks.test.js:${line(marker)}:`

describe('one test that leaks 2,000 intervals from one line, and a few other things', () => {
  let run
  let report
  let summary
  const json = path.join(outDir, 'report.json')
  const html = path.join(outDir, 'report.html')

  before(async () => {
    run = await runVitest(FIXTURE, {
      args: ['--reporter=leakwatch/reporter'],
      env: { LEAKWATCH_REPORT_JSON: json, LEAKWATCH_REPORT_HTML: html },
      timeoutMs: 120_000,
    })
    assert.ok(
      existsSync(json) && existsSync(html),
      `the reporter wrote no report (exit ${run.exitCode}):\n${run.output}`,
    )
    report = JSON.parse(readFileSync(json, 'utf8'))
    const start = run.output.indexOf('\n leakwatch ')
    summary = run.output.slice(start + 1, run.output.indexOf('\n', run.output.indexOf('  Reports:', start)))
  })

  const message = (name) => run.tests.get(`many-leaks.test.js > ${name}`).message
  const record = (file, name) =>
    report.files.find((entry) => entry.file === file).tests.find((entry) => entry.name === name)

  test('the LeakError: one line for the 2,000, their delays as a range, every other leak at its line, a few KB', () => {
    const text = message(BIG)
    assert.equal(run.tests.get(`many-leaks.test.js > ${BIG}`).status, 'failed')
    assert.ok(text.includes(`LeakError: test "${BIG}" left 2002 resources open and 1 listener attached`), text)
    assert.match(
      text,
      /\n {2}● 2000 × Interval every 60000–61999 ms {2}\(keeps the process alive\)\n {4}created at many-leaks\.test\.js:\d+:\d+\n/,
    )
    for (const [marker, description] of [
      ['// leak:intervals', '2000 × Interval every 60000–61999 ms'],
      ['// leak:server', 'TCP server listening on 127.0.0.1:'],
      ['// leak:timeout', 'Timeout after 45000 ms'],
      ['// leak:listener', 'listener for "leakwatch-fixture-event" on process'],
    ]) {
      assert.match(
        text,
        new RegExp(
          `● ${description.replace(/[.()]/g, '\\$&')}.*\\n {4}created at ${site(marker).replace(/\./g, '\\.')}`,
        ),
        `${marker}:\n${text}`,
      )
    }
    const lines = text.split('\n').length
    assert.ok(
      lines <= MAX_MESSAGE_LINES && Buffer.byteLength(text) <= MAX_MESSAGE_BYTES,
      `${lines} lines, ${Buffer.byteLength(text)} bytes:\n${text}`,
    )
  })

  test('the LeakError of 150 sites shows 10 and counts the rest; its code frame once', () => {
    const text = message(EVENTS)
    assert.equal(text.match(/\n {2}● listener for "event-\d+" on EventEmitter/g).length, 10, text)
    assert.ok(
      text.includes('  … and 140 more creation sites (140 more leaks), not shown: `LeakError.leaks` lists every one\n'),
      text,
    )
    assert.equal(text.split(`> ${line('// leak:events')} |`).length, 2, `one code frame of the line:\n${text}`)
    assert.ok(text.split('\n').length <= MAX_MESSAGE_LINES, text)
  })

  test('the summary: sites grouped with the range, 5 sites a test and 10 tests a file, the rest counted, in a few lines', () => {
    const lines = summary.split('\n')
    assert.ok(lines.length <= MAX_SUMMARY_LINES, `${lines.length} lines:\n${summary}`)
    assert.match(summary, /^ leakwatch {2}17 tests failed by leaks$/m)
    assert.ok(summary.includes(`✗ ${BIG}  2003 leaks; failed\n`), summary)
    assert.ok(summary.includes(`        2000 × Interval  created at ${site('// leak:intervals')}`), summary)
    assert.match(summary, / {2}Interval every 60000–61999 ms\n/)
    for (const [marker, text] of [
      ['// leak:server', '1 × TCP server'],
      ['// leak:timeout', '1 × Timeout'],
      ['// leak:listener', '1 × Listener'],
    ]) {
      assert.ok(summary.includes(`        ${text}  created at ${site(marker)}`), `${marker}:\n${summary}`)
    }
    assert.ok(summary.includes(`✗ ${EVENTS}  150 leaks; failed\n`), summary)
    assert.equal(
      summary.match(/1 × Listener {2}created at many-leaks\.test\.js:\d+:\d+ {2}listener for "event-/g).length,
      5,
      summary,
    )
    assert.ok(summary.includes('        … and 145 more creation sites (145 leaks): see the JSON report\n'), summary)
    assert.equal(summary.match(/✗ leaky case \d+ {2}1 leak; failed/g).length, 10, summary)
    assert.ok(summary.includes('    … and 5 more tests with leaks in this file: see the JSON report\n'), summary)
    assert.match(
      summary,
      /Totals: 2 files, 17 tests run; failed by leaks: 17 tests, 0 files; .* 2168 leaks \(Interval 2015, Listener 151, TCP server 1, Timeout 1\)/,
    )
  })

  test(`the JSON keeps ${LEAK_RECORDS_PER_SCOPE} records of a test, a record of every site first, and counts every leak`, () => {
    const big = record('many-leaks.test.js', BIG)
    assert.equal(big.leaks.length, LEAK_RECORDS_PER_SCOPE)
    assert.equal(big.leakCount, 2003)
    assert.deepEqual(big.leaksByKind, { Interval: 2000, 'TCP server': 1, Timeout: 1, Listener: 1 })
    assert.equal(big.leakGroupCount, 4)
    const groups = big.leakGroups.map((group) => {
      const leak = big.leaks[group.leak]
      return [group.count, leak.kind, leak.site.line, group.description.replace(/:\d+$/, ':PORT')]
    })
    assert.deepEqual(groups, [
      [2000, 'Interval', line('// leak:intervals'), 'Interval every 60000–61999 ms'],
      [1, 'TCP server', line('// leak:server'), 'TCP server listening on 127.0.0.1:PORT'],
      [1, 'Timeout', line('// leak:timeout'), 'Timeout after 45000 ms'],
      [1, 'Listener', line('// leak:listener'), 'listener for "leakwatch-fixture-event" on process'],
    ])
    // The few other leaks are all kept in full, with their data; the intervals' records keep their own delays.
    for (const kind of ['TCP server', 'Timeout', 'Listener'])
      assert.equal(big.leaks.filter((leak) => leak.kind === kind).length, 1, kind)
    const delays = big.leaks.filter((leak) => leak.kind === 'Interval').map((leak) => leak.details.delayMs)
    assert.equal(delays.length, LEAK_RECORDS_PER_SCOPE - 3)
    assert.ok(
      delays.every((delay) => delay >= 60_000 && delay <= 61_999),
      String(delays),
    )
    assert.ok(
      Buffer.byteLength(JSON.stringify(big)) <= MAX_RECORD_BYTES,
      `${Buffer.byteLength(JSON.stringify(big))} bytes`,
    )

    const events = record('many-leaks.test.js', EVENTS)
    assert.deepEqual(
      [events.leaks.length, events.leakCount, events.leakGroups.length, events.leakGroupCount],
      [LEAK_RECORDS_PER_SCOPE, 150, LEAK_RECORDS_PER_SCOPE, 150],
    )
    assert.ok(
      events.leakGroups.every(
        (group, index) => group.count === 1 && events.leaks[group.leak].event === `event-${index}`,
      ),
    )

    assert.equal(report.totals.leaks, 2168)
    assert.deepEqual(report.totals.leaksByKind, { Interval: 2015, Listener: 151, 'TCP server': 1, Timeout: 1 })
    assert.equal(report.totals.testsFailedByLeaks, 17)
    const size = readFileSync(json).length
    assert.ok(size <= MAX_JSON_BYTES, `the JSON report is ${size} bytes`)
    console.log(
      `# JSON report ${(size / 1024).toFixed(0)} KB, the big test's record ${(JSON.stringify(big).length / 1024).toFixed(0)} KB`,
    )
  })

  test("vitest's own JSON report carries the same small meta: the worker keeps the records, not the main process", () => {
    const meta = run.tests.get(`many-leaks.test.js > ${BIG}`).meta.leakwatch
    assert.equal(meta.leaks.length, LEAK_RECORDS_PER_SCOPE)
    assert.equal(meta.leakCount, 2003)
    assert.deepEqual(meta.leakGroups, record('many-leaks.test.js', BIG).leakGroups)
    assert.deepEqual(meta.failureReasons, ['leaks'])
  })

  test('the HTML page: small, a row per site with its count, and in Chromium it loads and a click shows the test', async () => {
    assert.ok(CHROMIUM, NEEDS_CHROMIUM)
    const size = readFileSync(html).length
    assert.ok(size <= MAX_HTML_BYTES, `the page is ${size} bytes`)
    const browser = await launchChromium()
    try {
      const { page, seen } = await openReport(browser, html)
      assertNothingWrong(seen)
      const elements = await page.evaluate(() => document.querySelectorAll('*').length)
      assert.ok(elements <= MAX_PAGE_ELEMENTS, `${elements} elements`)
      const rows = page.locator('#leaks tbody tr')
      // The big test's 4 sites, the 100 sites listed of the 150-event test and a row counting the rest, 15 tests' one.
      assert.equal(await rows.count(), 4 + LEAK_RECORDS_PER_SCOPE + 1 + 15)
      const intervals = rows.filter({ hasText: site('// leak:intervals') })
      assert.equal(await intervals.count(), 1)
      assert.match(await intervals.innerText(), /2000\s+Interval\s+Interval every 60000–61999 ms/)
      assert.match(await rows.filter({ hasText: 'at 50 more creation sites' }).innerText(), /^[^\n]*\t50\t/)
      for (const marker of ['// leak:server', '// leak:timeout', '// leak:listener'])
        assert.equal(await rows.filter({ hasText: site(marker) }).count(), 1, marker)
      await intervals.click()
      assert.equal(await page.locator('#details h3').textContent(), BIG)
      const details = await page.locator('#details').innerText()
      assert.match(details, /Leaks \(2003\)/)
      assert.match(details, /2000 × Interval Interval every 60000–61999 ms/)
      assert.equal(await page.locator('#details li.leak').count(), 4)
      console.log(
        `# the page (${(size / 1024).toFixed(0)} KB, ${elements} elements) loaded in ${seen.loadMs.toFixed(0)} ms`,
      )
      assertNothingWrong(seen)
    } finally {
      await browser.close()
    }
  })
})
