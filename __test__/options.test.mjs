// leakwatch's options, as a user sets them: configure() at the top of a test file, or in a setup file of their own
// listed after leakwatch/vitest. One vitest run of __test__/fixtures/options (two projects: `top` for the files that
// configure themselves, `user-setup` for the files configured by user-setup/setup.js); each file is one option case.

import assert from 'node:assert/strict'
import path from 'node:path'
import { before, describe, test } from 'node:test'
import { KINDS } from '../js/index.js'
import { FIXTURES, fixtureAssertions, lineOf, runVitest } from './helpers/run-vitest.mjs'

const FIXTURE = 'options'

/** @type {Awaited<ReturnType<typeof runVitest>>} */
let run

before(async () => {
  run = await runVitest(FIXTURE)
})

const { result, assertPassed, assertLeaked, fileResult } = fixtureAssertions(FIXTURE, () => run)

/** What configure() threw in a bad-options.test.js test, recorded by the fixture in the test's meta. */
function thrownBy(name) {
  assertPassed('bad-options.test.js', name)
  const { thrown } = result('bad-options.test.js', name).meta
  assert.ok(thrown, `configure() did not throw in "${name}"`)
  assert.equal(thrown.name, 'TypeError', `"${name}" threw a ${thrown.name}: ${thrown.message}`)
  return thrown.message
}

