// Which setup file config B loads. Shared with run.mjs so it can refuse to start
// before spending minutes on configs A and C.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './base.mjs';

export const LEAKWATCH_SETUP = path.resolve(repoRoot, 'js/vitest/index.js');
export const STUB_SETUP = path.resolve(repoRoot, 'bench/handles/suite/_stub-setup.mjs');

export function resolveLeakwatchSetup(env = process.env) {
  if (existsSync(LEAKWATCH_SETUP)) return { file: LEAKWATCH_SETUP, stub: false };
  if (env.LEAKWATCH_BENCH_STUB === '1') return { file: STUB_SETUP, stub: true };
  throw new Error(
    `${path.relative(repoRoot, LEAKWATCH_SETUP)} not found: run \`npm run build\` first ` +
      '(or set LEAKWATCH_BENCH_STUB=1 to benchmark a no-op async_hooks stub instead).',
  );
}
