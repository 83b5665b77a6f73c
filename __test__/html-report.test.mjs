// The HTML report in a real browser: vitest runs a small real suite (clean tests, a leaked server, intervals, a
// listener and a retained object, a test named `<img src=x onerror=alert(1)>` in a file named `<svg onload=...>`)
// with leakwatch/reporter writing leakwatch-report.json and .html; Debian's Chromium, headless and kept off the
// network, opens the page from file://. Asserted: no page error, no console error (a CSP refusal would be one), no
// dialog, no request but the file itself; one chart point per test that ran, marked as the JSON says; a click on a
// point, on the plot near a point, or on a leak row shows that test's details; hostile names are text and run
// nothing; the leak table has each leak at its creation line. A 5000-test page loads and answers a click. A
// screenshot goes to test-artifacts/html-report.png.

import assert from 'node:assert/strict'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { renderHtmlReport } from '../js/reporter/html/index.js'
import { assertNothingWrong, CHROMIUM, launchChromium, NEEDS_CHROMIUM, openReport } from './helpers/chromium.mjs'
import { runNode } from './helpers/run-node.mjs'
import { FIXTURES, lineOf, plain, REPO_ROOT } from './helpers/run-vitest.mjs'

const FIXTURE = 'html-report'
const HOSTILE_FILE = '<svg onload=alert`2`>.test.js'
const HOSTILE_TEST = '<img src=x onerror=alert(1)>'
const ARTIFACT = path.join(REPO_ROOT, 'test-artifacts', 'html-report.png')

