/** Where a CLI run writes: anything with `write(text)` (process streams, test buffers). */
export interface CliStream {
  /** Writes text as it is (the CLI adds its own line ends). */
  write(text: string): unknown;
  /** True for a terminal (the progress bar shows only then). */
  isTTY?: boolean;
}

/** The streams of one CLI run, and the directory relative paths are read from. */
export interface CliIO {
  /** Results: reports, diagrams, JSON. */
  stdout: CliStream;
  /** Problems and progress. */
  stderr: CliStream;
  /** Base directory for relative paths (default `process.cwd()`). */
  cwd?: string;
}

/** Writes a line. */
export function line(stream: CliStream, text = ''): void {
  stream.write(`${text}\n`);
}
