// Makes docs/html-report.png, the picture of the HTML report in docs/reports.md: runs the messaging example (both projects:
// the leaky suite and the fixed one, against a real redis-server its global setup starts) with leakwatch/reporter and
// `heap: 'test'` (a heap after GC for every test, so the chart shows each file's slope), opens the page in Debian's
// Chromium (headless, off the network), selects a test that leaked, and screenshots the top of the page: summary,
// chart, and that test's details.
//
//   node docs/html-report-screenshot.mjs [output.png]     (default docs/html-report.png)

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { chromium } from 'playwright-core'
import { startVitest } from 'vitest/node'

const repoRoot = fileURLToPath(new URL('..', import.meta.url))
const exampleRoot = path.join(repoRoot, 'examples', 'messaging')
const output = path.resolve(process.argv[2] ?? path.join(repoRoot, 'docs', 'html-report.png'))
const outDir = mkdtempSync(path.join(tmpdir(), 'leakwatch-screenshot-'))
const json = path.join(outDir, 'leakwatch-report.json')
const html = path.join(outDir, 'leakwatch-report.html')
// The example's own config, with a setup file of ours after leakwatch's, as a user would configure it (see
// docs/configuration.md): heap figures after GC for every test.
const heapSetup = path.join(outDir, 'heap-per-test.mjs')
const vitestEntry = pathToFileURL(path.join(repoRoot, 'js', 'vitest', 'index.js')).href
writeFileSync(heapSetup, `import { configure } from ${JSON.stringify(vitestEntry)}\nconfigure({ heap: 'test' })\n`)
const config = path.join(outDir, 'vitest.config.mjs')
writeFileSync(
  config,
  `import example from ${JSON.stringify(pathToFileURL(path.join(exampleRoot, 'vitest.config.ts')).href)}\n` +
    `export default { ...example, test: { ...example.test, setupFiles: [...example.test.setupFiles, ${JSON.stringify(heapSetup)}] } }\n`,
)

try {
  // The leaky suite fails (that is its point): the run's exit code is not this script's.
  const vitest = await startVitest('test', [], {
    root: exampleRoot,
    config,
    watch: false,
    reporters: ['dot', ['leakwatch/reporter', { json, html, summary: false }]],
  })
  await vitest?.close()
  process.exitCode = 0
  const report = JSON.parse(readFileSync(json, 'utf8'))

  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
      '--host-resolver-rules=MAP * ~NOTFOUND',
      '--disable-background-networking',
    ],
  })
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 })
    await context.route('**/*', (route) =>
      route.request().url().startsWith('file:') ? route.continue() : route.abort(),
    )
    const page = await context.newPage()
    await page.goto(pathToFileURL(html).href)
    // A leaky test whose leaks all have a creation site in user code, the fewest leaks first: details that fit.
    const leaky = report.files.flatMap((file) =>
      file.tests.filter((test) => test.leaks.length > 0).map((test) => ({ file: file.file, test })),
    )
    const withoutSite = ({ test }) => (test.leaks.every((leak) => leak.site) ? 0 : 1)
    leaky.sort((a, b) => withoutSite(a) - withoutSite(b) || a.test.leaks.length - b.test.leaks.length)
    if (leaky.length > 0) {
      await page.locator('#find').fill(`${leaky[0].file} > ${leaky[0].test.name}`)
      await page.locator('#find-results button').first().click()
      await page.locator('#find').fill('')
    }
    await page.evaluate(() => window.scrollTo(0, 0))
    const details = await page.locator('#details').boundingBox()
    await page.screenshot({
      path: output,
      fullPage: true,
      clip: { x: 0, y: 0, width: 1280, height: Math.min(1600, Math.ceil(details.y + details.height + 12)) },
    })
    const ran = report.totals.tests
    console.log(
      `${path.relative(process.cwd(), output)}: ${ran} tests in ${report.totals.files} files, ${report.totals.leaks} leaks`,
    )
  } finally {
    await browser.close()
  }
} finally {
  rmSync(outDir, { recursive: true, force: true })
}
