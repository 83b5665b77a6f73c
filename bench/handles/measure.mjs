// Runs one command and measures its wall time and the CPU time of its whole process tree.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

// bash's `times` prints two lines, the shell's own times then its reaped children's
// (getrusage RUSAGE_CHILDREN), e.g. "0m4.123s 0m0.812s". The children line covers every
// descendant that was waited for; vitest waits for its fork workers before exiting.
// Some locales print a decimal comma.
const TIMES_LINE = /^(\d+)m([\d.,]+)s (\d+)m([\d.,]+)s$/;
const seconds = (min, sec) => Number(min) * 60 + Number(sec.replace(',', '.'));

export function parseChildTimes(timesOutput) {
  const line = timesOutput.trim().split('\n')[1] ?? '';
  const m = TIMES_LINE.exec(line.trim());
  if (!m) throw new Error(`cannot parse bash \`times\` output: ${JSON.stringify(timesOutput)}`);
  return { userS: seconds(m[1], m[2]), sysS: seconds(m[3], m[4]) };
}

/**
 * The command's stdout+stderr go to logFile rather than /dev/null: costs nothing measurable
 * and lets the caller show why a run failed or grep it for leak reports.
 */
export function measure(argv, { cwd, env, logFile }) {
  const script = '"$@" >"$BENCH_LOG" 2>&1; status=$?; times; exit $status';
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn('bash', ['-c', script, 'bash', ...argv], {
      cwd,
      env: { ...env, BENCH_LOG: logFile },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let timesOutput = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (timesOutput += d));
    child.on('error', reject);
    child.on('close', (exitCode, signal) => {
      const wallS = (performance.now() - start) / 1000;
      try {
        const { userS, sysS } = parseChildTimes(timesOutput);
        resolve({
          exitCode: exitCode ?? signal,
          wallS,
          userS,
          sysS,
          cpuS: userS + sysS,
          output: readFileSync(logFile, 'utf8'),
        });
      } catch (err) {
        reject(err);
      }
    });
  });
}
