// leakwatch on a vitest below its peer range, as a user meets it: npm refuses the install (ERESOLVE, naming the range),
// and once forced (--legacy-peer-deps), leakwatch/vitest stops the run with an error naming the vitest it found and
// the minimum. A fresh project with leakwatch packed as npm packs it and a real vitest 3.

import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, test } from 'node:test'
import { plain, REPO_ROOT } from './helpers/run-vitest.mjs'

const OLD_VITEST = '3.2.4'
/** vitest 3's own dependency, pinned so that the project is the same every run. */
const OLD_VITE = '7.3.8'
const MANIFEST = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'))
const MINIMUM = /\d+\.\d+\.\d+/.exec(MANIFEST.peerDependencies.vitest)[0]

// npm's settings from an enclosing `npm test` would point the inner npm at this repository; the cache and registry
// are the machine's and are kept.
const KEPT_NPM_SETTINGS = new Set(['npm_config_cache', 'npm_config_registry', 'npm_config_userconfig'])
const ENV = Object.fromEntries(
  Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key) || KEPT_NPM_SETTINGS.has(key.toLowerCase())),
)
delete ENV.NODE_OPTIONS
delete ENV.NODE_TEST_CONTEXT
Object.assign(ENV, { CI: 'true', FORCE_COLOR: '0', NO_COLOR: '1' })

let work
let project

function run(command, args, cwd) {
  const result = spawnSync(command, args, { cwd, env: ENV, encoding: 'utf8', timeout: 300_000, maxBuffer: 64 << 20 })
  assert.equal(result.error, undefined, `${command} ${args.join(' ')} did not run: ${result.error?.message}`)
  return { status: result.status, output: plain(`${result.stdout}${result.stderr}`) }
}

before(() => {
  work = fs.mkdtempSync(path.join(tmpdir(), 'leakwatch-old-vitest-'))
  project = path.join(work, 'project')
  fs.mkdirSync(project)
  const pack = run(
    'npm',
    ['pack', '--json', '--ignore-scripts', '--loglevel=error', '--pack-destination', work],
    REPO_ROOT,
  )
  assert.equal(pack.status, 0, pack.output)
  const [{ filename }] = JSON.parse(pack.output.slice(pack.output.indexOf('[')))
  const manifest = {
    name: 'leakwatch-old-vitest',
    private: true,
    type: 'module',
    devDependencies: { leakwatch: `file:${path.join(work, filename)}`, vitest: OLD_VITEST, vite: OLD_VITE },
  }
  fs.writeFileSync(path.join(project, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`)
  fs.writeFileSync(
    path.join(project, 'vitest.config.js'),
    "import { defineConfig } from 'vitest/config'\nexport default defineConfig({ test: { setupFiles: ['leakwatch/vitest'] } })\n",
  )
  fs.writeFileSync(
    path.join(project, 'sum.test.js'),
    "import { expect, test } from 'vitest'\ntest('sums', () => expect(1 + 1).toBe(2))\n",
  )
})

after(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true })
})

test(`vitest ${OLD_VITEST}: npm refuses the install, naming leakwatch's peer range`, () => {
  const install = run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], project)
  assert.notEqual(install.status, 0, install.output)
  assert.match(install.output, /ERESOLVE/)
  assert.ok(
    install.output.includes(
      `peerOptional vitest@"${MANIFEST.peerDependencies.vitest}" from leakwatch@${MANIFEST.version}`,
    ),
    install.output,
  )
})

test(`vitest ${OLD_VITEST}, installed anyway: leakwatch/vitest names the vitest it found and the minimum`, () => {
  const install = run(
    'npm',
    ['install', '--legacy-peer-deps', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'],
    project,
  )
  assert.equal(install.status, 0, install.output)
  const result = run(process.execPath, [path.join(project, 'node_modules', 'vitest', 'vitest.mjs'), 'run'], project)
  assert.notEqual(result.status, 0, result.output)
  const message =
    `leakwatch/vitest needs vitest ${MINIMUM} or later (it runs each test in an aroundEach hook); this is ` +
    `vitest ${OLD_VITEST}: update vitest to ${MINIMUM} or later`
  assert.ok(result.output.includes(message), result.output)
})
