// The programs this repository's tests and example run for real, and the check that they are there before a long
// build or test run starts: a missing one is said in the last lines printed, with the command that installs it, not
// found in the middle of a thousand lines of cancelled tests.

import { accessSync, constants, existsSync, readdirSync, statSync, writeSync } from 'node:fs'
import path from 'node:path'

/** Each program, what needs it, and how to install it on Debian or Ubuntu. */
export const REQUIRED_PROGRAMS = Object.freeze({
  chromium: {
    neededBy: 'the HTML report test opens the report in it',
    install: 'sudo apt-get install chromium',
  },
  'redis-server': {
    neededBy: 'the messaging example and its test start a real one',
    install: 'sudo apt-get install redis-server',
  },
  // Debian puts initdb and pg_ctl under /usr/lib/postgresql/<version>/bin, off PATH.
  pg_ctl: {
    neededBy: 'the creation-site tests start a real PostgreSQL for pg clients; with initdb beside it',
    install: 'sudo apt-get install postgresql',
    find: (env) => postgresBin(env),
  },
})

/**
 * The directory holding PostgreSQL's initdb and pg_ctl: on PATH, or Debian's /usr/lib/postgresql/<version>/bin (the
 * newest); undefined when there is none.
 */
export function postgresBin(env = process.env) {
  const onPath = findProgram('pg_ctl', env)
  if (onPath && existsSync(path.join(path.dirname(onPath), 'initdb'))) return path.dirname(onPath)
  const root = '/usr/lib/postgresql'
  const versions = existsSync(root) ? readdirSync(root).filter((name) => /^\d+$/.test(name)) : []
  versions.sort((a, b) => Number(b) - Number(a))
  return versions
    .map((version) => path.join(root, version, 'bin'))
    .find((bin) => existsSync(path.join(bin, 'pg_ctl')) && existsSync(path.join(bin, 'initdb')))
}

/**
 * Where `name` is on the PATH of `env`: the first executable file of that name, or undefined.
 * @param {string} name
 * @param {NodeJS.ProcessEnv} [env]
 */
export function findProgram(name, env = process.env) {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (dir === '') continue
    const file = path.join(dir, name)
    try {
      accessSync(file, constants.X_OK)
      if (statSync(file).isFile()) return file
    } catch {
      // Not here: the next directory.
    }
  }
  return undefined
}

/**
 * One line for each of `names` that is not on PATH, saying who needs it and how to install it; empty when all are
 * there.
 * @param {string} subject what needs them, as the user ran it (`npm test`)
 * @param {string[]} names keys of REQUIRED_PROGRAMS
 */
export function missingProgramLines(subject, names, env = process.env) {
  return names
    .map((name) => {
      const program = REQUIRED_PROGRAMS[name]
      if (program === undefined) throw new Error(`required-programs.mjs knows no program "${name}"`)
      return { name, program }
    })
    .filter(({ name, program }) => (program.find ? program.find(env) : findProgram(name, env)) === undefined)
    .map(
      ({ name, program }) =>
        `${subject} needs ${name}, which is not on PATH (${program.neededBy}); install it: ${program.install}`,
    )
}

/** Prints the lines for what is missing as the last thing, and exits 1; returns when nothing is. */
export function exitIfMissing(subject, names) {
  const lines = missingProgramLines(subject, names)
  if (lines.length === 0) return
  // Written synchronously: the process exits right after, whatever kind of stream stderr is.
  writeSync(2, `\n${lines.join('\n')}\n`)
  process.exit(1)
}
