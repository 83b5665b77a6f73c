// The README and docs/ stay true: every option the configuration reference names is one the code's validation
// accepts, and every option it accepts is there, with the code's default and an example it accepts; every sample
// config in a code block loads (vitest's with vite, one of them run by vitest itself); every configure() sample
// validates; every relative link and anchor resolves inside the repository; the CLI page has the flags `leakwatch
// --help` shows; the README stays a first screen. Each check is a function of the text, and the last tests feed them
// broken docs to show that they fail.

import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { after, test } from 'node:test'
import { isDeepStrictEqual } from 'node:util'
import { loadConfigFromFile } from 'vite'
import { KINDS } from '../js/core/kinds.js'
import { DEFAULT_OPTIONS, mergeOptions } from '../js/core/options.js'
import { LEAK_RECORDS_PER_SCOPE } from '../js/core/report-meta.js'
import { assertCleanShutdown } from '../js/core/shutdown-audit.js'
import { reporterOptions } from '../js/reporter/options.js'
import { anchors, codeBlocks, codeOnly, links, markedTables } from './helpers/markdown.mjs'
import { runNode } from './helpers/run-node.mjs'
import { plain, REPO_ROOT } from './helpers/run-vitest.mjs'

const README_MAX_LINES = 250
/** The first screen: the set-up commands, the install command and the vitest config must all be on it. */
const FIRST_SCREEN_LINES = 50

const DOC_FILES = [
  'README.md',
  ...readdirSync(path.join(REPO_ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
]
const read = (file) => readFileSync(path.join(REPO_ROOT, file), 'utf8')
const PAGES = new Map(DOC_FILES.map((file) => [file, read(file)]))

/** Scratch folders inside the repository, so that `leakwatch/...` resolves to this package as a user's would. */
const scratch = []
function scratchDir() {
  const dir = mkdtempSync(path.join(REPO_ROOT, '.docs-test-'))
  scratch.push(dir)
  return dir
}
after(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true })
})

