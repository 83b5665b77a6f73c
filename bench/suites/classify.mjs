// Reads a new failure's LeakError report (as it printed, the same text under every runner) into its leaks, and puts
// each leak in a class: a real leak from the curated list, or the kind of false failure the report suggests. The
// false-failure classes are guesses from the text, for the people fixing them to start from:
// - node-added listener: a listener Node added (no frame of the test's code on the stack, or inside a close() call
//   the test made), on an emitter that is closing or idle: §5 "Only what user code did".
// - runner references on retainer path: an object reported reachable through leakwatch's own objects or the test
//   runner's bookkeeping (its tasks, hooks and test functions' closures): §5 "References that are not the test's".
// - library by design: a dependency's behaviour that looks like a leak (LIBRARY_BY_DESIGN), or a leak created inside
//   a dependency (node_modules) with no sign of the test's own.
// - concurrent attribution: the report says tests ran concurrently, so the resource may be another test's.
// - unclassified: none of these; read it.

import { KNOWN_LEAKS } from './known-leaks.mjs'

export const CLASSES = Object.freeze({
  real: 'real leak',
  nodeListener: 'node-added listener',
  runnerPath: 'runner references on retainer path',
  library: 'library by design',
  concurrent: 'concurrent attribution',
  unclassified: 'unclassified',
  notLeakError: 'not a LeakError',
})

/** The report's first line: whose leak (a test, or a file's module level and file hooks) and what it left. */
const HEADER = /^(?:LeakError: )?(?:test "[\s\S]*?"|file \S+(?: \([^)]*\))?) left \d+ /

/**
 * Retainer-path steps that belong to leakwatch or to a runner, not to the code under test. The test function's own
 * closure is among them: the runner keeps every test function (and all it captured) until the file ends.
 */
const RUNNER_STEP = new RegExp(
  [
    'leakwatch',
    'LeakTracker',
    'LeakScope',
    'AsyncResourceTracker',
    'TestFileSession',
    // vitest: the worker state, the collected tasks, the hooks' and tests' wrappers
    '__vitest_\\w+__',
    'runWithTimeout',
    'runWithCancel',
    'defaultSuite',
    'global\\.(?:afterAll|afterEach|beforeAll|beforeEach|describe|suite|it|test)\\b',
    // node:test: its Test and Suite objects, their hooks and contexts
    '\\b(?:Test|Suite|TestContext|SuiteContext|TestHook)\\b(?: instance)?',
    'kHookFailure',
    'node:internal/test_runner',
    // jest-circus's state
    'jest-circus',
    'JEST_STATE_SYMBOL',
  ].join('|'),
)

/**
 * Dependencies' behaviour that looks like a leak and is not, as a report shows it. A guess for the bench's report;
 * leakwatch's own list (DESIGN §5 "Library behaviour") is what decides.
 */
