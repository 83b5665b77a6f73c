// Debian's Chromium, headless and kept off the network, for the tests that open leakwatch's HTML report: a page
// that records everything that could mean the report misbehaved (a page error, a console error such as a
// Content-Security-Policy refusal, a dialog, a request for anything but the file itself).

import assert from 'node:assert/strict'
import { pathToFileURL } from 'node:url'
import { chromium } from 'playwright-core'
import { findProgram, REQUIRED_PROGRAMS } from '../../scripts/required-programs.mjs'

/** Chromium as `npm test` checks for it before it starts (scripts/preflight.mjs): on PATH. */
export const CHROMIUM = findProgram('chromium')

/** Why a page test cannot run, for its assertion. */
export const NEEDS_CHROMIUM = `this test needs Chromium on PATH: ${REQUIRED_PROGRAMS.chromium.install}`

/** Chromium with nothing of its own that calls out (updates, metrics, safe browsing, DNS). */
const CHROMIUM_ARGS = [
  ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
  '--host-resolver-rules=MAP * ~NOTFOUND',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-domain-reliability',
  '--disable-sync',
  '--no-pings',
  '--no-first-run',
  '--no-default-browser-check',
  '--metrics-recording-only',
  '--disable-features=OptimizationHints,Translate,MediaRouter,AutofillServerCommunication',
]

export function launchChromium() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS })
}

/** A page that records everything that could mean the report misbehaved, and lets nothing but file:// load. */
export async function openReport(browser, file) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
  const seen = { requests: [], blocked: [], pageErrors: [], consoleErrors: [], dialogs: [] }
  await context.route('**/*', (route) => {
    const url = route.request().url()
    if (url.startsWith('file:')) return route.continue()
    seen.blocked.push(url)
    return route.abort('blockedbyclient')
  })
  const page = await context.newPage()
  page.on('request', (request) => seen.requests.push(request.url()))
  page.on('pageerror', (error) => seen.pageErrors.push(error.message))
  page.on('console', (message) => message.type() === 'error' && seen.consoleErrors.push(message.text()))
  page.on('dialog', (dialog) => {
    seen.dialogs.push(dialog.message())
    dialog.dismiss().catch(() => {})
  })
  const started = performance.now()
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' })
  seen.loadMs = performance.now() - started
  return { context, page, seen }
}

export function assertNothingWrong(seen) {
  assert.deepEqual(seen.pageErrors, [], 'page errors')
  assert.deepEqual(seen.consoleErrors, [], 'console errors (a Content-Security-Policy refusal is one)')
  assert.deepEqual(seen.dialogs, [], 'dialogs (alert, confirm): something from the suite ran')
  assert.deepEqual(seen.blocked, [], 'requests off the machine')
  assert.ok(
    seen.requests.length > 0 && seen.requests.every((url) => url.startsWith('file:')),
    `requests: ${seen.requests.join(', ')}`,
  )
}
