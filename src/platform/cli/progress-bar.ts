import { SingleBar } from 'cli-progress';

/** How far a long step is: a count of a unit (tickets, zones). */
export interface ProgressCount {
  done: number;
  total: number;
  unit: string;
}
export type Progress = (message: string, count?: ProgressCount) => void;

/**
 * A tool's Progress on a terminal: counted steps as a bar on stderr, one per unit, other messages as lines.
 * Where stderr is not a terminal (a pipe, a CI log) messages are lines on stdout, a counted step's at most
 * one a second besides its first and last.
 */
export function progressBar(stream: NodeJS.WriteStream = process.stderr): { progress: Progress; stop(): void } {
  if (!stream.isTTY) return { progress: lines(), stop: () => undefined };
  let bar: SingleBar | undefined;
  let unit: string | undefined;
  const stop = () => {
    bar?.stop();
    bar = undefined;
    unit = undefined;
  };
  return {
    progress(message, count) {
      if (count === undefined) {
        stop();
        stream.write(`  ${message}\n`);
        return;
      }
      if (count.unit !== unit) {
        stop();
        unit = count.unit;
        bar = new SingleBar({ format: `  {unit} [{bar}] {value}/{total}`, stream, hideCursor: true });
        bar.start(count.total, 0, { unit });
      }
      bar?.update(count.done);
    },
    stop,
  };
}

function lines(): Progress {
  let unit: string | undefined;
  let printedAt = 0;
  return (message, count) => {
    const now = Date.now();
    const first = count?.unit !== unit;
    unit = count?.unit;
    if (count !== undefined && !first && count.done < count.total && now - printedAt < 1000) return;
    printedAt = now;
    console.log(`  ${message}`);
  };
}
