// The HTML report's script, run in the browser: clicking a chart point, a leak or a file, or a search result shows
// that test's (or file's) details. The report's data comes from the page's JSON block; every piece of it reaches the
// page as textContent, never as markup, so a test named `<img src=x onerror=...>` is text.
//
// A plain browser script, not a module: index.js reads this file as text and inlines it (a function's own source, by
// toString(), would be whatever a loader such as vitest's made of it). It must use nothing the page's
// Content-Security-Policy forbids: no eval, no inline handlers, no fetch.

/* eslint-env browser */
;(() => {
  'use strict'
  const { report, order, heapMode, failureWords, kindsWithoutHandle } = JSON.parse(
    document.getElementById('leakwatch-data').textContent,
  )
  const details = document.getElementById('details')
  const chart = document.getElementById('heap-chart')
  const selectionLine = document.getElementById('selection-line')
  let selectedPoint = null

  /* shared: formatBytes from js/core/bytes.js */
  const signedBytes = (bytes) => `${bytes > 0 ? '+' : ''}${formatBytes(bytes)}`
  /** What the address (`#test-12`) and the details panel's data-selected call a selection: counted from 1, as shown. */
  const selectionName = (kind, index) => `${kind}-${index + 1}`

  /** An element with text: the only way data enters the page. */
  function el(tag, className, text) {
    const element = document.createElement(tag)
    if (className) element.className = className
    if (text !== undefined && text !== null) element.textContent = String(text)
    return element
  }
  function append(parent, ...children) {
    for (const child of children) if (child) parent.append(child)
    return parent
  }
  function frameText(frame) {
    const place = `${frame.file}:${frame.line}:${frame.column}`
    return `${frame.isAsync ? 'async ' : ''}${frame.function ? `${frame.function} (${place})` : place}`
  }
  function definitionList(rows) {
    const list = el('dl', 'figures')
    for (const [term, value] of rows) append(list, el('dt', '', term), el('dd', '', value))
    return list
  }
  /** `2 × TCP socket, 1 × Interval`, or null when there is nothing. */
  function countsText(counts) {
    const entries = Object.entries(counts ?? {}).filter(([, count]) => count !== 0)
    return entries.length === 0 ? null : entries.map(([name, count]) => `${count} × ${name}`).join(', ')
  }

  /* shared: leakCountOf from js/reporter/html/scope-leaks.js */
  /* shared: leakGroupsOf from js/reporter/html/scope-leaks.js */

  /** A creation site: its first leak in full, with the count and the description of them all. */
  function leakElement(leak, group) {
    const item = el('li', 'leak')
    const count = group.count > 1 ? `${group.count} × ` : ''
    append(item, el('span', 'kind', `${count}${leak.kind}`), el('span', 'description', ` ${group.description}`))
    if (!kindsWithoutHandle.includes(leak.kind)) {
      append(
        item,
        el('div', 'leak-line', leak.hasRef ? 'keeps the process alive' : "unref'd: does not keep the process alive"),
      )
    }
    if (leak.emitter || leak.event)
      append(item, el('div', 'leak-line', `emitter ${leak.emitter ?? '?'}, event "${leak.event ?? '?'}"`))
    if (leak.site) {
      const where = `${leak.site.file}:${leak.site.line}:${leak.site.column}`
      const line = append(el('div', 'leak-line', 'created at '), el('code', 'site', where))
      if (leak.site.function) append(line, el('span', '', ` in ${leak.site.function}`))
      append(item, line)
    } else {
      append(item, el('div', 'leak-line', 'created with no frame of your code on the stack'))
    }
    const chain = leak.site ? (leak.userFrames ?? []) : (leak.topFrames ?? [])
    if (chain.length > 0) {
      const list = el('ol', 'frames')
      for (const frame of chain) append(list, el('li', '', frameText(frame)))
      append(item, el('div', 'leak-line', leak.site ? 'called from:' : 'the stack begins:'), list)
    }
    if (leak.cause) append(item, el('div', 'leak-line', leak.cause))
    if (leak.note) append(item, el('div', 'leak-line note', leak.note))
    if (leak.retainerPath)
      append(item, el('div', 'leak-line', 'retained by:'), el('pre', 'retainer-path', leak.retainerPath))
    return item
  }
  function leaksBlock(title, scope) {
    const total = leakCountOf(scope)
    if (total === 0) return null
    const groups = leakGroupsOf(scope)
    const list = el('ul', 'leaks')
    for (const group of groups) append(list, leakElement(scope.leaks[group.leak], group))
    const block = append(el('div'), el('h4', '', `${title} (${total})`), list)
    const sitesLeft = (Number.isFinite(scope.leakGroupCount) ? scope.leakGroupCount : groups.length) - groups.length
    const listed = groups.reduce((sum, group) => sum + (Number(group.count) || 0), 0)
    if (sitesLeft > 0)
      append(
        block,
        el('p', 'muted', `and ${total - listed} more at ${sitesLeft} more creation sites: counted, not listed`),
      )
    return block
  }
  function warningsBlock(warnings) {
    if (!warnings || warnings.length === 0) return null
    const list = el('ul', 'warnings')
    for (const warning of warnings) append(list, el('li', '', warning))
    return append(el('div'), el('h4', '', 'Warnings'), list)
  }

  /** ` (at its end, by expectNoLeaks())`: why leakwatch failed a test or file, when not only for its leaks at its end. */
  function reasonsText(record) {
    const reasons = Array.isArray(record.failureReasons) ? record.failureReasons : []
    if (reasons.every((reason) => reason === 'leaks')) return ''
    return ` (${reasons.map((reason) => failureWords[reason] ?? reason).join(', ')})`
  }

  function stateText(state) {
    const words = {
      pass: 'passed',
      fail: 'failed',
      skip: 'skipped',
      unfinished: 'did not finish (its worker exited, or the run was interrupted): not checked',
    }
    return words[state] ?? String(state)
  }

  function heapText(heap) {
    if (!heap) return heapMode === 'off' ? "no heap figure (heap: 'off')" : 'no heap figure'
    return heap.afterGc
      ? `${formatBytes(heap.heapBytes)} after GC`
      : `${formatBytes(heap.heapBytes)} as it was (no GC forced: garbage included)`
  }

  function showTest(id) {
    const [fileIndex, testIndex] = order[id]
    const file = report.files[fileIndex]
    const test = file.tests[testIndex]
    const ranInFile = order.filter(([f]) => f === fileIndex).length
    const positionInFile = order.slice(0, id).filter(([f]) => f === fileIndex).length + 1
    const states = []
    states.push(stateText(test.state))
    if (test.failedByLeaks) states.push(`failed by leaks${reasonsText(test)}`)
    if (test.warned) states.push("leaked, warned only (onLeak: 'warn')")
    if (test.allowed) states.push('leaks allowed (allowLeaks())')
    const heap = test.heap
    const rows = [
      ['file', file.file],
      ['state', states.join(', ')],
      ['heap', heapText(heap)],
    ]
    if (heap) {
      rows.push([
        'heap change',
        heap.heapDeltaBytes === null || heap.heapDeltaBytes === undefined
          ? 'not known (needs this test and the one before it after GC)'
          : `${signedBytes(heap.heapDeltaBytes)} since the previous test (both after GC)`,
      ])
      rows.push(['native memory', formatBytes(heap.nativeBytes)])
    }
    if (typeof test.durationMs === 'number') rows.push(['duration', `${Math.round(test.durationMs)} ms`])
    const counts = [
      ['created', test.created, ' (the runner’s own timers included)'],
      ['open at its end', test.handles, ''],
      ['listeners left', test.listeners, ''],
    ]
    for (const [term, figures, note] of counts) {
      const text = countsText(figures)
      if (text) rows.push([term, text + note])
    }
    details.replaceChildren()
    append(
      details,
      el('h3', 'details-name', test.name),
      el(
        'p',
        'details-where',
        `test ${positionInFile} of ${ranInFile} run in this file; #${id + 1} of ${order.length} in the run`,
      ),
      definitionList(rows),
      leaksBlock('Leaks', test),
      warningsBlock(test.warnings),
    )
    if (leakCountOf(test) === 0)
      append(details, el('p', 'clean', test.allowed ? 'Not checked: the test allows leaks.' : 'No leaks.'))
    details.dataset.selected = selectionName('test', id)
  }

  function showFile(fileIndex) {
    const file = report.files[fileIndex]
    const ran = order.map((entry, id) => [entry, id]).filter(([[f]]) => f === fileIndex)
    const leaky = ran.filter(([[, t]]) => leakCountOf(file.tests[t]) > 0).length
    const rows = []
    if (file.state) {
      const states = [stateText(file.state)]
      if (file.failedByLeaks) {
        const reasons = Array.isArray(file.failureReasons) ? file.failureReasons : []
        const others = reasons.filter((reason) => reason !== 'leaks')
        if (reasons.length === 0 || reasons.includes('leaks')) states.push('failed by leaks of the file scope')
        if (others.length > 0)
          states.push(`failed ${others.map((reason) => failureWords[reason] ?? reason).join(' and ')}`)
      }
      if (file.warned) states.push("file scope leaked, warned only (onLeak: 'warn')")
      if (file.allowed) states.push('leaks allowed (allowLeaks() at module level)')
      rows.push(['state', states.join(', ')])
    }
    rows.push(['tests', `${ran.length} ran, ${file.tests.length - ran.length} skipped; ${leaky} leaked`])
    if (file.project) rows.push(['project', file.project])
    if (file.pool)
      rows.push([
        'pool',
        `${file.pool}${file.workerId === null || file.workerId === undefined ? '' : `, worker ${file.workerId}`}`,
      ])
    if (file.heap) {
      const samples = Number(file.heap.samples) || 0
      rows.push([
        'heap slope',
        samples >= 2
          ? `${signedBytes(file.heap.slopeBytesPerTest)} per test (${samples} samples after GC)`
          : `too few samples after GC to fit one (${samples})`,
      ])
      if (file.heap.error) rows.push(['heap limit', file.heap.error])
      if (file.heap.warning) rows.push(['heap warning', file.heap.warning])
    }
    details.replaceChildren()
    append(
      details,
      el('h3', 'details-name', file.file),
      el('p', 'details-where', 'the file: its module level, beforeAll and afterAll hooks'),
      definitionList(rows),
      leaksBlock('Leaks of the file scope', file),
      warningsBlock(file.warnings),
    )
    if (ran.length > 0) {
      const list = el('ol', 'test-list')
      for (const [[, t], id] of ran.slice(0, 500)) {
        const button = el('button', 'link', file.tests[t].name)
        button.type = 'button'
        button.dataset.i = String(id)
        append(list, append(el('li'), button))
      }
      append(details, el('h4', '', 'Tests'), list)
      if (ran.length > 500) append(details, el('p', '', `and ${ran.length - 500} more`))
    }
    details.dataset.selected = selectionName('file', fileIndex)
  }

  function markPoint(id) {
    if (selectedPoint) selectedPoint.classList.remove('selected')
    selectedPoint = chart ? chart.querySelector(`circle[data-i="${id}"]`) : null
    if (selectedPoint) {
      selectedPoint.classList.add('selected')
      selectionLine.setAttribute('x1', selectedPoint.getAttribute('cx'))
      selectionLine.setAttribute('x2', selectedPoint.getAttribute('cx'))
      selectionLine.setAttribute('visibility', 'visible')
    }
  }

  function selectTest(id, scroll) {
    if (!(id >= 0 && id < order.length)) return
    markPoint(id)
    showTest(id)
    history.replaceState(null, '', `#${selectionName('test', id)}`)
    if (scroll) details.scrollIntoView({ block: 'nearest' })
  }
  function selectFile(fileIndex, scroll) {
    if (!report.files[fileIndex]) return
    if (selectedPoint) selectedPoint.classList.remove('selected')
    selectionLine?.setAttribute('visibility', 'hidden')
    showFile(fileIndex)
    history.replaceState(null, '', `#${selectionName('file', fileIndex)}`)
    if (scroll) details.scrollIntoView({ block: 'nearest' })
  }

  // The chart: a point, or anywhere on the plot (the nearest test by run order: points are small when there are
  // thousands).
  if (chart) {
    const plotLeft = Number(chart.dataset.plotLeft)
    const step = Number(chart.dataset.step)
    chart.addEventListener('click', (event) => {
      const point = event.target.closest('[data-i]')
      if (point) return selectTest(Number(point.dataset.i), false)
      const matrix = chart.getScreenCTM()
      if (!matrix) return
      const at = new DOMPoint(event.clientX, event.clientY).matrixTransform(matrix.inverse())
      const id = Math.floor((at.x - plotLeft) / step)
      if (id >= 0 && id < order.length) selectTest(id, false)
    })
  }

  // Rows of the leak and file tables, and the test buttons in details and search results.
  function activate(target) {
    const button = target.closest('button[data-i]')
    if (button) {
      selectTest(Number(button.dataset.i), true)
      return true
    }
    const row = target.closest('tr[data-f]')
    if (!row || target.closest('summary')) return false
    const id = Number(row.dataset.i)
    if (row.dataset.i !== undefined && id >= 0) selectTest(id, true)
    else selectFile(Number(row.dataset.f), true)
    return true
  }
  document.addEventListener('click', (event) => {
    if (!chart || !chart.contains(event.target)) activate(event.target)
  })
  document.addEventListener('keydown', (event) => {
    if ((event.key === 'Enter' || event.key === ' ') && event.target.matches('tr[data-f]')) {
      if (activate(event.target)) event.preventDefault()
    }
  })

  // Finding a test by name among thousands.
  const find = document.getElementById('find')
  const results = document.getElementById('find-results')
  if (find && results) {
    find.addEventListener('input', () => {
      const query = find.value.trim().toLowerCase()
      results.replaceChildren()
      if (!query) return
      let shown = 0
      for (let id = 0; id < order.length && shown < 50; id++) {
        const [f, t] = order[id]
        const name = report.files[f].tests[t].name
        if (!`${report.files[f].file} > ${name}`.toLowerCase().includes(query)) continue
        const button = el('button', 'link', name)
        button.type = 'button'
        button.dataset.i = String(id)
        append(results, append(el('li'), button, el('span', 'muted', ` ${report.files[f].file}`)))
        shown++
      }
      if (shown === 0) append(results, el('li', 'muted', 'no test matches'))
    })
  }

  const linked = /^#(test|file)-(\d+)$/.exec(location.hash)
  if (linked) (linked[1] === 'test' ? selectTest : selectFile)(Number(linked[2]) - 1, true)
})()
