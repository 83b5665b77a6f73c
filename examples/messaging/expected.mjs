// What leakwatch must report for the messaging example: shared by `npm run example` and leakwatch's own tests, so
// the example can never rot. Lines are found by the text on them, not hard-coded.

import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('.', import.meta.url))

/** The 1-based line of the first line of `file` (relative to the example) containing `text`. */
export function lineOf(file, text) {
  const index = readFileSync(`${root}${file}`, 'utf8').split('\n').findIndex((line) => line.includes(text))
  if (index < 0) throw new Error(`"${text}" not found in examples/messaging/${file}`)
  return index + 1
}

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** `created at ... (file:line:` or `created at file:line:` for the line of `text` in `file`. */
function createdAt(file, text) {
  return new RegExp(`created at (?:\\S+ \\()?${escape(file)}:${lineOf(file, text)}:\\d+`)
}

const serverLeaks = (testFile) => ({
  heading: 'left 4 resources open',
  resources: [
    /● TCP server listening on 127\.0\.0\.1:\d+/,
    // Two sockets from one place: their local ports as a range.
    /● 2 × TCP socket 127\.0\.0\.1:\d+(?:–\d+)? -> 127\.0\.0\.1:\d+ .*\n\s+created inside ioredis/,
    /● Interval every 30000 ms/,
  ],
  sites: [
    ['src/ws-hub.ts', 'this.heartbeat = setInterval('],
    [testFile, 'await server.start()'],
  ],
})

/** Test (file > name) → what its LeakError must say. */
export const EXPECTED_LEAKS = {
  'test/leaky/mocked-close.test.ts > stop() with app.close() mocked': serverLeaks('test/leaky/mocked-close.test.ts'),
  'test/leaky/error-path.test.ts > a failed send skips stop()': serverLeaks('test/leaky/error-path.test.ts'),
  'test/leaky/sigterm.test.ts > graceful shutdown installed, never uninstalled': {
    heading: 'left 1 listener attached',
    resources: [/● listener for "SIGTERM" on process/],
    sites: [['src/main.ts', "process.on('SIGTERM', onSigterm)"]],
  },
  'test/leaky/reconnect.test.ts > a client left reconnecting to a dead Redis': {
    heading: 'left 1 resource open',
    resources: [/● Timeout after 1000 ms .*\n\s+created inside ioredis/],
    sites: [],
  },
}

/** The patterns a leak's message must match. */
export function expectedPatterns({ heading, resources, sites }) {
  return [new RegExp(escape(heading)), ...resources, ...sites.map(([file, text]) => createdAt(file, text))]
}

const ROUTES = ['accepts a message send request', 'returns a stored message', 'answers 404 for an unknown message', 'reports health', 'exposes metrics']

/**
 * Files that fail when they end: the route tests of cause 2 close everything, but a mock keeps every closed server
 * (and its Redis sockets) reachable. File → what its error must say.
 */
export const EXPECTED_FILE_FAILURES = {
  'test/leaky/routes.test.ts': [
    /^file test\/leaky\/routes\.test\.ts left 10 objects still reachable/,
    /● 10 × Socket instance \(a socket its test closed\) still reachable after GC/,
    /10 servers and sockets the tests closed are still reachable after GC \(tests: "message routes > accepts a message send request", /,
    // The mock's recorded calls are what holds them, not vitest's bookkeeping.
    /↓ closure\.mock\n[^\n]*\^ a vi\.fn\(\)\/vi\.spyOn\(\) mock[\s\S]*↓ Object\.calls/,
  ],
}

/** Leaky-suite tests that close everything they open: the route tests of cause 2 (their file fails, above). */
export const EXPECTED_LEAKY_PASSES = ROUTES.map((name) => `test/leaky/routes.test.ts > message routes ${name}`)

export const EXPECTED_FIXED_PASSES = [
  'test/fixed/mocked-close.test.ts > stop() with app.close() spied on',
  'test/fixed/error-path.test.ts > a failed send still stops the server',
  'test/fixed/sigterm.test.ts > graceful shutdown installed and uninstalled',
  'test/fixed/reconnect.test.ts > a reconnecting client disconnected at the end',
  ...ROUTES.map((name) => `test/fixed/routes.test.ts > message routes, one server per file ${name}`),
]