describe('options', () => {
  test('vitest exits with 1 (there are failing tests) and did not crash', () => {
    assert.equal(run.exitCode, 1, run.output)
    assert.doesNotMatch(run.output, /segmentation fault|Worker exited unexpectedly|Unhandled Error/i)
  })

  test("defaults apply in a file that does not configure(): other files' options stay in their files", () => {
    assertLeaked('defaults.test.js', 'interval leak with default options', {
      description: 'Interval every 30000 ms',
      marker: '// leak:defaults-interval',
    })
    assertLeaked('defaults.test.js', 'timeout leak with default options', {
      description: 'Timeout after 60000 ms',
      marker: '// leak:defaults-timeout',
    })
  })

  test('ignore by kind', () => {
    assertPassed('ignore-kind.test.js', 'ignored interval')
    assertLeaked('ignore-kind.test.js', 'timeout still reported', {
      description: 'Timeout after 60000 ms',
      marker: '// leak:ignore-kind-timeout',
    })
  })

  test('ignore by createdBy: a RegExp matching a helper file in the creation stack', () => {
    assertPassed('ignore-created-by.test.js', 'interval from the ignored helper')
    assertLeaked('ignore-created-by.test.js', 'interval from the test itself still reported', {
      description: 'Interval every 45000 ms',
      marker: '// leak:created-by-own',
    })
  })

  test('ignore by description: a string, and a RegExp combined with kind', () => {
    assertPassed('ignore-description.test.js', 'interval matching the description')
    assertPassed('ignore-description.test.js', 'timeout matching kind and description regexp')
    assertLeaked('ignore-description.test.js', 'interval with another description still reported', {
      description: 'Interval every 23456 ms',
      marker: '// leak:description-other',
    })
  })

  test("kinds: ['TCP server'] checks servers only", () => {
    assertPassed('kinds.test.js', 'interval leak outside the checked kinds')
    assertLeaked('kinds.test.js', 'server leak of a checked kind', {
      description: 'TCP server listening on 127.0.0.1:',
      marker: '// leak:kinds-server',
    })
  })

  test("reportUnref: true reports an unref'd interval", () => {
    const { status, message } = result('report-unref.test.js', "unref'd interval reported")
    assert.equal(status, 'failed')
    assert.match(message, /LeakError: test "unref'd interval reported" left \d+ resources? open/)
    const line = lineOf(FIXTURE, 'report-unref.test.js', '// leak:unref-interval')
    assert.ok(
      message.includes(
        `Interval every 30000 ms  (unref'd: does not keep the process alive)\n    created at report-unref.test.js:${line}:`,
      ),
      message,
    )
  })

  test("reportUnref: true reports a timer made unref'd (timers/promises' { ref: false }), which is otherwise not recorded", () => {
    assertLeaked('report-unref.test.js', "timer made unref'd reported", {
      description: "Timeout after 60000 ms  (unref'd: does not keep the process alive)",
      marker: '// leak:born-unref-timer',
    })
  })

  // Regression: vitest's own unref'd hook-timeout timer (10000 ms, made by runWithTimeout for the onTestFinished and
  // afterAll hooks while the scope is active, still pending during the check) was reported as the test's leak, and as
  // the file's, so that reportUnref failed every test.
  test("reportUnref: true reports only the test's own resources (not vitest's hook timers)", () => {
    const leaky = result('report-unref.test.js', "unref'd interval reported")
    assert.match(leaky.message, /left 1 resource open/, leaky.message)
    assert.doesNotMatch(leaky.message, /Timeout after 10000 ms/, leaky.message)
    assertPassed('report-unref.test.js', 'cleared interval still clean')
    const file = fileResult('report-unref.test.js')
    assert.equal(file.message, '', file.message)
  })

  test("reportUnref: true leaves out the unref'd timers Node made for itself (an HTTP response's Date cache, fetch's)", () => {
    assertPassed('report-unref-http.test.js', 'a clean test that serves an HTTP response passes')
    const message = assertLeaked(
      'report-unref-http.test.js',
      "a test's own unref'd interval beside a response still fails",
      {
        description: "Interval every 31000 ms  (unref'd: does not keep the process alive)",
        marker: '// leak:unref-beside-http',
      },
    )
    assert.doesNotMatch(message, /created by Node/, message)
    assert.equal(fileResult('report-unref-http.test.js').message, '')
  })

  test("onLeak: 'warn' passes the leaky test and prints the report", () => {
    assertPassed('on-leak-warn.test.js', 'leak only warned')
    assert.ok(run.output.includes('[leakwatch] test "leak only warned" left 1 resource open'), run.output)
    const line = lineOf(FIXTURE, 'on-leak-warn.test.js', '// leak:warn-timeout')
    const warned = run.output.slice(run.output.indexOf('[leakwatch] test "leak only warned"'))
    assert.match(warned, new RegExp(`^[^]*?Timeout after 60000 ms[^]*?created at on-leak-warn\\.test\\.js:${line}:`))
    assert.deepEqual(
      result('on-leak-warn.test.js', 'leak only warned').meta.leakwatch.leaks.map((leak) => leak.kind),
      ['Timeout'],
    )
  })

  test('baseline (inline array): by site prefix, and by kind + test name', () => {
    assert.equal(lineOf(FIXTURE, 'baseline-inline.test.js', '// leak:baseline-site'), 8, 'the fixture names line 8')
    assertPassed('baseline-inline.test.js', 'known leak by site')
    assertPassed('baseline-inline.test.js', 'known by test name')
    assertLeaked('baseline-inline.test.js', 'leak at another site still reported', {
      description: 'Interval every 30000 ms',
      marker: '// leak:baseline-other',
    })
  })

  test('baseline (path of a JSON file)', () => {
    assert.equal(
      lineOf(FIXTURE, 'baseline-file.test.js', '// leak:baseline-file'),
      9,
      'baseline-file.json names line 9',
    )
    assertPassed('baseline-file.test.js', 'known leak from the baseline file')
    assertLeaked('baseline-file.test.js', 'timeout at another site still reported', {
      description: 'Timeout after 60000 ms',
      marker: '// leak:baseline-file-other',
    })
  })

  test('enabled: false turns the checks off', () => {
    assertPassed('disabled.test.js', 'leaks while disabled')
    assert.equal(result('disabled.test.js', 'leaks while disabled').meta.leakwatch, undefined)
    assert.equal(fileResult('disabled.test.js').status, 'passed')
  })

  test('configure() from a setup file of the user, listed after leakwatch/vitest', () => {
    assertPassed('user-setup/configured.test.js', 'interval leak outside the kinds of the setup file')
    assertLeaked('user-setup/configured.test.js', 'timeout leak still reported', {
      description: 'Timeout after 60000 ms',
      marker: '// leak:user-setup-timeout',
    })
  })

  test('bad options: unknown key', () => {
    assert.equal(
      thrownBy('unknown key'),
      'leakwatch: unknown option "settle"; accepted options are enabled, settleMs, kinds, reportUnref, listeners, heap, maxHeapGrowthPerTest, maxHeapGrowthPerFile, ignore, ignoreReferences, baseline, onLeak',
    )
  })

  test('bad options: wrong types and values', () => {
    assert.equal(
      thrownBy('settleMs of the wrong type'),
      'leakwatch: option "settleMs" must be a number of milliseconds from 0 to 60000; got the string "x"',
    )
    assert.match(
      thrownBy('settleMs out of range'),
      /^leakwatch: option "settleMs" must be a number of milliseconds from 0 to 60000; got .*60001$/,
    )
    assert.equal(
      thrownBy('enabled of the wrong type'),
      'leakwatch: option "enabled" must be true or false; got the string "yes"',
    )
    assert.equal(
      thrownBy('onLeak not a mode'),
      'leakwatch: option "onLeak" must be one of "fail", "warn"; got the string "throw"',
    )
    assert.equal(thrownBy('options not an object'), 'leakwatch: configure() takes an options object; got null')
  })

  test('bad options: a kind name that does not exist', () => {
    for (const kind of ['TCP server', 'TCP socket', 'Timeout', 'Interval', 'Immediate', 'Child process']) {
      assert.ok(KINDS.includes(kind), `${kind} is not a kind`)
    }
    assert.equal(
      thrownBy('bad kind name in kinds'),
      `leakwatch: option "kinds[1]" must be one of the kinds ${KINDS.map((kind) => `"${kind}"`).join(', ')}; got the string "TCP Server"`,
    )
  })

  test('bad options: an ignore rule key that does not exist', () => {
    assert.equal(
      thrownBy('bad ignore rule key'),
      'leakwatch: unknown key "ignore[0].kinds"; an ignore rule accepts kind, createdBy, description, emitter, event, reason',
    )
  })

  test('bad options: reference patterns', () => {
    assert.equal(
      thrownBy('ignoreReferences not an array'),
      'leakwatch: option "ignoreReferences" must be an array of reference patterns { holder, edge, holderHas? }; got an object',
    )
    assert.equal(
      thrownBy('reference pattern without its edge'),
      'leakwatch: option "ignoreReferences[0].edge" must be a non-empty string (a name as retainer paths show it, * for any characters); got undefined',
    )
    assert.equal(
      thrownBy('reference pattern with an empty holder'),
      'leakwatch: option "ignoreReferences[0].holder" must be a non-empty string (a name as retainer paths show it, * for any characters); got the string ""',
    )
    assert.equal(
      thrownBy('reference pattern key that does not exist'),
      'leakwatch: unknown key "ignoreReferences[0].field"; a reference pattern accepts holder, edge, holderHas',
    )
    assert.equal(
      thrownBy('reference pattern not an object'),
      'leakwatch: option "ignoreReferences[0]" must be an object { holder, edge, holderHas? }; got the string "TestHook.fn"',
    )
  })

  test('bad options: a baseline file that does not exist', () => {
    assert.equal(
      thrownBy('missing baseline file'),
      'leakwatch: option "baseline" names the file /nonexistent/leakwatch-baseline.json, which cannot be read: ENOENT: no such file or directory, open \'/nonexistent/leakwatch-baseline.json\'',
    )
  })

  test('a rejected configure() changes nothing', () => {
    // { enabled: false, kinds: ['nope'] } threw on kinds: enabled stayed true, so the leak after it still fails.
    const name = 'rejected options leave the check on'
    assert.match(
      result('bad-options.test.js', name).meta.thrown?.message ?? '',
      /^leakwatch: option "kinds\[0\]" must be one of the kinds /,
    )
    assertLeaked('bad-options.test.js', name, {
      description: 'Timeout after 60000 ms',
      marker: '// leak:after-rejected',
    })
    for (const [key, value] of run.tests) {
      if (key.startsWith('bad-options.test.js > ') && key !== `bad-options.test.js > ${name}`) {
        assert.equal(value.status, 'passed', `${key}: ${value.message}`)
      }
    }
  })
})

describe('options with isolate off: one worker runs several files', () => {
  let noIsolate
  before(async () => {
    noIsolate = await runVitest(FIXTURE, {
      args: ['--config', path.join(FIXTURES, FIXTURE, 'vitest.no-isolate.config.mjs')],
    })
  })

  test("a file's configure() does not carry over to the next file in the same worker", () => {
    const order = noIsolate.report.testResults.map((file) => path.basename(file.name))
    assert.deepEqual(order.slice().sort().reverse(), ['kinds.test.js', 'defaults.test.js'])
    const get = (file, name) => noIsolate.tests.get(`${file} > ${name}`)
    assert.equal(get('kinds.test.js', 'interval leak outside the checked kinds')?.status, 'passed', noIsolate.output)
    assert.equal(get('defaults.test.js', 'interval leak with default options')?.status, 'failed', noIsolate.output)
    assert.equal(get('defaults.test.js', 'timeout leak with default options')?.status, 'failed', noIsolate.output)
  })
})
