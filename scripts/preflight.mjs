#!/usr/bin/env node
// `node scripts/preflight.mjs <subject> <program>...`: run first by an npm script (npm test, npm run example), it
// stops the script with one line per missing program, naming it and its install command, before anything is built.

import { exitIfMissing } from './required-programs.mjs'

const [subject, ...programs] = process.argv.slice(2)
exitIfMissing(subject, programs)
