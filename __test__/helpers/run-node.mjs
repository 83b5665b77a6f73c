// Runs Node on a script or a test runner as a child process, as a user's shell would, and collects what it printed.
// A child that outlives its time is killed: a leak planted in a fixture must never hang the suite.

import { spawn } from 'node:child_process'

/**
 * @param {string[]} args Node's arguments (a script or a runner's entry point, then its arguments)
 * @param {{ cwd: string, env?: NodeJS.ProcessEnv, timeoutMs?: number, launcher?: string[] }} options `env`: the
 *   child's whole environment; `launcher`: a command that runs Node in a changed setting (e.g. its own network
 *   namespace) and ends by exec'ing its arguments, so the child killed on time-out is Node itself
 * @returns {Promise<{ exitCode: number | null, stdout: string, stderr: string, output: string, killed: boolean }>}
 *   `output`: stdout and stderr interleaved as they came
 */
export async function runNode(args, { cwd, env = process.env, timeoutMs = 120_000, launcher = [] }) {
  const [command, ...commandArgs] = [...launcher, process.execPath, ...args]
  const child = spawn(command, commandArgs, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  let output = ''
  child.stdout.on('data', (chunk) => {
    stdout += chunk
    output += chunk
  })
  child.stderr.on('data', (chunk) => {
    stderr += chunk
    output += chunk
  })
  let killed = false
  const timer = setTimeout(() => {
    killed = true
    child.kill('SIGKILL')
  }, timeoutMs)
  const exitCode = await new Promise((resolve) => child.on('close', (code) => resolve(code)))
  clearTimeout(timer)
  return { exitCode, stdout, stderr, output, killed }
}
