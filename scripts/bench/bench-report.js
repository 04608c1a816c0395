// How the ladder reads: the table (JMeter's summary columns plus what the platform adds), the results
// JSON, and a self-contained HTML chart (inline SVG, nothing fetched) of throughput and latency per ratio.
const { existsSync, mkdirSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { ROOT } = require('./bench-support');

const seconds = (ms) => (ms === undefined ? 'n/a' : (ms / 1000).toFixed(1));
const COLUMNS = [
  ['dup %', (r) => Math.round(r.ratio * 100)],
  ['samples', (r) => r.api.samples],
  ['p50 ms', (r) => r.api.latencyMs.p50],
  ['p99 ms', (r) => r.api.latencyMs.p99],
  ['error %', (r) => ((100 * (r.api.statuses['409'] ?? 0)) / r.api.samples).toFixed(1)],
  ['req/s', (r) => r.api.requestsPerSecond],
  ['recv KB/s', (r) => r.api.receivedKBps],
  ['sent KB/s', (r) => r.api.sentKBps],
  ['ceiling req/s', (r) => r.ceiling?.requestsPerSecond ?? 'n/a'],
  ['API/ceiling', (r) => r.ceilingRatio ?? 'n/a'],
  ['API µs/req', (r) => r.api.cpuMicrosPerRequest?.api ?? 'n/a'],
  ['ceiling µs/req', (r) => r.ceiling?.cpuMicrosPerRequest?.ceiling ?? 'n/a'],
  ['201=seats', (r) => (r.createdEqualsDistinct ? 'yes' : 'NO')],
  ['other', (r) => r.otherStatuses],
  ['timeouts', (r) => r.api.timeouts],
  ['SYN drops', (r) => r.api.listenOverflows ?? 'n/a'],
  ['MySQL s', (r) => seconds(r.drain.readModelMs)],
  ['DynamoDB s', (r) => seconds(r.drain.writeStoreMs)],
  ['agree s', (r) => seconds(r.drain.storesAgreeMs)],
  ['API MiB', (r) => r.peakRssMiB.api ?? 'n/a'],
  ['worker MiB', (r) => r.peakRssMiB.worker ?? 'n/a'],
];

/** Prints the runs as a fixed-width table; `header: false` prints rows only (progress while the ladder runs). */
function printTable(runs, { header }) {
  const cells = runs.map((r) => COLUMNS.map(([, value]) => String(value(r))));
  const widths = COLUMNS.map(([name], i) => Math.max(name.length, ...cells.map((row) => row[i].length)));
  const line = (values) => `  ${values.map((v, i) => v.padStart(widths[i])).join('  ')}`;
  if (header) console.log(line(COLUMNS.map(([name]) => name)));
  for (const row of cells) console.log(line(row));
  for (const r of runs) {
    const share = (cpu) =>
      Object.entries(cpu ?? {})
        .map(([name, pct]) => `${name} ${pct}%`)
        .join(', ');
    console.log(`    CPU during ${Math.round(r.ratio * 100)}% run, % of one core: API run: ${share(r.api.cpuPercent)}`);
    if (r.ceiling !== undefined) console.log(`      ceiling run: ${share(r.ceiling.cpuPercent)}`);
  }
}

/** An SVG line chart: one polyline per series over the ratios. */
function lineChart(title, unit, runs, series) {
  const width = 640;
  const height = 300;
  const pad = { left: 60, right: 150, top: 30, bottom: 40 };
  const values = series.flatMap((s) => runs.map(s.value)).filter((v) => typeof v === 'number');
  const max = Math.max(1, ...values) * 1.1;
  const x = (i) => pad.left + (runs.length === 1 ? 0 : (i * (width - pad.left - pad.right)) / (runs.length - 1));
  const y = (v) => height - pad.bottom - (v / max) * (height - pad.top - pad.bottom);
  const grid = [0, 0.25, 0.5, 0.75, 1]
    .map((f) => {
      const v = max * f;
      return `<line x1="${pad.left}" x2="${width - pad.right}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/>
<text x="${pad.left - 6}" y="${y(v) + 4}" text-anchor="end" font-size="11">${Math.round(v)}</text>`;
    })
    .join('\n');
  const labels = runs
    .map(
      (r, i) =>
        `<text x="${x(i)}" y="${height - pad.bottom + 16}" text-anchor="middle" font-size="11">${Math.round(r.ratio * 100)}%</text>`,
    )
    .join('\n');
  const lines = series
    .map((s, k) => {
      const points = runs.map((r, i) => [x(i), s.value(r)]).filter(([, v]) => typeof v === 'number');
      const path = points.map(([px, v]) => `${px},${y(v)}`).join(' ');
      const dots = points.map(([px, v]) => `<circle cx="${px}" cy="${y(v)}" r="3" fill="${s.color}"/>`).join('');
      return `<polyline points="${path}" fill="none" stroke="${s.color}" stroke-width="2"/>${dots}
<text x="${width - pad.right + 10}" y="${pad.top + 16 * k + 10}" font-size="12" fill="${s.color}">${s.name}</text>`;
    })
    .join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" role="img" aria-label="${title}">
<text x="${pad.left}" y="18" font-size="14" font-weight="bold">${title} (${unit})</text>
${grid}
${labels}
<text x="${(width - pad.right + pad.left) / 2}" y="${height - 6}" text-anchor="middle" font-size="11">duplicate ratio</text>
${lines}
</svg>`;
}

function chartPage(results) {
  const runs = results.runs;
  const throughput = lineChart('Throughput per duplicate ratio', 'requests/s', runs, [
    { name: 'API', color: '#1f77b4', value: (r) => r.api.requestsPerSecond },
    { name: 'ceiling', color: '#aaa', value: (r) => r.ceiling?.requestsPerSecond },
  ]);
  const latency = lineChart('API latency percentiles', 'ms', runs, [
    { name: 'p50', color: '#2ca02c', value: (r) => r.api.latencyMs.p50 },
    { name: 'p90', color: '#ff7f0e', value: (r) => r.api.latencyMs.p90 },
    { name: 'p99', color: '#d62728', value: (r) => r.api.latencyMs.p99 },
  ]);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Seat-conflict ladder ${results.date}</title>
<style>body{font-family:sans-serif;margin:2em}svg{display:block;margin:1em 0}</style></head>
<body><h1>Seat-conflict ladder, ${results.date}</h1>
<p>${results.seats} seats of Venue1, ${results.connections} connections, Node ${results.node}; the ceiling is a bare
node:http server doing one EVALSHA of the same reservation script per request.</p>
${throughput}
${latency}
</body></html>
`;
}

/** Writes bench/results/<date>.json and .html (a suffix keeps earlier runs of the same day). */
function writeResults(results) {
  const dir = join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const date = new Date().toISOString().slice(0, 10);
  let name = date;
  for (let n = 2; existsSync(join(dir, `${name}.json`)); n++) name = `${date}-${n}`;
  const full = { date, ...results };
  const json = join(dir, `${name}.json`);
  const html = join(dir, `${name}.html`);
  writeFileSync(json, `${JSON.stringify(full, null, 2)}\n`);
  writeFileSync(html, chartPage(full));
  return { json, html };
}

module.exports = { printTable, writeResults };
