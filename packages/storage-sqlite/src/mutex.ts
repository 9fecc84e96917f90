/**
 * A FIFO queue of exclusive jobs: better-sqlite3 is synchronous, but transaction callbacks await,
 * so one job holds the connection at a time. `waiting` tells a finishing transaction whether
 * another job is already queued (group commit keeps the SQLite transaction open for it).
 */
export class JobQueue {
  private readonly jobs: Array<() => Promise<void>> = [];
  private busy = false;

  /** How many jobs wait behind the running one. */
  get waiting(): number {
    return this.jobs.length;
  }

  /** Runs `fn` once every earlier job has finished; resolves or rejects with it. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => this.push(() => fn().then(resolve, reject)));
  }

  /** Queues `job`, which settles its caller itself (a group-commit member resolves after COMMIT). */
  push(job: () => Promise<void>): void {
    this.jobs.push(job);
    if (!this.busy) void this.drain();
  }

  private async drain(): Promise<void> {
    this.busy = true;
    try {
      for (let job = this.jobs.shift(); job; job = this.jobs.shift()) {
        try {
          await job();
        } catch {
          // a job settles its own caller; one that throws anyway must not stop the queue
        }
      }
    } finally {
      this.busy = false;
    }
  }
}
