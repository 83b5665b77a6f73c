'use strict'
// Set on a test file's global object by leakwatch/jest once it has set the file up: leakwatch's main entry, loaded
// as a jest setup file by mistake, reads it to tell whether leakwatch/jest is there too (see ../misplaced-entry.js).

module.exports = Symbol.for('leakwatch.jest.setUp')