/** Evaluates a JS expression from the docs (our own text), or returns the error. */
function evaluate(source) {
  try {
    return { value: new Function(`return (${source})`)() }
  } catch (error) {
    return { error }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Links

/**
 * Problems with the relative links of `file`: a target outside the repository, a file that does not exist, an
 * anchor that no heading of the target makes.
 * @param {(file: string) => string | undefined} textOf the text of a Markdown file of the repository, by path
 */
function linkProblems(file, text, textOf) {
  const problems = []
  for (const { target, line } of links(text)) {
    if (/^[a-z][a-z+.-]*:/i.test(target)) continue
    const where = `${file}:${line}: link "${target}"`
    const [pathPart, anchor] = target.split('#')
    if (pathPart.startsWith('/')) {
      problems.push(`${where} is absolute: link relative to the file`)
      continue
    }
    const resolved =
      pathPart === ''
        ? path.join(REPO_ROOT, file)
        : path.resolve(path.dirname(path.join(REPO_ROOT, file)), decodeURI(pathPart))
    const inRepo = path.relative(REPO_ROOT, resolved)
    if (inRepo.startsWith('..') || path.isAbsolute(inRepo)) {
      problems.push(`${where} leaves the repository: it breaks on the package's page and in every clone`)
      continue
    }
    let exists = true
    try {
      statSync(resolved)
    } catch {
      exists = false
    }
    if (!exists) {
      problems.push(`${where} points at ${inRepo}, which does not exist`)
      continue
    }
    if (anchor !== undefined && inRepo.endsWith('.md')) {
      const targetText = textOf(inRepo.split(path.sep).join('/'))
      if (targetText === undefined || !anchors(targetText).has(anchor))
        problems.push(`${where}: ${inRepo} has no heading with the anchor #${anchor}`)
    }
  }
  return problems
}

const textOf = (file) => PAGES.get(file) ?? (file.endsWith('.md') ? read(file) : undefined)

test('every relative link in README.md and docs/ resolves inside the repository, anchors included', () => {
  const problems = DOC_FILES.flatMap((file) => linkProblems(file, PAGES.get(file), textOf))
  assert.deepEqual(problems, [])
  assert.ok(links(PAGES.get('README.md')).length > 10, 'the README links to docs/')
})

test('every page of docs/ is linked from the README', () => {
  const linked = new Set(links(PAGES.get('README.md')).map(({ target }) => target.split('#')[0]))
  const orphans = DOC_FILES.filter((file) => file.startsWith('docs/') && !linked.has(file))
  assert.deepEqual(orphans, [], 'pages no link from the README reaches')
})

// ---------------------------------------------------------------------------------------------------------------
// The README's first screen

function readmeProblems(text) {
  const problems = []
  const lines = text.split('\n')
  const count = text.endsWith('\n') ? lines.length - 1 : lines.length
  if (count > README_MAX_LINES)
    problems.push(`README.md has ${count} lines; keep it under ${README_MAX_LINES}: reference goes to docs/`)
  const setup = codeBlocks(text).find((block) => block.lang === 'sh')
  const commands = setup?.code.split('\n').filter((line) => line.trim() !== '') ?? []
  if (!setup || setup.line > FIRST_SCREEN_LINES) problems.push('the set-up commands are not on the first screen')
  else if (commands.length !== 2 || !/npm run example/.test(commands[0]) || !/^npm test\b/.test(commands[1])) {
    problems.push(
      `the first screen must give exactly two set-up commands, the example and the tests; it gives:\n${commands.join('\n')}`,
    )
  }
  const firstScreen = lines.slice(0, FIRST_SCREEN_LINES).join('\n')
  if (!firstScreen.includes('npm install --save-dev leakwatch'))
    problems.push('the install command is not on the first screen')
  if (!firstScreen.includes("setupFiles: ['leakwatch/vitest']"))
    problems.push('the vitest config is not on the first screen')
  for (const marker of ['<!-- support-table -->', '<!-- /support-table -->']) {
    if (text.split(marker).length !== 2) problems.push(`README.md must hold ${marker} once`)
  }
  return problems
}

test('the README is a first screen: under 250 lines, two set-up commands, install and config on the first screen', () => {
  assert.deepEqual(readmeProblems(PAGES.get('README.md')), [])
})

// ---------------------------------------------------------------------------------------------------------------
// The configuration reference against the code's validation

/** The names a validator accepts, read from its error for an unknown key (which lists them). */
function acceptedNames(message) {
  const match = /(?:accepted options are|accepts) (.+)$/.exec(message)
  assert.ok(match, `an unknown key's error should list what is accepted; it says: ${message}`)
  return match[1].split(', ')
}

function thrown(fn) {
  try {
    fn()
  } catch (error) {
    return error
  }
  return null
}

const validate = (options) => thrown(() => mergeOptions(options, DEFAULT_OPTIONS, KINDS))

/** Each marked table: what the code accepts, its defaults (when it has them), and how an example is validated. */
const OPTION_TABLES = {
  configure: {
    accepted: () => acceptedNames(validate({ __docsProbe: 1 }).message),
    defaultOf: (name) => DEFAULT_OPTIONS[name],
    check: async (name, value) => validate({ [name]: value }),
  },
  'ignore-rule': {
    accepted: () => acceptedNames(validate({ ignore: [{ __docsProbe: 1 }] }).message),
    // `reason` matches nothing, so a rule needs another field beside it.
    check: async (name, value) =>
      validate({ ignore: [name === 'reason' ? { kind: 'Timeout', reason: value } : { [name]: value }] }),
  },
  'reference-pattern': {
    accepted: () => acceptedNames(validate({ ignoreReferences: [{ __docsProbe: 1 }] }).message),
    check: async (name, value) => validate({ ignoreReferences: [{ holder: 'Context', edge: 'cache', [name]: value }] }),
  },
  'baseline-entry': {
    accepted: () => acceptedNames(validate({ baseline: [{ __docsProbe: 1 }] }).message),
    check: async (name, value) => validate({ baseline: [{ [name]: value }] }),
  },
  reporter: {
    accepted: () => acceptedNames(thrown(() => reporterOptions({ __docsProbe: 1 })).message),
    defaultOf: (name) => reporterOptions({})[name],
    check: async (name, value) => thrown(() => reporterOptions({ [name]: value })),
  },
  assertCleanShutdown: {
    accepted: async () =>
      acceptedNames((await assertCleanShutdown(() => {}, { __docsProbe: 1 }).catch((error) => error)).message),
    // Valid options get as far as "nothing is being tracked" (an Error); invalid ones are a TypeError.
    check: async (name, value) => {
      const error = await assertCleanShutdown(() => {}, { [name]: value }).then(
        () => null,
        (rejected) => rejected,
      )
      return error instanceof TypeError ? error : null
    },
  },
}

/** Problems with the option tables of a configuration reference's text. */
async function optionTableProblems(text) {
  const problems = []
  const tables = markedTables(text, 'options')
  for (const [kind, spec] of Object.entries(OPTION_TABLES)) {
    const table = tables.get(kind)
    if (!table) {
      problems.push(`no table is marked <!-- options: ${kind} -->`)
      continue
    }
    const column = (title) => table.header.findIndex((cell) => cell.toLowerCase() === title)
    const [defaultAt, exampleAt] = [column('default'), column('example')]
    if (defaultAt < 0 || exampleAt < 0) problems.push(`the ${kind} table needs a "default" and an "example" column`)
    const documented = table.rows.map((row) => codeOnly(row[0]) ?? row[0])
    const accepted = await spec.accepted()
    for (const name of documented.filter((name) => !accepted.includes(name))) {
      problems.push(
        `${kind}: the docs name "${name}", which the code does not accept (it accepts ${accepted.join(', ')})`,
      )
    }
    for (const name of accepted.filter((name) => !documented.includes(name)))
      problems.push(`${kind}: the code accepts "${name}", which the docs do not name`)
    for (const row of table.rows) {
      const name = codeOnly(row[0]) ?? row[0]
      if (!accepted.includes(name)) continue
      const defaultCode = codeOnly(row[defaultAt] ?? '')
      if (spec.defaultOf && defaultCode === null)
        problems.push(`${kind}.${name}: the default should be the code's, as one code span`)
      if (spec.defaultOf && defaultCode !== null) {
        const { value, error } = evaluate(defaultCode)
        if (error) problems.push(`${kind}.${name}: the default \`${defaultCode}\` is not a JS value: ${error.message}`)
        else if (!isDeepStrictEqual(value, spec.defaultOf(name))) {
          problems.push(
            `${kind}.${name}: the docs say the default is ${defaultCode}; the code's is ${JSON.stringify(spec.defaultOf(name))}`,
          )
        }
      }
      const exampleCode = codeOnly(row[exampleAt] ?? '')
      if (exampleCode === null) {
        problems.push(`${kind}.${name}: the example should be one code span`)
        continue
      }
      const { value, error } = evaluate(exampleCode)
      if (error) {
        problems.push(`${kind}.${name}: the example \`${exampleCode}\` is not a JS value: ${error.message}`)
        continue
      }
      const rejected = await spec.check(name, value)
      if (rejected) problems.push(`${kind}.${name}: the example \`${exampleCode}\` is refused: ${rejected.message}`)
    }
  }
  return problems
}

test('the configuration reference names every option the code accepts and no other, with its default and a valid example', async () => {
  assert.deepEqual(await optionTableProblems(PAGES.get('docs/configuration.md')), [])
})

// ---------------------------------------------------------------------------------------------------------------
// Samples in code blocks

/** The argument source of each `name(` call in `code`: the shortest text up to a `)` that parses as expressions. */
function callArguments(code, name) {
  const found = []
  for (const match of code.matchAll(new RegExp(`(?<![\\w.])${name}\\(`, 'g'))) {
    const start = match.index + match[0].length
    for (let end = code.indexOf(')', start); end >= 0; end = code.indexOf(')', end + 1)) {
      const source = code.slice(start, end)
      try {
        new Function(`return [${source}]`)
      } catch {
        continue
      }
      found.push(source)
      break
    }
  }
  return found
}

/** Problems with the configure() and assertCleanShutdown() samples in a page's code blocks. */
async function sampleCallProblems(file, text) {
  const problems = []
  for (const block of codeBlocks(text)) {
    if (!['js', 'ts', 'cjs', 'mjs'].includes(block.lang)) continue
    for (const source of callArguments(block.code, 'configure')) {
      const { value, error } = evaluate(source)
      if (error)
        problems.push(`${file}:${block.line}: configure(${source}) does not evaluate on its own: ${error.message}`)
      else if (validate(value))
        problems.push(`${file}:${block.line}: configure(${source}) is refused: ${validate(value).message}`)
    }
    for (const source of callArguments(block.code, 'assertCleanShutdown')) {
      const options = evaluate(`[${source}]`).value?.[1]
      if (options === undefined) continue
      const rejected = await assertCleanShutdown(() => {}, options).then(
        () => null,
        (error) => (error instanceof TypeError ? error : null),
      )
      if (rejected)
        problems.push(
          `${file}:${block.line}: assertCleanShutdown(..., ${JSON.stringify(options)}) is refused: ${rejected.message}`,
        )
    }
  }
  return problems
}

test('every configure() and assertCleanShutdown() sample in a code block validates', async () => {
  const problems = []
  for (const [file, text] of PAGES) problems.push(...(await sampleCallProblems(file, text)))
  assert.deepEqual(problems, [])
  const samples = [...PAGES.values()]
    .flatMap((text) => codeBlocks(text))
    .filter((block) => /configure\(\{/.test(block.code))
  assert.ok(samples.length >= 3, 'the docs show configure() samples')
})

/** The code blocks tagged `tag` (e.g. ```ts vitest.config), in every page. */
function taggedSamples(tag) {
  return [...PAGES].flatMap(([file, text]) =>
    codeBlocks(text)
      .filter((block) => block.tags.includes(tag))
      .map((block) => ({ file, ...block })),
  )
}

test('every vitest.config sample loads with vite, lists leakwatch/vitest, and gives the reporter options it accepts', async () => {
  const samples = taggedSamples('vitest.config')
  assert.ok(samples.length >= 3, `vitest.config samples: ${samples.length}`)
  const dir = scratchDir()
  const requireHere = createRequire(path.join(dir, 'resolve.js'))
  for (const [index, sample] of samples.entries()) {
    const where = `${sample.file}:${sample.line}`
    const configFile = path.join(dir, `vitest.config.${index}.${sample.lang === 'ts' ? 'ts' : 'mjs'}`)
    writeFileSync(configFile, sample.code)
    const loaded = await loadConfigFromFile({ command: 'serve', mode: 'test' }, configFile, dir, 'silent')
    const { setupFiles = [], reporters = [] } = loaded?.config.test ?? {}
    assert.ok([setupFiles].flat().includes('leakwatch/vitest'), `${where}: setupFiles should list 'leakwatch/vitest'`)
    for (const entry of [setupFiles, reporters]
      .flat(2)
      .filter((entry) => typeof entry === 'string' && entry.startsWith('leakwatch'))) {
      assert.doesNotThrow(() => requireHere.resolve(entry), `${where}: ${entry} does not resolve`)
    }
    for (const reporter of reporters) {
      const [name, options] = Array.isArray(reporter) ? reporter : [reporter, undefined]
      if (name === 'leakwatch/reporter')
        assert.doesNotThrow(() => reporterOptions(options), `${where}: the reporter's options are refused`)
    }
  }
})

test("the README's vitest config, run by vitest, fails a leaking test at its line and passes a clean one", async () => {
  const [sample] = codeBlocks(PAGES.get('README.md')).filter((block) => block.tags.includes('vitest.config'))
  const dir = scratchDir()
  writeFileSync(path.join(dir, 'vitest.config.ts'), sample.code)
  writeFileSync(
    path.join(dir, 'leaky.test.js'),
    "import { test } from 'vitest'\n\ntest('leaves an interval', () => {\n  setInterval(() => {}, 31_000)\n})\n",
  )
  writeFileSync(
    path.join(dir, 'clean.test.js'),
    "import { test } from 'vitest'\n\ntest('clears its interval', () => {\n  clearInterval(setInterval(() => {}, 31_000))\n})\n",
  )
  const vitest = path.join(REPO_ROOT, 'node_modules', 'vitest', 'vitest.mjs')
  const env = { ...process.env, CI: 'true', FORCE_COLOR: '0', NO_COLOR: '1' }
  const run = await runNode([vitest, 'run', '--root', dir], { cwd: dir, env, timeoutMs: 120_000 })
  const output = plain(run.output)
  assert.equal(run.exitCode, 1, output)
  assert.match(output, /LeakError: test "leaves an interval" left 1 resource open/)
  assert.match(output, /Interval every 31000 ms[\s\S]*created at leaky\.test\.js:4:3/)
  const report = JSON.parse(readFileSync(path.join(dir, 'leakwatch-report.json'), 'utf8'))
  assert.equal(report.totals.tests, 2)
  assert.equal(report.totals.testsFailedByLeaks, 1)
})

test('every jest.config sample loads and lists leakwatch/jest in setupFilesAfterEnv', () => {
  const samples = taggedSamples('jest.config')
  assert.ok(samples.length >= 1)
  const dir = scratchDir()
  const requireHere = createRequire(path.join(dir, 'resolve.js'))
  for (const [index, sample] of samples.entries()) {
    const configFile = path.join(dir, `jest.config.${index}.cjs`)
    writeFileSync(configFile, sample.code)
    const config = requireHere(configFile)
    assert.ok(
      config.setupFilesAfterEnv?.includes('leakwatch/jest'),
      `${sample.file}:${sample.line}: setupFilesAfterEnv should list 'leakwatch/jest'`,
    )
    assert.doesNotThrow(() => requireHere.resolve('leakwatch/jest'))
  }
})

// ---------------------------------------------------------------------------------------------------------------
// The CLI page against `leakwatch --help`

/** The flags of each command's synopsis line in the usage text (`global`: the lines without a command). */
/**
 * The flags each command's own `--help` lists under "Options:" (the first spelling of each: `-o, --output` is `-o`),
 * and the global ones the top-level usage shows (`leakwatch --version`).
 */
function usageFlags(usage, commandHelp) {
  const flags = { global: new Set() }
  for (const line of usage.split('\n')) {
    if (!/^\s*leakwatch (?:<command> )?--/.test(line)) continue
    for (const match of line.matchAll(/(?<![\w-])(--?[a-z][a-z-]*)/g)) flags.global.add(match[1])
  }
  for (const [command, help] of Object.entries(commandHelp)) {
    const options = help.split(/^Options:$/m)[1] ?? ''
    flags[command] = new Set([...options.matchAll(/^ {2}(--?[a-z][a-z-]*)/gm)].map((match) => match[1]))
  }
  return flags
}

function cliFlagProblems(text, usage, commandHelp) {
  const problems = []
  const tables = markedTables(text, 'flags')
  for (const [command, shown] of Object.entries(usageFlags(usage, commandHelp))) {
    const table = tables.get(command)
    if (!table) {
      problems.push(`no table is marked <!-- flags: ${command} -->`)
      continue
    }
    const documented = table.rows.map((row) => (codeOnly(row[0]) ?? row[0]).split(' ')[0])
    for (const flag of shown)
      if (!documented.includes(flag))
        problems.push(`${command}: --help shows ${flag}, which docs/cli.md does not document`)
    for (const flag of documented)
      if (!shown.has(flag)) problems.push(`${command}: docs/cli.md documents ${flag}, which --help does not show`)
  }
  return problems
}

test('the CLI page documents every flag `leakwatch --help` and each `leakwatch <command> --help` show, and no other', async () => {
  const cli = path.join(REPO_ROOT, 'js', 'cli.js')
  const help = await runNode([cli, '--help'], { cwd: REPO_ROOT })
  assert.equal(help.exitCode, 0, help.output)
  const commandHelp = {}
  for (const command of ['analyze', 'diff', 'merge']) {
    const own = await runNode([cli, command, '--help'], { cwd: REPO_ROOT })
    assert.equal(own.exitCode, 0, own.output)
    commandHelp[command] = own.stdout
  }
  assert.deepEqual(cliFlagProblems(PAGES.get('docs/cli.md'), help.stdout, commandHelp), [])
})

// ---------------------------------------------------------------------------------------------------------------
// Figures and samples the README quotes

/** Each figure of the README's comparison (between its figures markers) must be on the benchmarks page. */
function figureProblems(readme, benchmarks) {
  const section = /<!-- figures: docs\/benchmarks\.md -->([\s\S]*?)<!-- \/figures -->/.exec(readme)
  if (!section) return ['README.md has no <!-- figures: docs/benchmarks.md --> section']
  const figures = [...section[1].matchAll(/\d+(?:\.\d+)?(?=×)|\d+ of \d+/g)].map((match) => match[0])
  if (figures.length === 0) return ["the README's comparison quotes no figure"]
  const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  return figures
    .filter((figure) => !new RegExp(`(?<![\\d.])${escape(figure)}(?![\\d])`).test(benchmarks))
    .map(
      (figure) => `the README quotes ${figure}, which docs/benchmarks.md does not have: edit the figures there first`,
    )
}

test("the README's comparison quotes figures that docs/benchmarks.md holds", () => {
  assert.deepEqual(figureProblems(PAGES.get('README.md'), PAGES.get('docs/benchmarks.md')), [])
})

/** The code frames of the README's failure sample against the example's source, line by line. */
function sampleFrameProblems(readme) {
  const sample = codeBlocks(readme).find((block) => block.lang === '' && block.code.includes('LeakError:'))
  if (!sample) return ['README.md shows no failure']
  const problems = []
  let file = null
  let checked = 0
  for (const line of sample.code.split('\n')) {
    const site = /created at (?:.* \()?([^\s()]+):\d+:\d+\)?$/.exec(line)
    if (site) file = site[1]
    const frame = /^\s*>?\s*(\d+) \|(?: (.*))?$/.exec(line)
    if (!frame || file === null) continue
    const source = readFileSync(path.join(REPO_ROOT, 'examples', 'messaging', file), 'utf8').split('\n')[
      Number(frame[1]) - 1
    ]
    if ((source ?? '').trimEnd() !== (frame[2] ?? '').trimEnd()) {
      problems.push(
        `README.md shows ${file}:${frame[1]} as "${frame[2]}"; the example has "${source}": run npm run example and take its output`,
      )
    }
    checked++
  }
  if (checked < 2) problems.push("the README's failure shows no code frame of the example")
  return problems
}

test("the README's failure sample shows the example's source lines as they are", () => {
  assert.deepEqual(sampleFrameProblems(PAGES.get('README.md')), [])
})

// ---------------------------------------------------------------------------------------------------------------
// Limits the code holds and the docs state

/** The reports page states the records a test's report keeps as the constant has it, once. */
function reportLimitProblems(reports) {
  const stated = [...reports.matchAll(/(\d+) records\s+\(`LEAK_RECORDS_PER_SCOPE`/g)].map((match) => Number(match[1]))
  if (stated.length !== 1)
    return [
      `docs/reports.md must state LEAK_RECORDS_PER_SCOPE once, as "N records (\`LEAK_RECORDS_PER_SCOPE\`"; it does ${stated.length} times`,
    ]
  if (stated[0] !== LEAK_RECORDS_PER_SCOPE)
    return [
      `docs/reports.md says ${stated[0]} records (LEAK_RECORDS_PER_SCOPE); js/core/report-meta.js has ${LEAK_RECORDS_PER_SCOPE}`,
    ]
  return []
}

test('the reports page states the limit on the records a test keeps as js/core/report-meta.js has it', () => {
  assert.deepEqual(reportLimitProblems(PAGES.get('docs/reports.md')), [])
})

/** The kinds table of docs/leaks.md names each kind of the one table (src/resource_kind.rs) once, and no other. */
function kindsTableProblems(page) {
  const section = page.slice(page.indexOf('## Kinds'), page.indexOf('\n## ', page.indexOf('## Kinds') + 1))
  const rows = section.split('\n').filter((line) => line.startsWith('| `'))
  const named = rows.flatMap((row) => [...row.split('|')[1].matchAll(/`([^`]+)`/g)].map((match) => match[1]))
  const problems = []
  for (const kind of KINDS) {
    const times = named.filter((name) => name === kind).length
    if (times !== 1) problems.push(`docs/leaks.md's kinds table names "${kind}" ${times} times, not once`)
  }
  for (const name of named) if (!KINDS.includes(name)) problems.push(`docs/leaks.md names "${name}", not a kind`)
  return problems
}

test("the kinds page's table names every kind leakwatch reports, once, and no other", () => {
  assert.deepEqual(kindsTableProblems(PAGES.get('docs/leaks.md')), [])
})

// ---------------------------------------------------------------------------------------------------------------
// The checks can fail

test('the checks fail on broken docs', async () => {
  const configuration = PAGES.get('docs/configuration.md')
  const extraOption = configuration.replace(
    '| `enabled` |',
    '| `settle` | `number` | `100` | `100` | misspelt |\n| `enabled` |',
  )
  assert.ok(
    (await optionTableProblems(extraOption)).some((problem) =>
      problem.includes('"settle", which the code does not accept'),
    ),
  )
  const missingOption = configuration.replace(/^\| `onLeak` \|.*\n/m, '')
  assert.ok(
    (await optionTableProblems(missingOption)).some((problem) =>
      problem.includes('accepts "onLeak", which the docs do not name'),
    ),
  )
  const wrongDefault = configuration.replace(
    '| `settleMs` | `number` (ms, 0 to 60000) | `100` |',
    '| `settleMs` | `number` (ms, 0 to 60000) | `50` |',
  )
  assert.ok(
    (await optionTableProblems(wrongDefault)).some((problem) =>
      problem.includes('settleMs: the docs say the default is 50'),
    ),
  )
  const badExample = configuration.replace("| `'file'` | `'test'` |", "| `'file'` | `'tests'` |")
  assert.ok((await optionTableProblems(badExample)).some((problem) => problem.includes('configure.heap: the example')))
  const badReporterExample = configuration.replace(
    "| `'leakwatch-report.html'` | `false` |",
    "| `'leakwatch-report.html'` | `true` |",
  )
  assert.ok(
    (await optionTableProblems(badReporterExample)).some((problem) => problem.includes('reporter.html: the example')),
  )

  const outside = linkProblems('README.md', 'The design is in [DESIGN](../shared/DESIGN.md).\n', textOf)
  assert.match(outside.join('\n'), /leaves the repository/)
  assert.match(linkProblems('README.md', '[x](docs/nowhere.md)\n', textOf).join('\n'), /does not exist/)
  assert.match(
    linkProblems('README.md', '[x](docs/memory.md#no-such-heading)\n', textOf).join('\n'),
    /no heading with the anchor/,
  )
  assert.deepEqual(linkProblems('README.md', '`[x](docs/nowhere.md)` in code is no link\n', textOf), [])

  const readme = PAGES.get('README.md')
  assert.match(readmeProblems(readme + 'x\n'.repeat(README_MAX_LINES)).join('\n'), /keep it under 250/)
  assert.match(
    readmeProblems(readme.replace('npm test      ', 'npm run build\nnpm test')).join('\n'),
    /exactly two set-up commands/,
  )
  assert.match(
    figureProblems(readme.replace('2.49× (Node 20)', '2.94× (Node 20)'), PAGES.get('docs/benchmarks.md')).join('\n'),
    /quotes 2\.94/,
  )
  assert.match(
    sampleFrameProblems(readme.replace('> 12 |   await server.start()', '> 12 |   await server.begin()')).join('\n'),
    /error-path\.test\.ts:12/,
  )

  const leaksPage = PAGES.get('docs/leaks.md')
  assert.match(
    kindsTableProblems(leaksPage.replace('`Worker`, `MessagePort`', '`Worker`')).join('\n'),
    /"MessagePort" 0 times/,
  )
  assert.match(kindsTableProblems(leaksPage.replace('`File handle`', '`File`')).join('\n'), /names "File", not a kind/)

  const usage = '  leakwatch <command> --help\n  leakwatch --version\n'
  const commandHelp = { analyze: 'Options:\n  --find <name>   x\n  --newflag   y\n' }
  assert.match(
    cliFlagProblems(PAGES.get('docs/cli.md'), usage, commandHelp).join('\n'),
    /analyze: --help shows --newflag/,
  )

  assert.match(
    (await sampleCallProblems('x.md', '```js\nconfigure({ settle: 1 })\n```\n')).join('\n'),
    /unknown option "settle"/,
  )

  const reports = PAGES.get('docs/reports.md')
  assert.match(
    reportLimitProblems(
      reports.replace(`${LEAK_RECORDS_PER_SCOPE} records`, `${LEAK_RECORDS_PER_SCOPE + 1} records`),
    ).join('\n'),
    /js\/core\/report-meta\.js has/,
  )
  assert.match(
    reportLimitProblems(reports.replace('(`LEAK_RECORDS_PER_SCOPE`', '(the limit')).join('\n'),
    /it does 0 times/,
  )
})