const LIBRARY_BY_DESIGN = [
  {
    applies: (leak) =>
      /^listener for "(?:exit|beforeExit)" on process/.test(leak.description) && /\bpino\(/.test(leak.codeLine ?? ''),
    reason: "pino's on-exit-leak-free handler: one per process for every pino stream, each held by WeakRef",
  },
  {
    applies: (leak) => leak.kind === 'retained' && leak.retainerPath.includes('Module.children'),
    reason: "held by Node's module tree (Module.children): a module loaded again per test (proxyquire) stays there",
  },
]

/** A close() call adds Node's own listeners (its callback, and the socket's 'close' in HTTP/2's finishSessionClose). */
const CLOSE_CALL = /\.(?:close|end|destroy)\(/

/**
 * @typedef {object} ReportedLeak
 * @property {'listener' | 'retained' | 'resource'} kind
 * @property {number} count how many equal leaks the entry stands for
 * @property {string} description the leak's line, without its bullet and its count
 * @property {string | null} createdAt where it was created, as the report says it (`at <frame>`, or `by Node, ...`)
 * @property {string[]} calledFrom the frames under the creation site (`called from` and `↳` lines)
 * @property {string | null} codeLine the creation line's code, from the code frame
 * @property {string[]} retainerPath the path's references, from the root (`global.x`, `Object.tasks`, ...)
 * @property {string[]} pathNodes the path's objects, from the root
 * @property {string} text the leak's whole entry, without its count
 */

/**
 * @param {string} message a failure's message
 * @returns {{ header: string, leaks: ReportedLeak[] } | null} null when it is not a LeakError report
 */
export function parseLeakReport(message) {
  const lines = message.split('\n')
  const start = lines.findIndex((line) => HEADER.test(line))
  if (start < 0) return null
  const leaks = []
  let current = null
  for (const line of lines.slice(start + 1)) {
    if (/^ {2}● /.test(line)) {
      current = { head: line.slice(4).trim(), body: [] }
      leaks.push(current)
    } else if (/^ {2}\S/.test(line)) {
      // The Fix section (or anything else at the bullets' level) ends the leaks.
      current = null
    } else if (current) {
      current.body.push(line)
    }
  }
  return { header: lines[start].replace(/^LeakError: /, ''), leaks: leaks.map(readLeak) }
}

function readLeak({ head: fullHead, body }) {
  // `2 × listener for ...`: one entry for equal leaks.
  const [, count = '1', head] = /^(?:(\d+) × )?(.*)$/.exec(fullHead)
  const kind = /^listener for /.test(head)
    ? 'listener'
    : /still reachable after GC/.test(head)
      ? 'retained'
      : 'resource'
  const created = body.find((line) => /^\s+created (?:at|by) /.test(line))
  const codeLine = body.find((line) => /^\s+> \d+ \|/.test(line))
  const retainerPath = []
  const pathNodes = []
  for (const line of body) {
    const edge = /↓ (.*)$/.exec(line)
    if (edge) retainerPath.push(edge[1].replace(/\s+\(V8 internal reference\)$/, '').trim())
    const node = /(?:├─|╰→) (.*?)(?:\s+\(@\d+.*)?$/.exec(line)
    if (node) pathNodes.push(node[1].trim())
  }
  return {
    kind,
    count: Number(count),
    description: head.replace(/\s{2,}\(.*\)$/, ''),
    createdAt: created ? created.trim().replace(/^created /, '') : null,
    calledFrom: body.filter((line) => /^\s+(?:called from |↳ )/.test(line)).map((line) => line.trim()),
    codeLine: codeLine ? codeLine.replace(/^\s+> \d+ \|\s?/, '') : null,
    retainerPath,
    pathNodes,
    text: [head, ...body].join('\n'),
  }
}

/**
 * @param {{ suite: string, file: string, name: string, message: string }} failure
 * @returns {{ class: string, header: string, leaks: Array<ReportedLeak & { class: string, reason: string, known?: object }> }}
 */
export function classifyFailure(failure) {
  const report = parseLeakReport(failure.message)
  if (!report) {
    const firstLine = failure.message.split('\n').find((line) => line.trim() !== '') ?? '(no message)'
    return { class: CLASSES.notLeakError, header: firstLine.trim(), leaks: [] }
  }
  const leaks = report.leaks.map((leak) => ({ ...leak, ...classifyLeak(leak, failure, report.header) }))
  const classes = [...new Set(leaks.map((leak) => leak.class))]
  return { class: classes.length > 0 ? classes.join(' + ') : CLASSES.unclassified, header: report.header, leaks }
}

function classifyLeak(leak, { suite, file, name }, header) {
  const known = KNOWN_LEAKS.find(
    (entry) => entry.suite === suite && entry.file === file && matches(entry.test, name) && entry.match.test(leak.text),
  )
  if (known) return { class: CLASSES.real, reason: known.what, known: { what: known.what, why: known.why } }
  if (leak.kind === 'listener') {
    if (leak.createdAt?.startsWith('by Node')) {
      return { class: CLASSES.nodeListener, reason: "added with no frame of the test's code on the stack" }
    }
    if (leak.codeLine && CLOSE_CALL.test(leak.codeLine)) {
      return { class: CLASSES.nodeListener, reason: `added inside the test's close call: ${leak.codeLine.trim()}` }
    }
  }
  if (leak.kind === 'retained') {
    const runnerSteps = [...leak.retainerPath, ...leak.pathNodes].filter((step) => RUNNER_STEP.test(step))
    if (runnerSteps.length > 0) {
      return {
        class: CLASSES.runnerPath,
        reason: `path through ${[...new Set(runnerSteps.map(shortStep))].slice(0, 4).join(', ')}`,
      }
    }
  }
  const library = LIBRARY_BY_DESIGN.find((entry) => entry.applies(leak))
  if (library) return { class: CLASSES.library, reason: library.reason }
  if (leak.createdAt && /node_modules\//.test(leak.createdAt)) {
    return { class: CLASSES.library, reason: `created in a dependency: ${leak.createdAt}` }
  }
  if (/concurrent/i.test(header) || /concurrent/i.test(leak.text)) {
    return { class: CLASSES.concurrent, reason: 'the report says tests ran concurrently' }
  }
  return { class: CLASSES.unclassified, reason: unclassifiedHint(leak) }
}

/** What an unclassified leak's report shows at a glance, to start reading from. */
function unclassifiedHint(leak) {
  if (leak.kind === 'retained' && leak.retainerPath.length > 0)
    return `held at the end of: ${leak.retainerPath.slice(-4).map(shortStep).join(' → ')}`
  const timer = /^(Timeout|Interval|Immediate)\b(?: after| every)? ?(\d+ ms)?/.exec(leak.description)
  if (timer) return `a ${timer[1]}${timer[2] ? ` of ${timer[2]}` : ''} still pending at the test's end`
  return ''
}

/** A retainer-path step in a few words: heap-snapshot ids and V8's wording left out. */
export function shortStep(step) {
  return step
    .replace(/^.*part of key \((\S+) @\d+\) -> value \((\S+) @\d+\) pair in WeakMap.*$/, 'WeakMap[$1] → $2')
    .replace(/^closure scope \(the variables it captured\)$/, 'closure')
    .replace(/^Context \(internal\) previous$/, 'outer scope')
    .replace(/ @\d+/g, '')
}

function matches(pattern, name) {
  return typeof pattern === 'string' ? pattern === name : pattern.test(name)
}
