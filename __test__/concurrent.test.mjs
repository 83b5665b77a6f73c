// Tests run with test.concurrent share one process and one hook: no false leak while neighbours hold resources,
// and a real leak is still caught, with the report saying that attribution is uncertain.

import assert from 'node:assert/strict'
import { before, describe, test } from 'node:test'
import { lineOf, runVitest } from './helpers/run-vitest.mjs'

describe('concurrent tests', () => {
  let run
  before(async () => {
    run = await runVitest('concurrent')
  })

  test('clean concurrent tests pass while their neighbours still hold servers', () => {
    for (const name of ['quick clean', 'slow clean', 'slowest clean']) {
      const result = run.tests.get(`concurrent.test.js > clean tests running at the same time ${name}`)
      assert.equal(result?.status, 'passed', `${name}: ${result?.message}\n${run.output}`)
    }
  })

  test('a leak among concurrent tests fails exactly one test, naming the line and the uncertainty', () => {
    const names = ['concurrent leak', 'concurrent neighbour', 'concurrent late neighbour']
    const results = names.map((name) => run.tests.get(`concurrent.test.js > one of three concurrent tests leaks ${name}`))
    const failed = results.filter((result) => result?.status === 'failed')
    assert.equal(failed.length, 1, run.output)
    const line = lineOf('concurrent', 'concurrent.test.js', 'leak:concurrent')
    assert.match(failed[0].message, /Interval every 45000 ms/)
    assert.match(failed[0].message, new RegExp(`created at (?:\\S+ \\()?concurrent\\.test\\.js:${line}:`))
    assert.match(failed[0].message, /tests ran concurrently: some of these may belong to another test of this file/)
  })

  test("allowLeaks() while tests run concurrently fails its caller and does not silence the neighbour's leak", () => {
    const caller = run.tests.get('allow.test.js > allowLeaks() beside a leaky neighbour calls allowLeaks() while its neighbour runs')
    assert.equal(caller?.status, 'failed', run.output)
    assert.match(caller.message, /^Error: leakwatch: allowLeaks\(\) was called while 2 tests run concurrently \("allowLeaks\(\) beside a leaky neighbour > calls allowLeaks\(\) while its neighbour runs", "allowLeaks\(\) beside a leaky neighbour > leaks while its neighbour calls allowLeaks\(\)"\): it cannot tell which of them called it\./)
    assert.match(caller.message, /Call it in a test that does not run concurrently with others .*or accept the resource with an ignore rule in configure/)
    // The stack starts at the user's call, so vitest shows that line.
    assert.match(caller.message, /\n\s+at .*allow\.test\.js:\d+:\d+/)
    assert.doesNotMatch(caller.message, /test-file-session\.js/)
    const neighbour = run.tests.get('allow.test.js > allowLeaks() beside a leaky neighbour leaks while its neighbour calls allowLeaks()')
    assert.equal(neighbour?.status, 'failed', 'the neighbour leaked and passed')
    assert.match(neighbour.message, /Interval every 47000 ms/)
    assert.match(neighbour.message, new RegExp(`created at (?:\\S+ \\()?allow\\.test\\.js:${lineOf('concurrent', 'allow.test.js', 'leak:beside-allow')}:`))
  })

  test('watch(), resourceDelta() and expectNoLeaks() throw while tests run concurrently; expectNoLeaks(fn) still checks', () => {
    // The fixture asserts each call's error (and that expectNoLeaks(fn) reports its function's leak); it passes
    // only if they all held.
    const calls = run.tests.get('calls.test.js > the other calls beside a neighbour watch(), resourceDelta() and expectNoLeaks() throw; expectNoLeaks(fn) checks its function')
    assert.equal(calls?.status, 'passed', calls?.message ?? run.output)
    assert.equal(run.tests.get('calls.test.js > the other calls beside a neighbour partner')?.status, 'passed')
  })
})
