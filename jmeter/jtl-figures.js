// Reads a JMeter results file (.jtl, CSV with its header line: -Jjmeter.save.saveservice.print_field_names=true)
// into the figures a seat-conflict run is judged by. Works for the columns of both JMeter 2.13 and 5.x,
// which differ, by reading the header.

/** RFC 4180 rows: JMeter quotes a field that holds the delimiter, a quote or a line break. */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
}

/** Nearest-rank percentile of an ascending array. */
function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/**
 * Samples, status counts, assertion failures, throughput over the whole run (first start to last end) and
 * latency percentiles in ms. `statuses` counts every response code, including JMeter's own texts for a
 * request that got no HTTP answer ("Non HTTP response code: …").
 */
function jtlFigures(text) {
  const [header, ...rows] = parseCsv(text);
  if (header === undefined || !header.includes('responseCode')) {
    throw new Error('the .jtl has no header line (run JMeter with -Jjmeter.save.saveservice.print_field_names=true)');
  }
  const column = (name) => {
    const index = header.indexOf(name);
    if (index < 0) throw new Error(`the .jtl has no ${name} column (header: ${header.join(',')})`);
    return index;
  };
  const [timeStamp, elapsed, responseCode, success] = ['timeStamp', 'elapsed', 'responseCode', 'success'].map(column);
  const statuses = {};
  const latencies = [];
  let failed = 0;
  let first = Infinity;
  let last = -Infinity;
  for (const row of rows) {
    if (row.length < header.length) continue;
    const code = row[responseCode];
    statuses[code] = (statuses[code] ?? 0) + 1;
    if (row[success] !== 'true') failed++;
    const start = Number(row[timeStamp]);
    const ms = Number(row[elapsed]);
    latencies.push(ms);
    first = Math.min(first, start);
    last = Math.max(last, start + ms);
  }
  latencies.sort((a, b) => a - b);
  const samples = latencies.length;
  const created = statuses['201'] ?? 0;
  const conflicts = statuses['409'] ?? 0;
  return {
    samples,
    created,
    conflicts,
    other: samples - created - conflicts,
    failed,
    statuses,
    durationMs: samples === 0 ? 0 : last - first,
    throughput: samples === 0 ? 0 : samples / ((last - first) / 1000),
    p50: percentile(latencies, 50),
    p90: percentile(latencies, 90),
    p99: percentile(latencies, 99),
    max: samples === 0 ? NaN : latencies[samples - 1],
  };
}

module.exports = { jtlFigures, parseCsv, percentile };
