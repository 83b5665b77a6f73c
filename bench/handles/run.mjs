// Benchmarks leakwatch's overhead on a handle-heavy vitest suite against plain vitest and
// vitest's own --detectAsyncLeaks, with a do-nothing async_hooks init hook as the floor, on each Node line (this
// machine's and Node 24 by default; another line's official binary is installed where the CI matrix installs it).
// Usage (from the repo root):
//   node bench/handles/run.mjs [--rounds N] [--warmup N] [--nodes 20,24]     (or BENCH_ROUNDS=N, BENCH_NODES=20,24)
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_LINES, nodeLines } from '../node-lines.mjs';
import { FILES, TOTAL_TESTS, generateSuite } from './generate-suite.mjs';
import { measure } from './measure.mjs';
import { formatReport, summarize } from './report.mjs';
import { repoRoot } from './configs/base.mjs';
import { resolveLeakwatchSetup } from './configs/leakwatch-setup.mjs';

const handlesDir = path.dirname(fileURLToPath(import.meta.url));
const vitestBin = path.join(repoRoot, 'node_modules/vitest/vitest.mjs');

function fail(message, output) {
  if (output) process.stderr.write(`${output}\n`);
  console.error(`bench/handles: ${message}`);
  process.exit(1);
}

function count(name, value, min) {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) fail(`--${name} must be an integer >= ${min}, got ${value}`);
  return n;
}

let args;
try {
  ({ values: args } = parseArgs({
    options: { rounds: { type: 'string' }, warmup: { type: 'string' }, nodes: { type: 'string' } },
  }));
} catch (err) {
  fail(`${err.message}\nusage: node bench/handles/run.mjs [--rounds N] [--warmup N] [--nodes 20,24]`);
}
const rounds = count('rounds', args.rounds ?? process.env.BENCH_ROUNDS ?? 5, 1);
// One unmeasured run per config: the first vitest run after a (re)generation or a cold
// page cache is slower, and would otherwise be charged to whichever config goes first.
const warmup = count('warmup', args.warmup ?? 1, 0);
const wantedLines = (args.nodes ?? process.env.BENCH_NODES)?.split(',').map((line) => line.trim()) ?? DEFAULT_LINES;
if (wantedLines.some((line) => !/^\d+$/.test(line))) fail(`--nodes takes Node lines, e.g. 20,24; got ${wantedLines}`);

let leakwatch;
try {
  leakwatch = resolveLeakwatchSetup();
} catch (err) {
  fail(err.message);
}
if (!existsSync(vitestBin)) fail(`${vitestBin} not found: run \`npm install\` first.`);
let lines;
try {
  lines = nodeLines(wantedLines);
} catch (err) {
  fail(err.message);
}

const configs = [
  { id: 'A', label: 'plain vitest', file: 'a-plain.config.mjs' },
  { id: 'B', label: leakwatch.stub ? 'leakwatch (STUB setup)' : 'leakwatch', file: 'b-leakwatch.config.mjs' },
  { id: 'C', label: 'vitest detectAsyncLeaks', file: 'c-vitest-detect.config.mjs' },
  { id: 'D', label: 'bare init hook (the floor)', file: 'd-bare-hook.config.mjs' },
  {
    id: 'E',
    label: leakwatch.stub ? 'leakwatch heap off (STUB setup)' : "leakwatch, heap: 'off'",
    file: 'e-leakwatch-heap-off.config.mjs',
  },
].map((c) => ({ ...c, file: path.join(handlesDir, 'configs', c.file) }));

// Plain-text output, so the summary line and the leak banner can be matched.
const childEnv = { ...process.env, NO_COLOR: '1', LEAKWATCH_BENCH_SETUP: leakwatch.file };
delete childEnv.FORCE_COLOR;
const logDir = mkdtempSync(path.join(os.tmpdir(), 'leakwatch-bench-'));
// 'exit' also fires on fail()'s process.exit, so aborted runs leave no temp logs behind.
process.on('exit', () => rmSync(logDir, { recursive: true, force: true }));

