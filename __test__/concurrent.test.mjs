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
})
