/**
 * The active timers a transaction knows for records it locked (see PgTx): cancelTimers answers its
 * count from them and queues its write.
 */
/** An active (pending or claimed) timer as a transaction knows it. */
export interface ActiveTimer {
  id: string;
  kind: string;
  key: string | null;
  stage: string | null;
}

export const timerKey = (recordId: string, key: string): string => `${recordId}\u0000${key}`;

/** Whether a timer matches a cancelTimers filter. */
export function matches(tm: ActiveTimer, f: { kinds?: string[]; keys?: string[]; stage?: string }): boolean {
  return (f.kinds === undefined || f.kinds.includes(tm.kind))
    && (f.keys === undefined || (tm.key !== null && f.keys.includes(tm.key)))
    && (f.stage === undefined || tm.stage === f.stage);
}
