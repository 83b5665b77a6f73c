// The public suites the real-suite benchmark runs (issue 11), each pinned at one commit: the only place the pins live.
//
// The code comes from a snapshot the caller names (`--suite name=<git dir>[@commit]`); nothing here is fetched. Each
// entry says how the suite's own tests run, as its package.json and config say, and what the bench changes for it:
// - `install`: npm's arguments in the extracted tree. The pnpm projects are installed by npm, with no lockfile of
//   npm's: `--legacy-peer-deps` stands for pnpm's lenient peer resolution (npm refuses listhen's typescript 6 against
//   unbuild's optional peer `^5.9.2`).
// - `skip`: test files this machine cannot run (a service it lacks), each with its reason. None so far.

/**
 * @typedef {object} SuiteSpec
 * @property {string} repo GitHub owner/name
 * @property {string} commit the pinned commit
 * @property {string} [tag] the release tag the commit is, when it is one
 * @property {'vitest' | 'node-test'} runner
 * @property {string} testCommand the suite's own command, as its package.json has it
 * @property {string} how what the bench runs instead of `testCommand`, and why
 * @property {string} [config] vitest: the suite's config file, which the bench's wrapper configs import
 * @property {string[]} [testDirs] node-test: the folders whose test files run
 * @property {RegExp} [testFile] node-test: which files in `testDirs` are test files
 * @property {string[]} [nodeArgs] node-test: Node's arguments besides `--test` and `--import`
 * @property {string[]} install npm's arguments for installing the suite's dependencies
 * @property {Array<{ file: string, reason: string }>} skip
 */

/** @type {Record<string, SuiteSpec>} */
export const SUITES = {
  'node-server': {
    repo: 'honojs/node-server',
    // main, 2026-07-21: "test: replace supertest (#379)"
    commit: '3b1dd6875812e0b5aee43ec3fac66c191fd6251f',
    runner: 'vitest',
    testCommand: 'vitest (pnpm run test --run)',
    how: 'vitest run with its vitest.config.ts',
    config: 'vitest.config.ts',
    install: ['--legacy-peer-deps'],
    skip: [],
  },
  fastify: {
    repo: 'fastify/fastify',
    tag: 'v5.7.4',
    commit: '4682a78381fcb7b9c382cc734295cfc926e581e4',
    runner: 'node-test',
    testCommand: 'borp (npm run unit)',
    // borp runs node:test's run() in its own process; `--import` given to borp would load leakwatch/node-test there
    // too, in a process that is not a test file (leakwatch tells the runner's process by `--test` in its execArgv).
    // So the bench runs the same files with `node --test` and borp's settings for this machine.
    how:
      "node --test over .borp.yaml's files (test/**/*.test.{js,mjs}) with borp's defaults: --test-concurrency=" +
      'availableParallelism - 1, --test-timeout=30000',
    testDirs: ['test'],
    testFile: /\.test\.m?js$/,
    nodeArgs: ['--test-timeout=30000'],
    install: [],
    skip: [],
  },
  listhen: {
    repo: 'unjs/listhen',
    // main, 2026-07-20: "chore(release): v1.10.1"
    commit: '2466b698997f6d5006c22f36ab54379df277cf5f',
    runner: 'vitest',
    testCommand: 'pnpm lint && vitest run --coverage',
    how: 'vitest run with its vitest.config.ts, without lint and coverage (they measure code, not behaviour)',
    config: 'vitest.config.ts',
    install: ['--legacy-peer-deps'],
    skip: [],
  },
  httpxy: {
    repo: 'unjs/httpxy',
    // main, 2026-07-15: "chore(deps): update all non-major dependencies (#159)"
    commit: '9830603d7a69ea5f825bb8eaaad6f7e612471241',
    runner: 'vitest',
    testCommand: 'pnpm lint && pnpm typecheck && vitest run --coverage',
    how: 'vitest run with its vitest.config.mjs, without lint, typecheck and coverage (they measure code, not behaviour)',
    config: 'vitest.config.mjs',
    install: ['--legacy-peer-deps'],
    skip: [],
  },
  srvx: {
    repo: 'h3js/srvx',
    // main, 2026-08-20: "chore(release): v0.12.7"
    commit: '053be62e5e9e1f1966ab8592f1254ac40ac00317',
    runner: 'vitest',
    testCommand: 'pnpm lint && pnpm typecheck && vitest run --coverage',
    how: 'vitest run with its vitest.config.mjs, without lint, typecheck and coverage (they measure code, not behaviour)',
    config: 'vitest.config.mjs',
    install: ['--legacy-peer-deps'],
    skip: [],
  },
}
