import { baseConfig } from './base.mjs';

// Vitest 4.1's built-in tracker (CLI: --detectAsyncLeaks). It only reports leaks and
// does not change the exit code, so run.mjs checks the output for its "Async Leaks" banner.
export default baseConfig('c-vitest-detect', { detectAsyncLeaks: true });
