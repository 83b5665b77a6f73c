// Leaks the suites really have: judged by reading the failing test's code, one entry per leak, each saying what leaks
// and why it is real. A new failure whose leak matches an entry is a real leak; any other is a false failure (see
// classify.mjs). `test` is the test's full name (`describe > test`), or `(file)` for a file's module level and file
// hooks; `match` is tested against the leak's entry in the LeakError report (without its `N × ` count).

/**
 * @type {Array<{ suite: string, file: string, test: string | RegExp, match: RegExp, what: string, why: string }>}
 */
export const KNOWN_LEAKS = [
  {
    suite: 'node-server',
    file: 'test/server.test.ts',
    test: '(file)',
    match: /^TCP server listening on \[::\]:3000|^TCP socket \[[^\]]*\]:3000(?: and \d+ more)? -> /,
    what:
      "describe('serve')'s serve(app) (server.test.ts:1234) listens on port 3000 on every interface, with the " +
      'keep-alive connections it accepted',
    why:
      'It runs in the describe body and the describe has no afterAll: nothing closes it, the server listens until ' +
      'the worker exits.',
  },
  {
    suite: 'node-server',
    file: 'test/server-socket.test.ts',
    test: '(file)',
    match: /^TLS socket [\s\S]*server-socket\.test\.ts:760:/,
    what: "'autoCleanupIncoming: false > http2' beforeAll's HTTP/2 client (connectHTTP2, server-socket.test.ts:760)",
    why: 'Its afterAll closes the server only; the client session is never closed.',
  },
  {
    suite: 'node-server',
    file: 'test/server-socket.test.ts',
    // Reported by the test whose beforeEach opened it, or by the file when it is the last one (made in a session
    // callback after that test's check).
    test: /^(?:autoCleanupIncoming: true \(default\) > http2 > |\(file\)$)/,
    match: /^TLS socket [\s\S]*server-socket\.test\.ts:420:/,
    what: "'autoCleanupIncoming: true > http2' beforeEach's HTTP/2 client (connectHTTP2, server-socket.test.ts:420)",
    why:
      'Each beforeEach closes the previous client and connects a new one that outlives its test; afterAll closes ' +
      'the server only, so the last client is never closed.',
  },
  {
    suite: 'listhen',
    file: 'test/index.test.ts',
    test: /^listhen > /,
    match: /^listener for "(?:exit|SIGINT|SIGTERM|SIGHUP)" on process\b[\s\S]*src\/listen\.ts:31[4-7]:/,
    what: "listen()'s autoClose handlers: process.once('exit'|'SIGINT'|'SIGTERM'|'SIGHUP') (src/listen.ts:314-317)",
    why:
      "listen() adds the four per call and the listener's close() never removes them: they pile up on process " +
      '(listen() even sets process.setMaxListeners(0) to hide the warning) and each keeps its server reachable.',
  },
  {
    suite: 'listhen',
    file: 'test/index.test.ts',
    test: '(file)',
    match: /^Server instance[\s\S]*process\._events/,
    what: "the servers the tests closed, held by listen()'s process signal handlers",
    why:
      "The retainer path is process._events.SIGTERM → the handler's closure → server: the same leak as the " +
      'handlers themselves, seen from the heap.',
  },
  {
    suite: 'listhen',
    file: 'test/index.test.ts',
    test: 'listhen > https > listen (https - PCKS#12/pfx/p12 - with store passphrase)',
    match: /^TCP server listening on /,
    what: "the test's listener (index.test.ts:116), never closed",
    why:
      "`const listener = await listen(...)` shadows the describe's `listener`, so the afterEach that closes " +
      '`listener` never sees this one: the server listens until the worker exits.',
  },
  {
    suite: 'fastify',
    file: 'test/hooks.test.js',
    test: /^onRequestAbort should (?:support encapsulation|handle (?:async )?errors \/ [12])$/,
    match: /^Timeout after 1000 ms[\s\S]*await sleep\(1000\)/,
    what: "the route handler's `await sleep(1000)`, still pending when the test ends",
    why:
      'The client destroys its socket after 500 ms and the test ends once onRequestAbort has run; the handler ' +
      'sleeps on and returns to an aborted request after the test. Short-lived (it fires about 0.5 s later), but ' +
      'the test leaves its handler running.',
  },
  {
    suite: 'fastify',
    file: 'test/issue-4959.test.js',
    test: 'should handle a socket error',
    match: /^Timeout after 200 ms[\s\S]*setTimeout\(resolve, 200\)/,
    what: "Promise.race's 200 ms fallback timer (issue-4959.test.js:45), which loses the race",
    why: 'When waitBeforeDestroy wins, nothing clears the fallback setTimeout: it stays pending after the test.',
  },
  {
    suite: 'fastify',
    file: 'test/internals/reply.test.js',
    test: /^within an instance > redirect (?:with async function )?to `\/` - \d+$/,
    match: /^TCP socket [\s\S]*http\.get\(/,
    what: "http.get()'s client socket: the (t, done) redirect subtests never read or destroy the response",
    why:
      'An unread response keeps its socket busy, so the agent cannot free it: it stays open until the parent ' +
      "test's t.after closes fastify. The subtests that use fetch() and read the body leave nothing.",
  },
]
