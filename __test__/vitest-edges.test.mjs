// leakwatch/vitest where vitest itself would hide a leak or misplace the check: a `test.fails` test and a test that
// calls ctx.skip() (vitest cannot be told they leaked by an error at their end: their leaks fail the file), the
// file's afterAll and beforeAll cleanup under `sequence.hooks: 'list'` as under the default 'stack', a user's setup
// file that configures leakwatch listed before leakwatch/vitest, and LeakError's leaks kept out of vitest's
// "Serialized Error" lines. Two vitest runs of __test__/fixtures/vitest-edges: default hooks, and 'list' with the
// verbose reporter (which prints an error's properties).

import assert from 'node:assert/strict'
import { before, describe, test } from 'node:test'
import { fixtureAssertions, lineOf, runVitest } from './helpers/run-vitest.mjs'

const FIXTURE = 'vitest-edges'

/** @type {Record<'stack' | 'list', Awaited<ReturnType<typeof runVitest>>>} */
const runs = {}

before(async () => {
  runs.stack = await runVitest(FIXTURE)
  runs.list = await runVitest(FIXTURE, { args: ['--sequence.hooks=list', '--reporter=verbose'] })
})

for (const hooks of ['stack', 'list']) {
  describe(`sequence.hooks: '${hooks}'`, () => {
    const { result, assertPassed, assertLeaked, fileResult } = fixtureAssertions(FIXTURE, () => runs[hooks])

    test("the file's afterAll and its beforeAll's cleanup run before the file check: the file passes", () => {
      assertPassed('hooks.test.js', 'uses what the file opened')
      const file = fileResult('hooks.test.js')
      assert.equal(file.status, 'passed', file.message)
      assert.equal(file.message, '')
    })

    test('a test.fails test that leaks fails the file with its report; vitest still judges the test itself', () => {
      // It did not fail, so vitest fails it ("Expect test to fail"); the LeakError did not pass for that failure.
      const passing = result('fails.test.js', 'test.fails that leaks and does not fail')
      assert.equal(passing.status, 'failed', passing.message)
      assert.match(passing.message, /Expect test to fail/)
      assert.doesNotMatch(passing.message, /LeakError/)
      assert.equal(passing.meta.leakwatch.failedByLeaks, true)
      assert.deepEqual(
        passing.meta.leakwatch.leaks.map((leak) => leak.kind),
        ['Interval'],
      )
      assertPassed('fails.test.js', 'test.fails that leaks and fails as expected')
      assert.equal(
        result('fails.test.js', 'test.fails that leaks and fails as expected').meta.leakwatch.failedByLeaks,
        true,
      )
      assertPassed('fails.test.js', 'test.fails that fails as expected and leaks nothing')

      const file = fileResult('fails.test.js')
      assert.equal(file.status, 'failed')
      for (const [name, marker] of [
        ['test.fails that leaks and does not fail', 'leak:fails-passing'],
        ['test.fails that leaks and fails as expected', 'leak:fails-failing'],
      ]) {
        assert.ok(
          file.message.includes(
            `test "${name}" is marked fails: vitest would count its LeakError as the failure it expects`,
          ),
          file.message,
        )
        assert.ok(file.message.includes(`test "${name}" left 1 resource open`), file.message)
        assert.ok(
          file.message.includes(`created at fails.test.js:${lineOf(FIXTURE, 'fails.test.js', marker)}:`),
          file.message,
        )
      }
      assert.doesNotMatch(file.message, /fails as expected and leaks nothing/)
    })

    test('a test that leaked, then called ctx.skip(), stays skipped and fails the file with its report', () => {
      const skipped = result('fails.test.js', 'ctx.skip() after leaking')
      assert.equal(skipped.status, 'skipped')
      assert.deepEqual(
        skipped.meta.leakwatch.leaks.map((leak) => leak.kind),
        ['Interval'],
      )
      const { message } = fileResult('fails.test.js')
      assert.ok(
        message.includes('test "ctx.skip() after leaking" was skipped (ctx.skip()) after it had opened these'),
        message,
      )
      assert.ok(message.includes(`created at fails.test.js:${lineOf(FIXTURE, 'fails.test.js', 'leak:skip')}:`), message)
      assert.equal(result('fails.test.js', 'ctx.skip() with nothing open').status, 'skipped')
      assert.doesNotMatch(message, /nothing open/)
    })

    test('a plain leaky test beside them fails itself, not the file', () => {
      assertLeaked('fails.test.js', 'a plain leaky test still fails itself', {
        description: 'Interval every 44000 ms',
        marker: '// leak:plain',
      })
      assert.doesNotMatch(fileResult('fails.test.js').message, /plain leaky/)
    })

    test('configure() in a setup file listed before leakwatch/vitest holds, and each test is checked once', () => {
      assertPassed('configured.test.js', 'a leak the setup file accepted')
      const message = assertLeaked('configured.test.js', 'a leak it did not accept', {
        description: 'Timeout after 62000 ms',
        marker: '// leak:not-accepted',
      })
      assert.equal(message.match(/left 1 resource open/g).length, 1, message)
    })
  })
}

test("LeakError's leaks are not printed as a Serialized Error under the report (verbose reporter)", () => {
  const { output } = runs.list
  assert.ok(output.includes('LeakError: test "a plain leaky test still fails itself" left 1 resource open'), output)
  assert.doesNotMatch(output, /Serialized Error/)
})
