// Turns the raw runs into medians/ratios and the printed table.
export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export function summarize(configs, runs) {
  const summary = {};
  for (const c of configs) {
    const mine = runs.filter((r) => r.config === c.id);
    summary[c.id] = {
      wallS: median(mine.map((r) => r.wallS)),
      cpuS: median(mine.map((r) => r.cpuS)),
      userS: median(mine.map((r) => r.userS)),
    };
  }
  const base = summary[configs[0].id];
  for (const s of Object.values(summary)) {
    s.wallRatio = s.wallS / base.wallS;
    s.cpuRatio = s.cpuS / base.cpuS;
    s.userRatio = s.userS / base.userS;
  }
  return summary;
}

const f2 = (n) => n.toFixed(2);
const row = (cells, widths) =>
  cells
    .map((c, i) => String(c).padEnd(widths[i]))
    .join('  ')
    .trimEnd();

export function formatReport({ machine, suite, rounds, configs, runs, summary }) {
  const base = configs[0].id;
  const lines = [
    `machine: ${machine.nproc} CPUs (${machine.cpuModel}), node ${machine.node}, vitest ${machine.vitest}, ${machine.os}`,
    `suite: ${suite.tests} tests in ${suite.files} files; ${rounds} interleaved rounds; CPU = user+sys of the whole process tree`,
    '',
  ];
  // User time alone is also shown: on a shared machine sys time swings by seconds between identical runs.
  const w = [34, 14, 13, 9, 8, 9];
  lines.push(row(['config', 'median wall s', 'median CPU s', `wall/${base}`, `CPU/${base}`, `user/${base}`], w));
  for (const c of configs) {
    const s = summary[c.id];
    lines.push(
      row([`${c.id}  ${c.label}`, f2(s.wallS), f2(s.cpuS), f2(s.wallRatio), f2(s.cpuRatio), f2(s.userRatio)], w),
    );
  }
  lines.push('', 'per run (in execution order):');
  const rw = [6, 7, 7, 7, 7, 7];
  lines.push(row(['round', 'config', 'wall s', 'CPU s', 'user s', 'sys s'], rw));
  for (const r of runs) lines.push(row([r.round, r.config, f2(r.wallS), f2(r.cpuS), f2(r.userS), f2(r.sysS)], rw));
  return lines.join('\n');
}
