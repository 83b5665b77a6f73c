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
  {
    suite: 'httpxy',
    file: 'test/fetch.test.ts',
    test: 'proxyFetch > TCP (host + port) > handles 204 no content',
    match: /^TCP socket [\s\S]*src\/fetch\.ts:327:/,
    what: "proxyFetch()'s keep-alive socket (src/fetch.ts:327), left busy by the unread 204 response",
    why:
      'For a 204 or 304, proxyFetch() returns a Response with a null body (src/fetch.ts:207) and never reads or ' +
      'dumps the IncomingMessage: its end never comes, so the agent never frees the socket, which stays busy and ' +
      "ref'd until the file's afterAll closes the server. The fix belongs in httpxy (res.resume() when there is no body).",
  },
  {
    suite: 'httpxy',
    file: 'test/index.test.ts',
    test: 'httpxy > works',
    match: /^(?:TCP server listening on 127\.0\.0\.1:|TCP socket )[\s\S]*test\/index\.test\.ts:(?:52|64):/,
    what: 'the two servers makeProxy() starts in the test (index.test.ts:52, 64), with the connections they accepted',
    why:
      "The test makes them itself, not in a beforeAll, and leaves them open for the next test; the describe's " +
      'afterAll closes them. They are open past the test that made them, which is what fails a test; made in a ' +
      "beforeAll they would be the file's.",
  },
  {
    suite: 'srvx',
    file: 'test/node-streams.test.ts',
    test: /^node response stream error handling > /,
    match: /^Timeout after (?:500|3000) ms[\s\S]*setTimeout\(\(\) => r\((?:false|"hung")\), (?:500|3000)\)/,
    what: "Promise.race's fallback timer (node-streams.test.ts:41, 103, 140, 178, 293), which loses the race",
    why:
      'When the awaited outcome wins, nothing clears the fallback setTimeout: it stays pending 0.5 or 3 s after ' +
      "the test (as fastify's issue-4959 test's).",
  },
  {
    suite: 'httpxy',
    file: 'test/middleware/web-incoming.test.ts',
    test: /^(?:#createProxyServer\.web\(\) using own http server|#req\.socket undefined) > /,
    match: /^TCP socket /,
    what:
      "the connections of the test's request to its proxy, and of the proxy's request to the test's source, left " +
      'open mid-request (web-incoming.test.ts:279-732)',
    why:
      'The sources never end their response (`function (req, res) { source.close(); ...; resolve() }`), the error ' +
      'handlers resolve without res.end(), and `http.request(url, () => {})` never reads the response; the tests ' +
      'close the listening servers only, and server.close() keeps the connections it has: they stay open after the test.',
  },
  {
    suite: 'httpxy',
    file: 'test/http-proxy.test.ts',
    test: /^http-proxy > /,
    match: /^(?:TCP socket |TCP server listening on 127\.0\.0\.1:|Timeout after 500 ms[\s\S]*socket\.destroy\(\), 500)/,
    what:
      'connections left mid-request (a source that never answers, an error handler that never ends the response, ' +
      "a response never read), the upgrade test's server never closed (http-proxy.test.ts:596), and the 500 ms " +
      "timer of issue #79's upgrade handler (line 890)",
    why:
      'The tests close the listening servers (or the proxy) only, and a server keeps the connections it has; ' +
      "'should close client socket if upstream is closed before upgrade' never closes `server`; the hanging " +
      "backend's setTimeout(() => socket.destroy(), 500) is still pending when the test ends.",
  },
  {
    suite: 'httpxy',
    file: 'test/http-proxy.test.ts',
    test: '(file)',
    match: /^Server instance \(a server its test closed\)[\s\S]*Manager\.nsps/,
    what: "the servers of the two socket.io tests (http-proxy.test.ts:651, 691), held by socket.io-client's cache of Managers",
    why:
      "io(url) caches a Manager per URL in the module's `cache` and never drops it (no forceNew): each socket.io " +
      "test's new port adds one, whose connect listener's closure holds the test's server. The fix belongs in the " +
      'tests (forceNew: true) or socket.io-client (evict a closed Manager).',
  },
  {
    suite: 'httpxy',
    file: 'test/https-proxy.test.ts',
    test: 'lib/http-proxy.js > HTTPS #createProxyServer > HTTPS not allow SSL self signed > should fail with error',
    match: /^TCP socket /,
    what: "the test's request to its proxy (https-proxy.test.ts:199), left open",
    why: "The proxy's error handler closes the servers and resolves without ending the response: the client's connection stays open.",
  },
  {
    suite: 'httpxy',
    file: 'test/ws.test.ts',
    test: 'proxyUpgrade > should forward non-empty head buffer to upstream',
    match: /^TCP socket [\s\S]*ws\.test\.ts:477:/,
    what: "the test's raw client socket (ws.test.ts:477), ended but never destroyed",
    why: 'sock.end() only half-closes it: it waits for the proxy side to end, which the test never makes happen.',
  },
  {
    suite: 'httpxy',
    file: 'test/ws.test.ts',
    test: 'proxyUpgrade > disconnect scenarios > client socket error before upgrade rejects and destroys proxy request',
    match: /^TCP socket [\s\S]*ws\.test\.ts:57:/,
    what: 'the upgrade socket the test\'s target server accepted and hangs on ("Intentionally hang")',
    why:
      'The target never answers nor destroys the upgraded socket, which Node leaves to the handler: it stays ' +
      "half-open after the proxy's side goes; targetServer.close() keeps it.",
  },
  {
    suite: 'srvx',
    file: 'test/node-adapters.test.ts',
    test: /^fetchNodeHandler > (?:node|express|fastify) > through srvx\/node$/,
    match: /^(?:TCP server listening on \[::\]:|TCP socket \[::1\]:)[\s\S]*node-adapters\.test\.ts:57:/,
    what: "the 'through srvx/node' caller's serve({ port: 0 }) (node-adapters.test.ts:57), with its connection",
    why: 'The helper starts a server per call and nothing closes it: it listens on every interface until the worker exits.',
  },
  {
    suite: 'srvx',
    file: 'test/node-adapters.test.ts',
    test: /^(?:adapters|request signal|node body crash regressions) > /,
    match: /^Timeout after (?:1000|2000|3000) ms[\s\S]*setTimeout\(\(\) => (?:reject|resolve|r)\(/,
    what:
      "Promise.race's fallback timers (node-adapters.test.ts:217, 240, 276, 319, 558, 655, 933, 1229, 1259), " +
      'which lose the race',
    why: 'When the awaited outcome wins, nothing clears the fallback setTimeout: it stays pending 1-3 s after the test.',
  },
  {
    suite: 'srvx',
    file: 'test/node-client-disconnect.test.ts',
    test: /^(?:node|http2) client disconnect before a body read \(#293\) > /,
    match: /^Timeout after 3000 ms[\s\S]*timedOut: true/,
    what: "Promise.race's 3 s fallback timer (node-client-disconnect.test.ts:68, 155, 230), which loses the race",
    why: 'When the read settles first, nothing clears the fallback setTimeout: it stays pending 3 s after the test.',
  },
  {
    suite: 'srvx',
    file: 'test/node.test.ts',
    test: /^node \((?:http1|http2)(?:, FastResponse)?\) > cancel reading body$/,
    match: /^Timeout after 20 ms[\s\S]*_tests\.ts:176:/,
    what: "the pull of the test's endless request body (_tests.ts:176), still pulled after the test",
    why:
      'The body is a ReadableStream whose pull sleeps 20 ms and enqueues forever; the client keeps sending it after ' +
      'the response (the server cancels its reader, the stream stays open), and the test never ' +
      'aborts the fetch: each pull makes the next timer, past the settle window and the test.',
  },
]
