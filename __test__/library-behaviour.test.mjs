// The curated list of library behaviour that is by design: each entry passes with its real library, and a
// dependency's real leak is still reported, naming the package where the fix belongs.

import assert from 'node:assert/strict'
import { before, describe, test } from 'node:test'
import { LIBRARY_BEHAVIOUR } from '../js/core/library-behaviour.js'
import { fixtureAssertions, lineOf, runVitest } from './helpers/run-vitest.mjs'

const FIXTURE = 'library-behaviour'
let run
const { result, assertPassed } = fixtureAssertions(FIXTURE, () => run)

describe('library behaviour', () => {
  before(async () => {
    run = await runVitest(FIXTURE)
  })

  test('every entry names its package and its reason, and matches only that package', () => {
    for (const entry of LIBRARY_BEHAVIOUR) {
      assert.match(entry.package, /^[@a-z0-9][\w./-]*$/)
      assert.ok(entry.reason.length > 40, entry.package)
      assert.ok(entry.rule.createdBy.test(`/app/node_modules/${entry.package}/index.js`), entry.package)
      assert.ok(!entry.rule.createdBy.test('/app/src/index.js'), entry.package)
    }
  })

  test("pino's on-exit-leak-free and signal-exit's process handlers pass with the real libraries", () => {
    assertPassed('library.test.js', "pino's destination registers its exit flush once for the process")
    assertPassed('library.test.js', "signal-exit's process-wide handlers")
  })

  test("a dependency's per-call process handlers fail the test, naming the package and the test's line", () => {
    const { status, message } = result(
      'library.test.js',
      'a dependency that adds process handlers per call is still reported',
    )
    assert.equal(status, 'failed')
    assert.match(message, /left 2 listeners attached/)
    assert.match(message, /listener for "SIGTERM" on process/)
    assert.match(message, /listener for "SIGHUP" on process/)
    const line = lineOf(FIXTURE, 'library.test.js', 'leak:per-call')
    assert.match(message, new RegExp(`created at (?:\\S+ \\()?library\\.test\\.js:${line}:`))
    assert.match(
      message,
      /made inside per-call-exit-handlers, by listen \(node_modules\/per-call-exit-handlers\/index\.js:\d+:\d+\): the fix belongs in that package/,
    )
  })
})
