// Turns the raw runs into medians/ratios and the printed tables, one per Node line.
export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * Per config: the medians, their ratios to the first config's (plain vitest), and the spread of the per-round ratios
 * (each run against the first config's run of the same round and line): how far one round's figure strays.
 */
export function summarize(configs, runs) {
  const base = configs[0].id;
  const summary = {};
  for (const c of configs) {
    const mine = runs.filter((r) => r.config === c.id);
    summary[c.id] = {
      wallS: median(mine.map((r) => r.wallS)),
      cpuS: median(mine.map((r) => r.cpuS)),
      userS: median(mine.map((r) => r.userS)),
    };
    const paired = mine
      .map((r) => [r, runs.find((b) => b.config === base && b.round === r.round)])
      .filter(([, b]) => b !== undefined);
    const wallRatios = paired.map(([r, b]) => r.wallS / b.wallS);
    const cpuRatios = paired.map(([r, b]) => r.cpuS / b.cpuS);
    summary[c.id].wallRatioRange = [Math.min(...wallRatios), Math.max(...wallRatios)];
    summary[c.id].cpuRatioRange = [Math.min(...cpuRatios), Math.max(...cpuRatios)];
  }
  for (const s of Object.values(summary)) {
    s.wallRatio = s.wallS / summary[base].wallS;
    s.cpuRatio = s.cpuS / summary[base].cpuS;
    s.userRatio = s.userS / summary[base].userS;
  }
  return summary;
}

const f2 = (n) => n.toFixed(2);
const range = ([low, high]) => `${f2(low)}-${f2(high)}`;
const row = (cells, widths) =>
  cells
    .map((c, i) => String(c).padEnd(widths[i]))
    .join('  ')
    .trimEnd();

/** One Node line's table: medians, ratios to plain vitest, and the spread of the per-round ratios. */
export function formatLine({ node, configs, summary }) {
  const base = configs[0].id;
  const lines = [`node ${node.version}${node.own ? " (this machine's)" : ''}`];
  const w = [34, 7, 7, 7, 7, 7, 11, 11];
  lines.push(
    row(['config', 'wall s', 'CPU s', `wall/${base}`, `CPU/${base}`, `user/${base}`, 'wall/A range', 'CPU/A range'], w),
  );
  for (const c of configs) {
    const s = summary[c.id];
    const ranges = c.id === base ? ['', ''] : [range(s.wallRatioRange), range(s.cpuRatioRange)];
    lines.push(
      row(
        [`${c.id}  ${c.label}`, f2(s.wallS), f2(s.cpuS), f2(s.wallRatio), f2(s.cpuRatio), f2(s.userRatio), ...ranges],
        w,
      ),
    );
  }
  return lines.join('\n');
}

export function formatReport({ machine, suite, rounds, configs, lines, runs }) {
  const out = [
    `machine: ${machine.nproc} CPUs (${machine.cpuModel}), vitest ${machine.vitest}, ${machine.os}`,
    `suite: ${suite.tests} tests in ${suite.files} files; ${rounds} interleaved rounds per Node line; medians; CPU = user+sys of the whole process tree;`,
    `ranges: the lowest and highest per-round ratio (a run against plain vitest's run of the same round), the noise`,
  ];
  for (const line of lines) out.push('', formatLine({ node: line.node, configs, summary: line.summary }));
  out.push('', 'per run (in execution order):');
  const rw = [6, 6, 7, 7, 7, 7, 7];
  out.push(row(['node', 'round', 'config', 'wall s', 'CPU s', 'user s', 'sys s'], rw));
  for (const r of runs)
    out.push(row([r.line, r.round, r.config, f2(r.wallS), f2(r.cpuS), f2(r.userS), f2(r.sysS)], rw));
  return out.join('\n');
}
