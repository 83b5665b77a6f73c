// Fake timers left on at the end of a test: leakwatch's own waits (the settle window, the GC turns, the heap
// snapshot's stream) run on the real timers it captured when it loaded, so a leak is reported at once, a clean test
// passes at once, and no check runs into the hook timeout (10 s), which would lose the report and leave the test
// "running" for the tests after it. A faked timer holds no handle and is not reported; a real one made before the
// fakes is. Two vitest runs of __test__/fixtures/fake-timers: the default pool (forks), and threads, the one pool
// where vitest lets a test fake process.nextTick.

import assert from 'node:assert/strict'
import path from 'node:path'
import { before, describe, test } from 'node:test'
import { FIXTURES, fixtureAssertions, runVitest } from './helpers/run-vitest.mjs'

const FIXTURE = 'fake-timers'

/** Well under vitest's hook timeout: a check that waited on a fake timer would take all of it. */
const FAST_MS = 3_000
/** Takes a heap snapshot, seconds on a loaded machine: its report, which a timed-out check loses, shows it ended. */
const SNAPSHOT_TEST = 'nextTick faked: a retained object fails watch() with its path'

const RUNS = {
  forks: { args: ['left-on', 'only-one-faked'], files: ['left-on.test.js', 'only-one-faked.test.js'] },
  threads: { args: ['--pool=threads'], files: ['left-on.test.js', 'only-one-faked.test.js', 'next-tick.test.js'] },
}

/** @type {Record<string, Awaited<ReturnType<typeof runVitest>>>} */
const runs = {}

before(async () => {
  for (const [pool, { args }] of Object.entries(RUNS))
    runs[pool] = await runVitest(FIXTURE, { args, timeoutMs: 60_000 })
})

for (const [pool, { files }] of Object.entries(RUNS)) {
  describe(`vitest, ${pool} pool`, () => {
    const { result, assertPassed, assertLeaked } = fixtureAssertions(FIXTURE, () => runs[pool])

    test('no check runs into the hook timeout; every test ends fast', () => {
      const run = runs[pool]
      assert.equal(run.exitCode, 1, run.output)
      assert.doesNotMatch(run.output, /timed out|run concurrently|Unhandled/i)
      const root = path.join(FIXTURES, FIXTURE)
      const ran = run.report.testResults.map((file) => path.relative(root, file.name)).sort()
      assert.deepEqual(ran, [...files].sort())
      for (const file of run.report.testResults) {
        for (const { fullName, duration } of file.assertionResults) {
          if (fullName === SNAPSHOT_TEST) continue
          assert.ok(duration < FAST_MS, `${path.basename(file.name)} > ${fullName} took ${duration} ms`)
        }
      }
    })

    test('vi.useFakeTimers() left on: a leaked server is reported, a clean test passes, and so does the next', () => {
      assertLeaked('left-on.test.js', 'a server leaked with fake timers left on', {
        description: 'TCP server listening on 127.0.0.1:',
        marker: '// leak:server',
      })
      assertPassed('left-on.test.js', 'a clean test with fake timers left on')
      assertPassed('left-on.test.js', 'the test after them passes, with the fakes still on')
    })

    test('a real timeout made before the fakes is still reported', () => {
      assertLeaked('left-on.test.js', 'a real timeout made before faking is still reported', {
        description: 'Timeout after 63000 ms',
        marker: '// leak:real-timeout',
      })
    })

    test("toFake: ['setTimeout'], ['setImmediate'] or ['performance'] alone: leaks reported, clean tests pass", () => {
      for (const faked of ['setTimeout', 'setImmediate', 'performance']) {
        assertLeaked('only-one-faked.test.js', `${faked} faked alone: a leaked server is reported`, {
          description: 'TCP server listening on 127.0.0.1:',
          marker: '// leak:only-one',
        })
        assertPassed('only-one-faked.test.js', `${faked} faked alone: a closed server passes`)
      }
      assertPassed('only-one-faked.test.js', 'the test after them passes, with the last fake still on')
    })

    if (pool !== 'threads') return

    test("toFake: ['nextTick']: watch() reports a retained object with its path; released ones pass", () => {
      assertLeaked('next-tick.test.js', 'nextTick faked: a leaked interval is reported', {
        description: 'Interval every 64000 ms',
        marker: '// leak:next-tick-interval',
      })
      const message = assertLeaked('next-tick.test.js', SNAPSHOT_TEST, {
        description: 'Object instance (watched as "kept app") still reachable after GC',
        marker: '// leak:next-tick-watch',
        left: '1 object still reachable',
      })
      assert.match(message, /retained by:[\s\S]*variable registry[\s\S]*╰→ Object instance/, message)
      assertPassed('next-tick.test.js', 'nextTick faked: a released object passes watch()')
      assertPassed('next-tick.test.js', 'the test after them passes, with the fake still on')
      assert.equal(
        result('next-tick.test.js', 'the test after them passes, with the fake still on').meta.leakwatch.leaks.length,
        0,
      )
    })
  })
}
