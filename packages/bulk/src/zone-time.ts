/**
 * Wall-clock times of one IANA zone to UTC, fast: luxon answers a zone's offset through
 * `Intl.DateTimeFormat` on every call (the largest part of an import's CPU profile when every row
 * has dates). Offsets change at most a few times a year, so a converter keeps the offset of each
 * quarter hour of wall-clock time it has seen, when every time in it exists exactly once in the
 * zone; a quarter hour that is skipped or repeated by a switch, or holds one, is never kept, and
 * its times go through luxon as before. The answer is luxon's
 * (`DateTime.fromObject(wall, { zone }).toUTC().toISO()`, what its parsers do), proved by a
 * property test (packages/bulk/test/zone-time.test.ts).
 */
import { DateTime, IANAZone } from 'luxon';

/** Offsets are kept per quarter hour of wall-clock time: zones switch at :00, :15, :30 or :45. */
const SLOT = 15 * 60_000;
const HOURS_3 = 3 * 3_600_000;

/** Converts wall-clock times of one zone to UTC instants (see the module comment). */
export interface ZoneClock {
  /**
   * The UTC ISO time of a wall-clock time in the zone, given as the milliseconds the same wall
   * clock would read in UTC (a luxon DateTime parsed at a fixed offset gives them).
   */
  utcOf(wallMs: number): string;
}

/** The wall-clock time `wallMs` in `zone`, as luxon reads a parsed text (`DateTime.fromObject`). */
function inZone(wallMs: number, zone: string): DateTime {
  const d = new Date(wallMs);
  return DateTime.fromObject({
    year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(),
    hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds(), millisecond: d.getUTCMilliseconds(),
  }, { zone });
}

/**
 * A converter for `zone` (an IANA name luxon knows).
 *
 * @example
 * ```ts
 * const berlin = zoneClock('Europe/Berlin')
 * berlin.utcOf(Date.UTC(2025, 0, 10, 9, 30)) // '2025-01-10T08:30:00.000Z'
 * ```
 */
export function zoneClock(zone: string): ZoneClock {
  const tz = IANAZone.create(zone);
  /** Offset in ms of each quarter hour of wall-clock time (by its start) where one offset holds throughout; null: not so. */
  const slots = new Map<number, number | null>();
  /** The offset (minutes) of wall time `wallMs` when it exists once in the zone (not skipped, not repeated), else null. */
  const single = (wallMs: number): number | null => {
    const dt = inZone(wallMs, zone);
    if (!dt.isValid || dt.toMillis() + dt.offset * 60_000 !== wallMs) return null; // skipped: luxon moved it
    const at = wallMs - dt.offset * 60_000;
    for (const t of [at - HOURS_3, at + HOURS_3]) {
      const other = tz.offset(t);
      if (other !== dt.offset && tz.offset(wallMs - other * 60_000) === other) return null; // repeated: two instants
    }
    return dt.offset;
  };
  const offsetOf = (slotMs: number): number | null => {
    let off = slots.get(slotMs);
    if (off !== undefined) return off;
    const first = single(slotMs);
    off = first !== null && single(slotMs + SLOT - 1) === first ? first * 60_000 : null;
    if (slots.size > 100_000) slots.clear();
    slots.set(slotMs, off);
    return off;
  };
  return {
    utcOf(wallMs) {
      const off = offsetOf(Math.floor(wallMs / SLOT) * SLOT);
      return off === null ? inZone(wallMs, zone).toUTC().toISO()! : new Date(wallMs - off).toISOString();
    },
  };
}
