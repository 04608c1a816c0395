// CPU time per process from /proc (Linux): which process of the colocated stack takes the cores during a
// run. Processes are the bench's own children plus the shared servers found by name.
const { readdirSync, readFileSync } = require('node:fs');

const TICKS_PER_SECOND = 100;

function cpuSeconds(pid) {
  try {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

function pidsByName(names) {
  const found = {};
  let entries;
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return found;
  }
  for (const pid of entries) {
    try {
      const comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      const name = names.find((n) => comm.startsWith(n));
      if (name !== undefined) (found[name] ??= []).push(Number(pid));
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

/** The process and its descendants (an API supervising its cluster processes counts as all of them). */
function withDescendants(pid) {
  const all = [pid];
  for (let i = 0; i < all.length; i++) {
    try {
      const children = readFileSync(`/proc/${all[i]}/task/${all[i]}/children`, 'utf8').trim();
      if (children) all.push(...children.split(' ').map(Number));
    } catch {
      // gone, or no /proc
    }
  }
  return all;
}

/** Starts counting; `stop()` returns each process's share of one core (percent) since the start. */
function measureCpu(processes) {
  const shared = pidsByName(['beam.smp', 'mariadbd', 'mysqld']);
  const all = { ...processes };
  for (const [name, pids] of Object.entries(shared)) all[name === 'beam.smp' ? 'rabbitmq' : 'mysql'] = pids;
  const read = () =>
    Object.fromEntries(
      Object.entries(all).map(([name, pids]) => [
        name,
        [pids]
          .flat()
          // The load generator's children are the stack itself: count the bench process alone.
          .flatMap((pid) => (name === 'loadgen' ? [pid] : withDescendants(pid)))
          .reduce((sum, pid) => sum + (cpuSeconds(pid) ?? 0), 0),
      ]),
    );
  const before = read();
  const started = process.hrtime.bigint();
  return {
    stop() {
      const after = read();
      const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
      return Object.fromEntries(
        Object.entries(after).map(([name, seconds]) => [name, Math.round((100 * (seconds - before[name])) / elapsed)]),
      );
    },
  };
}

/** Connections the kernel refused because a listen queue was full, machine-wide, since boot (Linux). */
function listenOverflows() {
  try {
    const [names, values] = readFileSync('/proc/net/netstat', 'utf8').split('\n');
    const i = names.split(' ').indexOf('ListenOverflows');
    return i < 0 ? undefined : Number(values.split(' ')[i]);
  } catch {
    return undefined;
  }
}

module.exports = { cpuSeconds, measureCpu, withDescendants, listenOverflows };
