import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { baseConfig } from './base.mjs';
import { resolveLeakwatchSetup } from './leakwatch-setup.mjs';

const setupFile = process.env.LEAKWATCH_BENCH_SETUP ?? resolveLeakwatchSetup().file;
const heapOff = path.join(path.dirname(fileURLToPath(import.meta.url)), 'heap-off-setup.mjs');

// As config B, with a second setup file that turns the memory checks off.
export default baseConfig('e-leakwatch-heap-off', {
  setupFiles: [setupFile, heapOff],
  server: {
    deps: {
      external: [/\/js\/(core|vitest)\/[^/]+\.js$/, /\/js\/native\.js$/, /\/index\.js$/, /heap-off-setup\.mjs$/],
    },
  },
});
