import type { CliStream } from './io.js';

/** Progress of a long run on stderr: a line redrawn in place on a terminal, periodic lines elsewhere. */
export interface ProgressReporter {
  /** `done` of `total` units; `steps` done so far (for the rate). */
  update(done: number, total: number, steps: number): void;
  /** Ends the run's progress (a final line). */
  finish(steps: number): void;
}

function clock(seconds: number): string {
  if (!Number.isFinite(seconds)) return '–';
  const s = Math.max(0, Math.round(seconds));
  return s >= 3600 ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m` : s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/**
 * A progress reporter: percentage, what is being counted (`unit` of `total`), steps per second
 * and the estimated time left. On a terminal the line is redrawn at most 10 times a second; off a
 * terminal (CI logs, pipes) a line is written every `intervalMs` (default 5 s), and a last one
 * at the end when any was written.
 */
export function createProgress(stream: CliStream, label: string, options: { describe: (done: number, total: number) => string; intervalMs?: number; now?: () => number }): ProgressReporter {
  const now = options.now ?? (() => Date.now());
  const started = now();
  const tty = stream.isTTY === true;
  const every = tty ? 100 : (options.intervalMs ?? 5000);
  let last = started;
  let written = 0;
  const line = (done: number, total: number, steps: number) => {
    const elapsed = (now() - started) / 1000;
    const share = total > 0 ? done / total : 1;
    const rate = elapsed > 0 ? steps / elapsed : 0;
    const eta = share > 0 ? (elapsed * (1 - share)) / share : Infinity;
    return `${label} ${(share * 100).toFixed(0).padStart(3)}% ${options.describe(done, total)} · ${Math.round(rate).toLocaleString('en-US')} steps/s · ${share >= 1 ? `done in ${clock(elapsed)}` : `ETA ${clock(eta)}`}`;
  };
  return {
    update(done, total, steps) {
      const t = now();
      if (t - last < every) return;
      last = t;
      written++;
      stream.write(tty ? `\r${line(done, total, steps)}\u001b[K` : `${line(done, total, steps)}\n`);
    },
    finish(steps) {
      // a run too short for a periodic line stays silent off a terminal
      if (!tty && written === 0) return;
      stream.write(tty ? `\r${line(1, 1, steps)}\u001b[K\n` : `${line(1, 1, steps)}\n`);
    },
  };
}
