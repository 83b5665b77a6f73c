'use strict'
// What leakwatch/jest says when its API is called in a test file it has not set up (yet). The API is there only once
// jest has run the 'leakwatch/jest' entry of setupFilesAfterEnv for the file: a setup file listed before it that calls
// configure() (or any of the API) runs too early, though leakwatch/jest is listed.

module.exports =
  'leakwatch/jest is not set up for this test file yet: list "leakwatch/jest" in setupFilesAfterEnv of the jest ' +
  'config, before any setup file that calls its API (configure() and the rest): jest runs setup files in the order ' +
  'listed.'
