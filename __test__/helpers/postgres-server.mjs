// A real PostgreSQL (Debian's packages: initdb and pg_ctl) in a temporary directory, on a free loopback port, for
// fixtures whose clients talk to it. PostgreSQL refuses to run as root: as root, it runs as the `postgres` user the
// Debian package creates (or `nobody`), which owns the temporary directory.
import { spawnSync } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { postgresBin } from '../../scripts/required-programs.mjs'
import { freePort } from './free-port.mjs'

const INSTALL_HINT = 'Install it (Debian/Ubuntu): apt-get install postgresql'

/** The directory holding initdb and pg_ctl (scripts/required-programs.mjs knows where Debian puts them). */
function postgresBinOrThrow() {
  const found = postgresBin()
  if (found === undefined)
    throw new Error(`These tests need PostgreSQL's initdb and pg_ctl, and found none. ${INSTALL_HINT}`)
  return found
}

/** Who runs PostgreSQL: the current user, or, as root, the `postgres` user (else `nobody`), as { uid, gid }. */
function serverUser() {
  if (process.getuid?.() !== 0) return {}
  const users = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .map((line) => line.split(':'))
  const entry = users.find(([name]) => name === 'postgres') ?? users.find(([name]) => name === 'nobody')
  if (entry === undefined)
    throw new Error('PostgreSQL will not run as root, and there is no postgres or nobody user to run it as')
  return { uid: Number(entry[2]), gid: Number(entry[3]) }
}

function run(bin, command, args, user) {
  const result = spawnSync(path.join(bin, command), args, { encoding: 'utf8', ...user, timeout: 60_000 })
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} failed (${result.error?.message ?? `exit ${result.status}`}):\n${result.stdout}${result.stderr}`,
    )
  }
}

/** @returns {Promise<{ host: string, port: number, user: string, database: string, stop(): Promise<void> }>} */
export async function startPostgres() {
  const bin = postgresBinOrThrow()
  const user = serverUser()
  const dir = mkdtempSync(path.join(tmpdir(), 'leakwatch-postgres-'))
  if (user.uid !== undefined) chownSync(dir, user.uid, user.gid)
  const data = path.join(dir, 'data')
  const port = await freePort()
  const stop = async () => {
    if (existsSync(path.join(data, 'postmaster.pid'))) {
      spawnSync(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop'], {
        ...user,
        stdio: 'ignore',
        timeout: 60_000,
      })
    }
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    run(
      bin,
      'initdb',
      ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync', '--no-instructions'],
      user,
    )
    // Loopback only, its Unix socket in the temporary directory, no fsync: a throwaway server.
    const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -F`
    run(bin, 'pg_ctl', ['-D', data, '-o', options, '-l', path.join(dir, 'server.log'), '-w', '-t', '60', 'start'], user)
  } catch (error) {
    await stop()
    throw error
  }
  return { host: '127.0.0.1', port, user: 'postgres', database: 'postgres', stop }
}
