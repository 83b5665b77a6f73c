// The HTML report's stylesheet, inlined in the page (the page loads nothing). SVG marks are styled here by class,
// never by style attributes, which the page's Content-Security-Policy would refuse.

export const REPORT_CSS = `
:root { --ink: #1a202c; --muted: #5a6473; --line: #d5dbe3; --bg: #ffffff; --panel: #f6f8fa;
  --blue: #2b6cb0; --red: #c53030; --amber: #b7791f; --green: #2f855a; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--bg); }
header { padding: 16px 24px 8px; border-bottom: 1px solid var(--line); }
h1 { font-size: 20px; margin: 0 0 4px; }
h2 { font-size: 16px; margin: 24px 0 8px; }
h3 { font-size: 15px; margin: 0 0 4px; overflow-wrap: anywhere; }
h4 { font-size: 13px; margin: 12px 0 4px; }
main { padding: 0 24px 32px; max-width: 1400px; }
code, pre, .site { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 12px; }
pre { white-space: pre; overflow-x: auto; background: var(--panel); padding: 8px; border-radius: 4px; margin: 4px 0; }
.muted, .meta { color: var(--muted); }
.meta { margin: 0; font-size: 12px; overflow-wrap: anywhere; }
.verdict { font-size: 15px; margin: 12px 0 0; }
.verdict.bad { color: var(--red); }
.verdict.good { color: var(--green); }
.cards { display: flex; flex-wrap: wrap; gap: 8px; margin-top: 12px; }
.card { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; min-width: 120px; }
.card .figure { font-size: 20px; font-weight: 600; display: block; }
.card .label { color: var(--muted); font-size: 12px; }
.kinds { margin: 8px 0 0; color: var(--muted); }
.card.bad .figure { color: var(--red); }
.card.warn .figure { color: var(--amber); }
.callout { border-left: 4px solid var(--amber); background: #fffaf0; padding: 6px 10px; margin: 8px 0; white-space: pre-wrap; overflow-wrap: anywhere; }
.callout.error { border-color: var(--red); background: #fff5f5; }
.slope { margin: 4px 0; }
.chart-wrap { border: 1px solid var(--line); border-radius: 6px; padding: 4px; }
.chart { width: 100%; height: auto; display: block; cursor: crosshair; user-select: none; }
.chart text { font-size: 11px; fill: var(--muted); }
.chart .axis-title { font-size: 12px; }
.chart .chart-note { font-size: 14px; fill: var(--ink); }
.chart .grid { stroke: #e6eaef; stroke-width: 1; }
.chart .axis { stroke: #9aa5b1; stroke-width: 1; }
.band-even rect { fill: #f1f4f8; }
.band-odd rect { fill: #ffffff; }
.band-warning rect, .swatch-band-warning { fill: #fff4d6; }
.band-error rect { fill: #fde2e2; }
.band:hover rect { fill: #e3ebf5; }
.chart .band-label { fill: var(--ink); }
.band-mark { stroke: #b8c2cc; stroke-width: 1; }
.chart .band-leaky .band-label, .swatch-file-leak { fill: var(--red); font-weight: 600; font-size: 11px; }
.band-leaky .band-mark { stroke: var(--red); stroke-width: 2; }
.no-heap-lane { fill: #eceff3; }
.point { stroke-width: 1.2; }
.point.after-gc { fill: var(--blue); stroke: var(--blue); }
.point.no-gc { fill: #ffffff; stroke: var(--blue); }
.point.no-heap { fill: #8795a8; stroke: #8795a8; }
.point.leaky { fill: var(--red); stroke: #7b1d1d; }
.point.leaky.no-gc { fill: #ffffff; stroke: var(--red); stroke-width: 2; }
.point.failed { stroke: #000000; stroke-width: 2; }
.point:hover { stroke: #000000; stroke-width: 2.5; }
.point.selected { stroke: #dd6b20; stroke-width: 3.5; }
.leak-tick { stroke: var(--red); stroke-width: 2; }
.trend { stroke: var(--amber); stroke-width: 2; fill: none; }
.selection-line { stroke: #4a5568; stroke-width: 1; stroke-dasharray: 2 3; pointer-events: none; }
.swatch-band { fill: #f1f4f8; stroke: var(--line); }
.legend { list-style: none; padding: 0; margin: 8px 0 0; display: flex; flex-wrap: wrap; gap: 4px 18px; font-size: 12px; color: var(--muted); }
.legend li { display: flex; align-items: center; gap: 6px; }
.swatch { width: 16px; height: 16px; flex: none; }
.heap-note { font-size: 12px; color: var(--muted); margin: 6px 0 0; }
#details { margin-top: 16px; border: 1px solid var(--line); border-radius: 6px; padding: 12px 16px; background: var(--panel); min-height: 60px; }
.details-where { color: var(--muted); margin: 0 0 8px; }
.figures { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0; }
.figures dt { color: var(--muted); }
.figures dd { margin: 0; overflow-wrap: anywhere; white-space: pre-wrap; }
.warnings, .frames, .test-list { margin: 2px 0; padding-left: 20px; }
.leaks { list-style: none; padding: 0; margin: 4px 0; }
.leak { border-left: 3px solid var(--red); padding: 4px 10px; margin: 6px 0; background: var(--bg); }
.leak .kind { font-weight: 600; }
.leak-line { margin-top: 2px; overflow-wrap: anywhere; }
.leak .note { color: var(--muted); }
.clean { color: var(--green); }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { text-align: left; vertical-align: top; padding: 5px 8px; border-bottom: 1px solid var(--line); overflow-wrap: anywhere; }
th { background: var(--panel); position: sticky; top: 0; }
tbody tr { cursor: pointer; }
tbody tr:hover, tbody tr:focus { background: #eef4fb; outline: none; }
td.num, th.num { text-align: right; white-space: nowrap; }
.tag { display: inline-block; padding: 0 6px; border-radius: 8px; font-size: 11px; background: #e2e8f0; margin-right: 4px; }
.tag.bad { background: #fed7d7; color: #742a2a; }
.tag.warn { background: #feebc8; color: #7b341e; }
.file-scope { font-style: italic; color: var(--muted); }
button.link { background: none; border: none; padding: 0; color: var(--blue); cursor: pointer; font: inherit; text-align: left; overflow-wrap: anywhere; }
button.link:hover { text-decoration: underline; }
#find { width: min(480px, 100%); padding: 5px 8px; font: inherit; border: 1px solid var(--line); border-radius: 4px; }
#find-results { margin: 6px 0; padding-left: 20px; }
details > summary { cursor: pointer; color: var(--blue); }
`
