// Makes a suite's tree ready to run: its pinned commit extracted from the snapshot outside this repository, its
// dependencies installed from npm (once per commit: the tree is reused while its marker names the same commit), this
// worktree's leakwatch copied into it (every run, so the bench measures the code as it is now), and, for vitest, the
// two wrapper configs that the plain and the leakwatch runs load.

import { execFileSync, spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url))
const MARKER = 'leakwatch-bench.json'

/** The wrapper config vitest loads in each mode, written next to the suite's own config. */
export const WRAPPER_CONFIGS = {
  plain: 'leakwatch-bench.plain.config.mjs',
  leakwatch: 'leakwatch-bench.leakwatch.config.mjs',
}

/**
 * `name=<dir>[@commit]` from the command line. `<dir>` is a git directory (a bare snapshot such as the fetch tool's
 * /work/.mirror/<owner>+<name>/repo) or a clone's work tree; the commit may be anything git resolves (a tag too).
 * @returns {{ name: string, gitDir: string, commit: string | undefined }}
 */
export function parseSuiteArg(arg) {
  const match = /^([^=]+)=(.+)$/.exec(arg)
  if (!match) throw new Error(`--suite ${arg}: expected name=<git dir>[@commit]`)
  const [, name, value] = match
  // A path may hold an `@` itself: the part after the last one is a commit only if the whole is not a folder.
  const at = value.lastIndexOf('@')
  const [dir, commit] = existsSync(value) || at < 0 ? [value, undefined] : [value.slice(0, at), value.slice(at + 1)]
  const gitDir = existsSync(path.join(dir, '.git')) ? path.join(dir, '.git') : dir
  if (!existsSync(path.join(gitDir, 'HEAD')) || !existsSync(path.join(gitDir, 'objects'))) {
    throw new Error(`--suite ${arg}: ${dir} is not a git directory or a clone`)
  }
  return { name, gitDir: path.resolve(gitDir), commit }
}

/** The full hash of `commit` in `gitDir`, or an error that says the snapshot lacks it. */
export function resolveCommit(gitDir, commit) {
  try {
    return execFileSync('git', ['--git-dir', gitDir, 'rev-parse', '--verify', `${commit}^{commit}`], {
      encoding: 'utf8',
    }).trim()
  } catch {
    throw new Error(`${gitDir} has no commit ${commit}: fetch a newer snapshot of the repository`)
  }
}

/**
 * The environment the suites install and run in: this process's, without what `npm run` adds for this repository
 * (npm's settings would point the suite's npm at this package) and without settings that would load code into every
 * Node process. npm's cache, registry and user config are the machine's and are kept.
 */
export function suiteEnv() {
  const kept = new Set(['npm_config_cache', 'npm_config_registry', 'npm_config_userconfig'])
  const env = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (/^npm_/i.test(key) && !kept.has(key.toLowerCase())) continue
    if (/^(INIT_CWD|NODE_OPTIONS|NODE_PATH|NODE_TEST_CONTEXT|VITEST.*|FORCE_COLOR)$/.test(key)) continue
    env[key] = value
  }
  return { ...env, NO_COLOR: '1' }
}

/**
 * Extracts and installs the suite once per commit, then copies leakwatch in.
 * @param {{ name: string, gitDir: string, commit: string, spec: import('./suites.mjs').SuiteSpec, workDir: string,
 *   fresh: boolean, log: (line: string) => void }} suite
 * @returns {{ dir: string, installed: object }} `installed`: what the marker recorded (versions, the install's date)
 */
export function prepareSuite({ name, gitDir, commit, spec, workDir, fresh, log }) {
  const dir = path.join(workDir, `${name}-${commit.slice(0, 12)}`)
  const markerFile = path.join(dir, MARKER)
  let installed = existsSync(markerFile) ? JSON.parse(readFileSync(markerFile, 'utf8')) : null
  if (fresh || installed?.commit !== commit) {
    rmSync(dir, { recursive: true, force: true })
    mkdirSync(dir, { recursive: true })
    log(`extracting ${spec.repo}@${commit.slice(0, 12)} to ${dir}`)
    const archive = spawnSync('git', ['--git-dir', gitDir, 'archive', commit], { maxBuffer: 1 << 30 })
    if (archive.status !== 0) throw new Error(`git archive ${commit} failed: ${archive.stderr}`)
    execFileSync('tar', ['-x', '-C', dir], { input: archive.stdout })
    // No scripts: the tests import the suite's sources, so nothing needs building, and no dependency's install
    // script runs on this machine.
    const args = ['install', '--no-audit', '--no-fund', '--ignore-scripts', ...spec.install]
    log(`npm ${args.join(' ')} (in ${dir})`)
    const npm = spawnSync('npm', args, { cwd: dir, env: suiteEnv(), encoding: 'utf8', maxBuffer: 64 << 20 })
    if (npm.status !== 0) throw new Error(`npm install failed in ${dir}:\n${npm.stdout}${npm.stderr}`)
    installed = { commit, installedAt: new Date().toISOString(), npmArgs: args, versions: installedVersions(dir) }
    writeFileSync(markerFile, `${JSON.stringify(installed, null, 2)}\n`)
  }
  installLeakwatch(dir)
  if (spec.runner === 'vitest') writeWrapperConfigs(dir, spec)
  return { dir, installed }
}

