import { baseConfig } from './base.mjs';
import { resolveLeakwatchSetup } from './leakwatch-setup.mjs';

// run.mjs pins the file it resolved once, so a js/vitest/index.js built mid-benchmark
// cannot mix stub and real runs; standalone use resolves it here.
const setupFile = process.env.LEAKWATCH_BENCH_SETUP ?? resolveLeakwatchSetup().file;

// An installed leakwatch lives in node_modules, which vitest loads with Node's own loader (externalized), not
// through vite's transform. The repository's copy is not under node_modules: say it is external, to load it the
// way users do.
export default baseConfig('b-leakwatch', {
  setupFiles: [setupFile],
  server: { deps: { external: [/\/js\/(core|vitest)\/[^/]+\.js$/, /\/js\/native\.js$/, /\/index\.js$/] } },
});
