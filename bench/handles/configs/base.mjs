// Settings shared by the three configurations, so only the leak tracking differs between them.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const handlesDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const repoRoot = path.resolve(handlesDir, '../..');

export function baseConfig(name, test = {}) {
  return {
    root: path.join(handlesDir, 'suite'),
    // Own cache per configuration: vitest orders files by cached durations, and one
    // configuration's timings should not reorder another's run.
    cacheDir: path.join(handlesDir, '.cache', name),
    test: { include: ['*.test.js'], ...test },
  };
}