async function runOnce(config, node) {
  const argv = [node.bin, vitestBin, 'run', '--config', config.file];
  const r = await measure(argv, { cwd: repoRoot, env: childEnv, logFile: path.join(logDir, 'run.log') });
  const where = `config ${config.id} (${config.label}) on node ${node.version}`;
  if (r.exitCode !== 0) fail(`${where} exited with ${r.exitCode}; its output is above.`, r.output);
  // A misconfigured include would "pass" with fewer tests and look fast.
  if (!r.output.includes(`Tests  ${TOTAL_TESTS} passed (${TOTAL_TESTS})`)) {
    fail(`${where} did not report ${TOTAL_TESTS} passed tests; its output is above.`, r.output);
  }
  // detectAsyncLeaks reports leaks but still exits 0.
  if (/Async Leaks \d+/.test(r.output)) fail(`${where} reported leaks: the suite must be leak-free.`, r.output);
  return r;
}

generateSuite();
const machine = {
  nproc: os.availableParallelism(),
  cpuModel: os.cpus()[0]?.model ?? 'unknown',
  nodes: lines.map((node) => node.version),
  vitest: JSON.parse(readFileSync(path.join(repoRoot, 'node_modules/vitest/package.json'), 'utf8')).version,
  os: `${os.platform()} ${os.release()}`,
};
console.log(
  `leakwatch setup: ${path.relative(repoRoot, leakwatch.file)}${leakwatch.stub ? '  (STUB: not the real leakwatch)' : ''}`,
);

for (let w = 0; w < warmup; w++) {
  for (const node of lines) {
    for (const c of configs) {
      process.stdout.write(`warm-up node ${node.line} ${c.id}... `);
      console.log(`${(await runOnce(c, node)).wallS.toFixed(2)} s`);
    }
  }
}

/**
 * The configs in a shuffled order, the same for the same seed. Not a rotation: a run's system time depends on its
 * predecessor (each run leaves ~1000 sockets in TIME_WAIT for 60 s, and binding port 0 gets slower with every one),
 * and in a rotation each config has the same predecessor round after round.
 */
function shuffled(list, seed) {
  const out = [...list];
  let state = seed >>> 0;
  // mulberry32: a small seeded generator, so that a run's order can be told from its round and line.
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

// Each round runs every config on every line, the lines alternating, the configs shuffled: no config always runs
// first or after the same neighbour, and the machine's slow spells fall on all of them alike.
const runs = [];
for (let round = 1; round <= rounds; round++) {
  const lineOrder = round % 2 === 1 ? lines : [...lines].reverse();
  for (const node of lineOrder) {
    const order = shuffled(configs, round * 31 + Number(node.line));
    for (const [position, c] of order.entries()) {
      process.stdout.write(`round ${round}/${rounds} node ${node.line} ${c.id}... `);
      const r = await runOnce(c, node);
      console.log(`wall ${r.wallS.toFixed(2)} s, CPU ${r.cpuS.toFixed(2)} s`);
      runs.push({
        line: node.line,
        round,
        position,
        config: c.id,
        wallS: r.wallS,
        cpuS: r.cpuS,
        userS: r.userS,
        sysS: r.sysS,
      });
    }
  }
}
const byLine = lines.map((node) => ({
  node,
  summary: summarize(
    configs,
    runs.filter((r) => r.line === node.line),
  ),
}));
const suite = { files: FILES, tests: TOTAL_TESTS };
console.log(`\n${formatReport({ machine, suite, rounds, configs, lines: byLine, runs })}`);

const resultsDir = path.join(repoRoot, 'bench/results');
mkdirSync(resultsDir, { recursive: true });
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const resultsFile = path.join(resultsDir, `handles-${stamp}.json`);
const report = {
  date: new Date().toISOString(),
  machine,
  suite,
  rounds,
  warmup,
  leakwatchSetup: { file: path.relative(repoRoot, leakwatch.file), stub: leakwatch.stub },
  configs: configs.map(({ id, label, file }) => ({ id, label, config: path.relative(repoRoot, file) })),
  lines: byLine.map(({ node, summary }) => ({ node: node.version, summary })),
  runs,
};
writeFileSync(resultsFile, `${JSON.stringify(report, null, 2)}\n`);
console.log(`\nresults: ${path.relative(repoRoot, resultsFile)}`);
