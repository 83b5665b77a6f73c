// Creation sites through library callbacks, with real clients of real servers (redis-server and PostgreSQL from
// Debian's packages, an HTTP and a WebSocket server): a client a test leaves open is reported at the line of the
// test's own code that made it, never inside node_modules, with the library named; ioredis opens its socket in a
// process.nextTick callback, connect-later two callbacks later. Each LeakError's one stack frame is that line: vitest
// shows its code there, and its github-actions reporter annotates it.

import assert from 'node:assert/strict'
import path from 'node:path'
import { before, describe, test } from 'node:test'
import { FIXTURES, fixtureAssertions, lineOf, runVitest } from './helpers/run-vitest.mjs'

const FIXTURE = 'deferred-sites'
const FILE = 'clients.test.js'

/**
 * Each leaky test: its leaks (description, site file, marker), and how the report names the library. Each has a
 * twin that closes its client and must pass.
 */
const CASES = [
  {
    name: 'ioredis client left open',
    clean: 'ioredis client quit',
    leaks: [
      {
        description: /● TCP socket 127\.0\.0\.1:\d+ -> 127\.0\.0\.1:\d+/,
        file: 'redis-client.js',
        marker: '// site:ioredis',
      },
    ],
    library: /\(made by ioredis in a process\.nextTick callback scheduled there\)/,
    caller: '// caller:ioredis',
  },
  {
    name: 'pg Pool left open',
    clean: 'pg Pool ended',
    leaks: [
      { description: /● TCP socket 127\.0\.0\.1:\d+ -> 127\.0\.0\.1:\d+/, file: FILE, marker: '// site:pg' },
      // pg-pool's idle timer, set in a callback of the socket it opened.
      { description: /● Timeout after 10000 ms/, file: FILE, marker: '// site:pg' },
    ],
    library:
      /made inside pg-pool, by BoundPool\.query \([^)]*node_modules\/pg-pool\/index\.js:\d+:\d+\); the line above[\s\S]*\(made by pg-pool in a callback of the TCP socket created there\)/,
  },
  {
    name: 'undici Pool left with a response streaming',
    clean: 'undici Pool destroyed',
    leaks: [{ description: /● TCP socket 127\.0\.0\.1:\d+ -> 127\.0\.0\.1:\d+/, file: FILE, marker: '// site:undici' }],
    library: /made inside undici, by Pool\.request \(/,
  },
  {
    name: 'ws client left open',
    clean: 'ws client closed',
    leaks: [{ description: /● TCP socket 127\.0\.0\.1:\d+ -> 127\.0\.0\.1:\d+/, file: FILE, marker: '// site:ws' }],
    library: /made inside ws, by new WebSocket \(/,
  },
  {
    name: 'connect-later client left open',
    clean: 'connect-later client closed',
    leaks: [
      { description: /● TCP socket 127\.0\.0\.1:\d+ -> 127\.0\.0\.1:\d+/, file: FILE, marker: '// site:connect-later' },
    ],
    library: /\(made by connect-later in a setImmediate callback, from a process\.nextTick callback scheduled there\)/,
  },
]

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

describe('creation sites of clients that open their sockets in library callbacks', () => {
  /** @type {Awaited<ReturnType<typeof runVitest>>} */
  let run
  const { result, assertPassed } = fixtureAssertions(FIXTURE, () => run)

  before(async () => {
    run = await runVitest(FIXTURE, {
      args: ['--reporter=github-actions'],
      env: { GITHUB_ACTIONS: 'true' },
      timeoutMs: 120_000,
    })
  })

  for (const { name, clean, leaks, library, caller } of CASES) {
    test(`${name}: each leak at the fixture's line that made it, the library named; ${clean} passes`, () => {
      const { status, message } = result(FILE, name)
      assert.equal(status, 'failed', message)
      assert.match(
        message,
        new RegExp(`^LeakError: test "${escape(name)}" left ${leaks.length} resources? open`),
        message,
      )
      for (const { description, file, marker } of leaks) {
        const site = new RegExp(
          `${description.source}  \\(keeps the process alive\\)\\n\\s+created at (?:\\S+ \\()?${escape(file)}:${lineOf(FIXTURE, file, marker)}:\\d+`,
        )
        assert.match(message, site, message)
      }
      assert.doesNotMatch(message, /created at [^\n]*node_modules/, message)
      assert.doesNotMatch(message, /no frame of your code/, message)
      assert.match(message, library, message)
      if (caller)
        assert.match(message, new RegExp(`called from ${escape(FILE)}:${lineOf(FIXTURE, FILE, caller)}:\\d+`), message)
      // The JSON the reporter receives has the same sites.
      const sites = result(FILE, name).meta.leakwatch.leaks.map((leak) => `${leak.site?.file}:${leak.site?.line}`)
      assert.deepEqual(
        sites,
        leaks.map(({ file, marker }) => `${file}:${lineOf(FIXTURE, file, marker)}`),
      )
      assertPassed(FILE, clean)
    })
  }

  test("the LeakError's frame is the creating line: vitest's code frame and its github-actions annotation are there", () => {
    for (const { name, leaks } of CASES) {
      const [{ file, marker }] = leaks
      const line = lineOf(FIXTURE, file, marker)
      const absolute = path.join(FIXTURES, FIXTURE, file)
      // vitest escapes ':' and ',' in a property: the title is "clients.test.js > <name>".
      const title = `${FILE} > ${name}`.replace(/%/g, '%25').replace(/:/g, '%3A').replace(/,/g, '%2C')
      const annotation = run.output
        .split('\n')
        .find((text) => text.startsWith('::error ') && text.includes(`title=${title},`))
      assert.ok(annotation, `no ::error annotation for "${name}" in:\n${run.output}`)
      assert.match(
        annotation,
        new RegExp(
          `^::error file=${escape(absolute)},title=${escape(title)},line=${line},column=\\d+::LeakError: test "${escape(name)}"`,
        ),
      )
      // The code frame vitest prints under the report: the creating line (cut at the terminal's width).
      assert.match(
        run.output,
        new RegExp(`❯ (?:\\S+ )?${escape(file)}:${line}:\\d+\\n(?:.*\\n){0,4}\\s*${line}\\| `),
        name,
      )
    }
  })
})