/** The versions of the runners and frameworks the suite resolved: npm, not a lockfile, chose them. */
function installedVersions(dir) {
  const versions = {}
  for (const name of ['vitest', 'vite', 'hono', 'h3', 'undici']) {
    const manifest = path.join(dir, 'node_modules', name, 'package.json')
    if (existsSync(manifest)) versions[name] = JSON.parse(readFileSync(manifest, 'utf8')).version
  }
  return versions
}

/**
 * A copy of this worktree's package, as npm would install it (its `files`, and the built binary, which a release
 * ships in a platform package instead). A copy, not a symlink: through a symlink Node would resolve leakwatch's own
 * `import 'vitest'` from this repository's node_modules, a second vitest that is not the one running the tests.
 */
export function installLeakwatch(dir) {
  const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'))
  const binaries = readdirSync(REPO_ROOT).filter(
    (file) => file.startsWith(`${manifest.napi.binaryName}.`) && file.endsWith('.node'),
  )
  if (binaries.length === 0)
    throw new Error(`no ${manifest.napi.binaryName}.*.node in ${REPO_ROOT}: run \`npm run build\` first`)
  const target = path.join(dir, 'node_modules', manifest.name)
  rmSync(target, { recursive: true, force: true })
  for (const file of ['package.json', ...manifest.files, ...binaries]) {
    cpSync(path.join(REPO_ROOT, file), path.join(target, file), { recursive: true })
  }
}

/**
 * Two configs that import the suite's own and merge into it: each mode gets its own cache folder (vitest runs the
 * files that failed last time first, and the leakwatch run's failures must not reorder the plain run), the files
 * this machine cannot run are excluded, and the leakwatch one appends `leakwatch/vitest` to the setup files.
 */
function writeWrapperConfigs(dir, spec) {
  const skipped = spec.skip.map((entry) => entry.file)
  for (const [mode, file] of Object.entries(WRAPPER_CONFIGS)) {
    const setupFiles = mode === 'leakwatch' ? ['leakwatch/vitest'] : []
    const source = `// Written by leakwatch's bench/suites (prepare.mjs): ${spec.config} with the ${mode} run's settings.
import { configDefaults, mergeConfig } from 'vitest/config'
import suiteConfig from './${spec.config}'

const skipped = ${JSON.stringify(skipped)}
const overrides = {
  cacheDir: 'node_modules/.vite-leakwatch-bench-${mode}',
  test: {
    ...(skipped.length > 0 ? { exclude: [...configDefaults.exclude, ...skipped] } : {}),
    // mergeConfig appends to the suite's own setup files.
    setupFiles: ${JSON.stringify(setupFiles)},
  },
}

export default typeof suiteConfig === 'function'
  ? async (env) => mergeConfig(await suiteConfig(env), overrides)
  : mergeConfig(suiteConfig, overrides)
`
    writeFileSync(path.join(dir, file), source)
  }
}

/**
 * A launcher that runs the suite in a network namespace of its own, where only loopback exists: a test that binds
 * every interface (hono's `serve(app)` on port 3000, listhen's default host inside a container) or reaches out
 * stays on this machine. Null when the machine does not allow it (no unprivileged user namespaces, or no `ip`).
 */
export function loopbackOnlyLauncher() {
  const launcher = ['unshare', '--net', '--map-root-user', 'sh', '-c', 'ip link set lo up && exec "$@"', 'sh']
  const [command, ...args] = [
    ...launcher,
    process.execPath,
    '-e',
    "require('node:net').createServer().listen(0, '127.0.0.1', function () { this.close() })",
  ]
  const probe = spawnSync(command, args, { encoding: 'utf8', timeout: 10_000 })
  return probe.status === 0 ? launcher : null
}
