// Names with a lone surrogate (`test('job\udfff')`, `process.on('job\udfff')`): a JS string can hold one, UTF-8
// cannot. The leak is still reported, by vitest, by leakwatch's reporter and through `leakwatch merge`; what the
// native side writes shows U+FFFD (`job�`) in its place, what JS keeps (the test's name) keeps it as it is.

import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { loadNative } from '../js/native.js'
import { fixtureAssertions, lineOf, plain, REPO_ROOT, runVitest } from './helpers/run-vitest.mjs'

const FIXTURE = 'lone-surrogate'
const FILE = 'titles.test.js'
const LEAKY = 'job\udfff leaks a listener and an interval'
const CLEAN = 'job\udfff cleans up'
// The native side's text: Rust strings are UTF-8, so the lone surrogate arrives as U+FFFD.
const SHOWN = (text) => text.toWellFormed()

const outDir = mkdtempSync(path.join(tmpdir(), 'leakwatch-lone-surrogate-'))
const reportFile = path.join(outDir, 'report.json')
let run
const { result, assertPassed } = fixtureAssertions(FIXTURE, () => run)

after(() => rmSync(outDir, { recursive: true, force: true }))

function leakwatchCli(args) {
  const cli = path.join(REPO_ROOT, 'js', 'cli.js')
  const child = spawnSync(process.execPath, [cli, ...args], {
    cwd: outDir,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
  })
  return { status: child.status, stdout: plain(child.stdout), stderr: plain(child.stderr) }
}

// The smallest snapshot the parser accepts: one node, no edges.
const TINY_SNAPSHOT = JSON.stringify({
  snapshot: {
    meta: {
      node_fields: ['type', 'name', 'id', 'self_size', 'edge_count'],
      node_types: [['synthetic']],
      edge_fields: ['type', 'name_or_index', 'to_node'],
      edge_types: [['element']],
    },
    node_count: 1,
    edge_count: 0,
  },
  nodes: [0, 0, 1, 0, 0],
  edges: [],
  strings: [''],
})

test('every JSON input of the native side takes a lone surrogate: the leak check, the report, the heap options', async () => {
  const native = await loadNative()
  const leaks = JSON.parse(native.analyzeOpenResources(JSON.stringify({ root: '/tmp/job\udfff', resources: [] })))
  assert.deepEqual(leaks, [])
  const text = native.renderLeakReport(JSON.stringify({ subject: 'test "job\udfff"', leaks: [] }))
  assert.ok(text.includes(`test "${SHOWN('job\udfff')}"`), text)
  const parser = new native.HeapSnapshotParser()
  parser.push(Buffer.from(TINY_SNAPSHOT))
  const analysis = JSON.parse(parser.finish(JSON.stringify({ find: ['job\udfff'] })))
  assert.equal(analysis.matches[0].query, SHOWN('job\udfff'))
})

describe('a lone surrogate in a test title and an event name', () => {
  before(async () => {
    run = await runVitest(FIXTURE, {
      args: ['--reporter=leakwatch/reporter'],
      env: { LEAKWATCH_REPORT_JSON: reportFile },
      timeoutMs: 90_000,
    })
  })

  test('the leaking test fails with a LeakError naming the listener and the interval', () => {
    const { status, message } = result(FILE, LEAKY)
    assert.equal(status, 'failed')
    assert.doesNotMatch(message, /is not valid/)
    assert.ok(
      message.includes(`LeakError: test "${SHOWN(LEAKY)}" left 1 resource open and 1 listener attached`),
      message,
    )
    assert.ok(message.includes(`● listener for "${SHOWN('job\udfff')}" on process`), message)
    assert.ok(message.includes('● Interval every 60000 ms'), message)
    assert.ok(message.includes(`created at ${FILE}:${lineOf(FIXTURE, FILE, '// leak:listener')}:`), message)
    assert.ok(message.includes(`created at ${FILE}:${lineOf(FIXTURE, FILE, '// leak:interval')}:`), message)
  })

  test('the clean test passes', () => {
    assertPassed(FILE, CLEAN)
  })

  test("the reporter's JSON keeps the title and agrees with vitest's counts", () => {
    const report = JSON.parse(readFileSync(reportFile, 'utf8'))
    assert.equal(report.totals.tests, 2)
    assert.equal(report.totals.testsFailedByLeaks, 1)
    const [file] = report.files
    const leaky = file.tests.find((entry) => entry.name === LEAKY)
    assert.ok(
      leaky,
      `no record named ${JSON.stringify(LEAKY)}: ${JSON.stringify(file.tests.map((entry) => entry.name))}`,
    )
    assert.equal(leaky.failedByLeaks, true)
    assert.deepEqual(leaky.leaks.map((leak) => leak.kind).sort(), ['Interval', 'Listener'])
    assert.equal(leaky.leaks.find((leak) => leak.kind === 'Listener').event, SHOWN('job\udfff'))
    assert.equal(file.tests.find((entry) => entry.name === CLEAN)?.state, 'pass')
    assert.match(run.output, /leakwatch {2}1 test failed by leaks/)
  })

  test('leakwatch merge reads that report back, title and leaks included', () => {
    const merged = path.join(outDir, 'merged.json')
    const { status, stdout, stderr } = leakwatchCli(['merge', reportFile, '-o', merged])
    assert.equal(stderr, '')
    assert.equal(status, 1, stdout)
    assert.match(stdout, /leakwatch: merged 1 report \(2 tests in 1 files?\)/)
    const report = JSON.parse(readFileSync(merged, 'utf8'))
    const leaky = report.files[0].tests.find((entry) => entry.name === LEAKY)
    assert.equal(leaky?.leaks.length, 2)
    assert.equal(report.totals.testsFailedByLeaks, 1)
  })
})
