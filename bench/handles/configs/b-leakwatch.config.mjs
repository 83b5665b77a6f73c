import { baseConfig } from './base.mjs';
import { resolveLeakwatchSetup } from './leakwatch-setup.mjs';

// run.mjs pins the file it resolved once, so a js/vitest/index.js built mid-benchmark
// cannot mix stub and real runs; standalone use resolves it here.
const setupFile = process.env.LEAKWATCH_BENCH_SETUP ?? resolveLeakwatchSetup().file;

export default baseConfig('b-leakwatch', { setupFiles: [setupFile] });
