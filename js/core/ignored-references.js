// References that do not make an object the test's leak, as LeakCanary's reference matchers: leakwatch's own, and
// each test runner's bookkeeping, which holds what a test made until the runner lets go of the file. The retainer-path
// search (src/heap/paths.rs) does not follow them, so an object reachable only through them has no path and is not
// reported; one that stays reachable without them is, with the path that holds it.
//
// A pattern names the holder and the reference as a retainer path shows them (checked on real heap snapshots under
// node:test on Node 20, vitest 4.1 and jest 30): the holder by the snapshot's name for it (a class for an instance,
// the function's name for a closure, `Context` for a closure's scope), the reference by its name (a property, a
// captured variable, `context` for a closure's scope), and a plain object, which has no class, also by another
// reference it has (`holderHas`). `*` stands for any run of characters. Every runner's patterns apply whichever runner
// runs: the names are the runners' own. A user adds patterns with `configure({ ignoreReferences: [...] })`.
//
// What this gives up: an object held only by something a runner keeps for the whole file is not reported, even when
// the program's own code put it there (an array in a describe callback that only the tests' closures capture; the
// file's heap growth still shows it). A module-level variable, a registry, a mock's recorded calls are held by the
// program and stay reported: a module's scope that only these references lead to still holds its variables (the
// search goes on from it, src/heap/paths.rs).

/** leakwatch's own classes: whatever they hold, they hold for a check (see each class), never for the program. */
const LEAKWATCH_CLASSES = [
  'LeakTracker',
  'AsyncResourceTracker',
  'ListenerTracker',
  'TestFileSession',
  'LeakScope',
  'BetweenFilesScope',
  'CreationRecord',
  'ResourceRecord',
  'ListenerRecord',
  'MaxListenersRecord',
  'CreationStacks',
  'WatchRegistry',
  'WatchedObject',
  'HeapSampler',
]

/**
 * @typedef {object} IgnoredReference
 * @property {string} holder the holder's name, `*` for any run of characters
 * @property {string} edge the reference's name, `*` for any run of characters
 * @property {string} [holderHas] another reference the holder has: a plain object's shape, since it has no class
 * @property {string} owner whose reference it is: `leakwatch`, `node`, `node:test`, `vitest`, `jest`
 * @property {string} reason why it does not make an object the test's leak
 */

/** @type {ReadonlyArray<Readonly<IgnoredReference>>} */
export const IGNORED_REFERENCES = Object.freeze(
  [
    ...LEAKWATCH_CLASSES.map((holder) => ({
      holder,
      edge: '*',
      owner: 'leakwatch',
      reason:
        'leakwatch never keeps what a test made beyond its check; the records and stacks a check reads sit on these ' +
        'objects, and a safety net must keep them off every path',
    })),
    {
      holder: 'Module',
      edge: 'children',
      owner: 'node',
      reason:
        "Node keeps every CommonJS module in its parent's `children` for the life of the process, also one loaded " +
        'again and dropped from require.cache (proxyquire, a fresh require per test): its stubs stay there. A module ' +
        'the program still uses is reached through require.cache, which is followed',
    },
    {
      holder: 'ServerHttp2Session',
      edge: '*',
      owner: 'node',
      reason:
        "Node keeps a server's HTTP/2 session until the timeout timer it was given (session.setTimeout: fastify's " +
        "http2SessionTimeout, 72 s) fires, also once the session and its server are closed: an unref'd timer of " +
        "Node's, bounded, that lets go by itself. What the session holds (its server, its listeners' closures) is " +
        "Node's to drop; a server left open is reported as the open handle it is",
    },
    // The JS object of a native handle (a socket's or server's `_handle`) and an HTTP parser in use: whatever they
    // hold, they hold until the handle closes or the parser is freed (with its socket: Node clears what it held).
    // Every reference of theirs, since their owner may sit in an internal property array.
    ...['TCP', 'Pipe', 'TLSWrap', 'HTTPParser'].map((holder) => ({
      holder,
      edge: '*',
      owner: 'node',
      reason:
        "a handle that is still open holds its socket or server (and an HTTP parser in use its connection's socket " +
        'and messages) until it closes: the open handle is the leak, reported as the resource it is, against the test ' +
        'that made it. A server its test closed that only its own open connections hold is that leak seen from the ' +
        'heap, not a retention of its own; one the program holds is reached through what the program holds',
    })),
    {
      holder: 'TestHook',
      edge: 'fn',
      owner: 'node:test',
      reason:
        't.after(() => app.close()), t.before, t.beforeEach, t.afterEach: node:test keeps every hook (in its ' +
        'testResources map, by async id, until the process ends), and each hook its function, whose closure holds ' +
        "the test's variables",
    },
    {
      holder: 'Test',
      edge: 'fn',
      owner: 'node:test',
      reason: "node:test keeps every test until the process ends, and each test its function (a subtest's closure)",
    },
    {
      holder: 'Suite',
      edge: 'fn',
      owner: 'node:test',
      reason: 'node:test keeps every describe() until the process ends, and each its function',
    },
    {
      holder: 'runWithTimeout',
      edge: 'context',
      owner: 'vitest',
      reason:
        "vitest keeps each test's and hook's function, wrapped for its timeout, until the file ends (a WeakMap by " +
        "task, and the suite's hooks): the closure of a test made in a loop, or a describe's hooks, holds what it " +
        'captured',
    },
    {
      holder: 'Context',
      holderHas: 'suite',
      edge: 'fn',
      owner: 'vitest',
      reason:
        "the innermost of vitest's wrappers (withFixtures: the scope of fn, options, suite) holds the test's or hook's " +
        "function; while the test runs, its signal's listener and the runner's pending calls reach that scope from " +
        'outside the timeout wrapper',
    },
    {
      holder: '*',
      edge: 'REGISTERED_MOCKS',
      owner: 'vitest',
      reason:
        'vitest registers every vi.fn()/vi.spyOn() of the file (for restoreAllMocks) until the file ends, as it keeps ' +
        "the tests: a describe's mock whose implementation captures the describe's server holds that one object. A " +
        "mock the program keeps (a module's, one whose recorded calls pile up) is reached through the program's " +
        'references, which are followed',
    },
    {
      holder: 'context',
      edge: '*',
      owner: 'vitest',
      reason:
        "vitest keeps each test's context (a function named context, on its task) until the file ends: what a " +
        'beforeEach put on it (ctx.server = ...) stays there',
    },
    {
      holder: 'Object',
      holderHas: 'seenDone',
      edge: 'fn',
      owner: 'jest',
      reason:
        'jest-circus keeps every test and hook entry (plain objects with fn, seenDone, ...) in its describe blocks ' +
        "until the file ends, and each entry its function: the closure of a test in a loop, or a describe's hooks, " +
        'holds what it captured',
    },
  ].map((entry) => Object.freeze(entry)),
)

/**
 * The patterns the path search skips: the built-in ones and the user's.
 * @param {ReadonlyArray<{ holder: string, edge: string, holderHas?: string }>} userPatterns `ignoreReferences`
 * @returns {Array<{ holder: string, edge: string, holderHas?: string }>}
 */
export function referencePatterns(userPatterns) {
  return [...IGNORED_REFERENCES, ...userPatterns].map(({ holder, edge, holderHas }) => ({ holder, edge, holderHas }))
}