/** vitest on the fixture with its config's reporters (leakwatch/reporter among them), report paths by environment. */
async function runFixtureWithReporter(outDir) {
  const root = path.join(FIXTURES, FIXTURE)
  const json = path.join(outDir, 'leakwatch-report.json')
  const html = path.join(outDir, 'leakwatch-report.html')
  const env = {
    ...process.env,
    CI: 'true',
    FORCE_COLOR: '0',
    NO_COLOR: '1',
    LEAKWATCH_REPORT_JSON: json,
    LEAKWATCH_REPORT_HTML: html,
  }
  const { exitCode, output } = await runNode(
    [path.join(REPO_ROOT, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--root', root],
    { cwd: root, env },
  )
  assert.ok(
    existsSync(json) && existsSync(html),
    `the reporter wrote no report (vitest exit ${exitCode}):\n${plain(output)}`,
  )
  return {
    exitCode,
    output: plain(output),
    report: JSON.parse(readFileSync(json, 'utf8')),
    htmlFile: html,
    html: readFileSync(html, 'utf8'),
  }
}

/** The tests that ran, in run order (files as listed, tests by index), as the page numbers its points. */
function ranTests(report) {
  return report.files.flatMap((file) =>
    [...file.tests]
      .sort((a, b) => a.index - b.index)
      .filter((t) => t.state !== 'skip')
      .map((t) => ({ file: file.file, test: t })),
  )
}

describe('HTML report in Chromium', () => {
  let outDir
  let run
  let browser
  let opened

  before(async () => {
    assert.ok(CHROMIUM, NEEDS_CHROMIUM)
    outDir = mkdtempSync(path.join(tmpdir(), 'leakwatch-html-'))
    run = await runFixtureWithReporter(outDir)
    browser = await launchChromium()
    opened = await openReport(browser, run.htmlFile)
  })

  after(async () => {
    await browser?.close()
    if (outDir) rmSync(outDir, { recursive: true, force: true })
  })

  test('the reporter wrote the page renderHtmlReport makes of its JSON report, for the run that happened', () => {
    assert.equal(run.exitCode, 1, 'vitest fails the run: tests leaked')
    assert.equal(run.html, renderHtmlReport(run.report))
    assert.deepEqual(
      run.report.files.map((file) => file.file),
      [HOSTILE_FILE, 'clean.test.js', 'leaky.test.js'],
    )
    assert.equal(run.report.totals.tests, 10)
  })

  test('the page loads with no error, no dialog, and no request but the file itself', async () => {
    assertNothingWrong(opened.seen)
    assert.match(await opened.page.title(), /^leakwatch: 5 leaks in 10 tests$/)
  })

  test('the chart has one point per test that ran, in run order, marked as the JSON report says', async () => {
    const { page } = opened
    const ran = ranTests(run.report)
    assert.equal(ran.length, 10)
    const ids = await page
      .locator('#heap-chart circle.point')
      .evaluateAll((circles) => circles.map((circle) => Number(circle.dataset.i)))
    assert.deepEqual(
      ids,
      ran.map((_, id) => id),
    )
    const count = (selector) => page.locator(`#heap-chart circle.point${selector}`).count()
    const expected = (predicate) => ran.filter(({ test }) => predicate(test)).length
    assert.equal(
      await count('.after-gc'),
      expected((t) => t.heap?.afterGc === true),
    )
    assert.equal(
      await count('.no-gc'),
      expected((t) => t.heap !== null && t.heap.afterGc === false),
    )
    assert.equal(
      await count('.no-heap'),
      expected((t) => t.heap === null),
    )
    // The fixture's files: heap 'test' (4 points after GC), the default (no GC forced), heap 'off' (3 without heap).
    assert.equal(await count('.after-gc'), 4)
    assert.equal(await count('.no-heap'), 3)
    assert.equal(
      await count('.leaky'),
      expected((t) => t.leaks.length > 0),
    )
    assert.equal(await count('.leaky'), 4)
    assert.equal(await page.locator('#heap-chart g.band').count(), 3)
    // leaky.test.js leaked in beforeAll: its band says so.
    assert.equal(await page.locator('#heap-chart g.band.band-leaky .band-label').textContent(), 'leaky.test.js')
    assert.equal(await page.locator('#heap-chart .trend').count(), 1, "clean.test.js (heap: 'test') has a fitted slope")
  })

  test("clicking a point shows that test's details: name, file, state, heap figures, leak with its creation line", async () => {
    const { page } = opened
    const ran = ranTests(run.report)
    const id = ran.findIndex(({ test }) => test.name === 'an interval left ticking')
    await page.locator(`#heap-chart circle.point[data-i="${id}"]`).click()
    assert.equal(await page.locator('#details h3').textContent(), 'an interval left ticking')
    const details = await page.locator('#details').innerText()
    assert.match(details, /file\s+leaky\.test\.js/)
    assert.match(details, /state\s+failed, failed by leaks/)
    assert.match(details, /heap\s+[\d.]+ (MB|kB) as it was \(no GC forced/)
    assert.match(details, /Interval Interval every 60000 ms/)
    assert.ok(
      details.includes(`created at leaky.test.js:${lineOf(FIXTURE, 'leaky.test.js', '// leak:interval')}:3`),
      details,
    )
    assert.equal(await page.locator(`#heap-chart circle.point.selected`).getAttribute('data-i'), String(id))

    // A test after GC: its heap figures and the change since the test before.
    const cleanId = ran.findIndex(({ test }) => test.name === 'a timer that is cleared')
    await page.locator(`#heap-chart circle.point[data-i="${cleanId}"]`).click()
    assert.equal(await page.locator('#details h3').textContent(), 'a timer that is cleared')
    const cleanDetails = await page.locator('#details').innerText()
    assert.match(cleanDetails, /heap\s+[\d.]+ MB after GC/)
    assert.match(cleanDetails, /heap change\s+[+-]?[\d.]+ (B|kB|MB) since the previous test \(both after GC\)/)
    assert.match(cleanDetails, /No leaks\./)
  })

  test('a click on the plot away from any point selects the test at that place in the run', async () => {
    const { page } = opened
    const ran = ranTests(run.report)
    const id = ran.findIndex(({ test }) => test.name === 'plain arithmetic')
    const box = await page.locator(`#heap-chart circle.point[data-i="${id}"]`).boundingBox()
    const plot = await page.locator('#heap-chart .grid').first().boundingBox()
    // Above the point, at the top of the plot: no point there.
    await page.mouse.click(box.x + box.width / 2, plot.y + 2)
    assert.equal(await page.locator('#details h3').textContent(), 'plain arithmetic')
  })

  test('a hostile test name and file name are text: no element made from them, nothing ran', async () => {
    const { page, seen } = opened
    const ran = ranTests(run.report)
    const id = ran.findIndex(({ test }) => test.name === HOSTILE_TEST)
    assert.ok(id >= 0, 'the hostile test is in the report')
    await page.locator(`#heap-chart circle.point[data-i="${id}"]`).click()
    assert.equal(await page.locator('#details h3').textContent(), HOSTILE_TEST)
    const details = await page.locator('#details').innerText()
    assert.equal(await page.locator('#details dd').first().textContent(), HOSTILE_FILE)
    assert.ok(details.includes('listener for "<img src=x onerror=alert`3`>" on process'), details)
    // Shown literally in the leak table and the chart's band, and nowhere turned into an element.
    assert.ok((await page.locator('#leaks td', { hasText: HOSTILE_TEST }).count()) >= 1)
    assert.equal(await page.locator('#heap-chart .band-label').first().textContent(), HOSTILE_FILE)
    assert.equal(await page.locator('img').count(), 0)
    assert.equal(await page.locator('b').count(), 0, 'the watched object\'s label "<b>session</b>" stays text')
    assert.equal(
      await page.evaluate(
        () => document.querySelectorAll('[onerror], [onload], [onmouseover], iframe, object, embed').length,
      ),
      0,
    )
    assert.equal(await page.locator('script').count(), 2)
    assert.deepEqual(seen.dialogs, [])
  })

  test('the leak table lists each leak with its creation line; a row shows its test, or its file', async () => {
    const { page } = opened
    const rows = page.locator('#leaks tbody tr')
    assert.equal(await rows.count(), run.report.totals.leaks)
    const sites = [
      ['leaky.test.js', '// leak:server', 'TCP server listening on 127.0.0.1:'],
      ['leaky.test.js', '// leak:interval', 'Interval every 60000 ms'],
      ['leaky.test.js', '// leak:file-scope', 'Interval every 60000 ms'],
      [HOSTILE_FILE, '// leak:hostile-listener', 'listener for "<img src=x onerror=alert`3`>" on process'],
      [HOSTILE_FILE, '// leak:retained', 'Object instance (watched as "<b>session</b>") still reachable after GC'],
    ]
    for (const [file, marker, description] of sites) {
      const site = `${file}:${lineOf(FIXTURE, file, marker)}:`
      const row = rows.filter({ hasText: site })
      assert.equal(await row.count(), 1, `a row created at ${site}`)
      assert.ok((await row.innerText()).includes(description), await row.innerText())
    }
    // The retained object's row has its retainer path.
    const retained = rows.filter({ hasText: 'still reachable after GC' })
    assert.match(await retained.locator('pre').textContent(), /GC Root:[\s\S]*╰→ Object instance/)

    await rows.filter({ hasText: `leaky.test.js:${lineOf(FIXTURE, 'leaky.test.js', '// leak:server')}:` }).click()
    assert.equal(await page.locator('#details h3').textContent(), 'servers > a server left listening')
    await rows.filter({ hasText: `leaky.test.js:${lineOf(FIXTURE, 'leaky.test.js', '// leak:file-scope')}:` }).click()
    assert.equal(await page.locator('#details h3').textContent(), 'leaky.test.js')
    assert.match(
      await page.locator('#details').innerText(),
      /failed by leaks of the file scope[\s\S]*Leaks of the file scope \(1\)/,
    )
  })

  test('finding a test by name lists it, a click shows it, a reload keeps it; a screenshot is kept', async () => {
    const { page, seen } = opened
    await page.locator('#find').fill('onerror')
    const found = page.locator('#find-results button')
    assert.equal(await found.count(), 1)
    assert.equal(await found.textContent(), HOSTILE_TEST)
    await page.locator('#find').fill('left')
    assert.equal(await found.count(), 2)
    await found.filter({ hasText: 'an interval left ticking' }).click()
    assert.equal(await page.locator('#details h3').textContent(), 'an interval left ticking')
    // The selection is in the address: reloaded, the page shows the same test.
    const id = ranTests(run.report).findIndex(({ test }) => test.name === 'an interval left ticking')
    assert.equal(new URL(page.url()).hash, `#test-${id + 1}`)
    assert.equal(await page.getAttribute('#details', 'data-selected'), `test-${id + 1}`)
    await page.reload()
    assert.equal(await page.locator('#details h3').textContent(), 'an interval left ticking')
    await page.evaluate(() => window.scrollTo(0, 0))
    mkdirSync(path.dirname(ARTIFACT), { recursive: true })
    await page.screenshot({ path: ARTIFACT, fullPage: true })
    assert.ok(readFileSync(ARTIFACT).length > 10_000)
    assertNothingWrong(seen)
  })

  test('5000 tests: the page loads, has 5000 points, and a click shows the test', async () => {
    const report = structuredClone(run.report)
    const template = report.files.find((file) => file.file === 'clean.test.js')
    report.files = Array.from({ length: 50 }, (_, f) => ({
      ...template,
      file: `test/feature-${String(f).padStart(2, '0')}.test.ts`,
      tests: Array.from({ length: 100 }, (_, i) => ({
        ...template.tests[i % template.tests.length],
        index: i,
        name: `feature ${f} > case ${i}`,
      })),
    }))
    report.totals = { ...report.totals, files: 50, tests: 5000 }
    const file = path.join(outDir, 'large.html')
    writeFileSync(file, renderHtmlReport(report))
    const { context, page, seen } = await openReport(browser, file)
    try {
      assert.equal(await page.locator('#heap-chart circle.point').count(), 5000)
      await page.locator('#heap-chart circle.point[data-i="4999"]').click({ force: true })
      assert.equal(await page.locator('#details h3').textContent(), 'feature 49 > case 99')
      assertNothingWrong(seen)
      console.log(
        `# the 5000-test page (${(readFileSync(file).length / 1024).toFixed(0)} KB) loaded in ${seen.loadMs.toFixed(0)} ms`,
      )
    } finally {
      await context.close()
    }
  })
})
