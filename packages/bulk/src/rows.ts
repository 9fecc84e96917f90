/**
 * One source row → one `createMany` item, by the mapping: typed field values, picklists, dates in
 * the mapping's zone, the owner by e-mail, the record id, creation time and past stages. A row
 * that cannot be read is refused with the column and the reason ({@link RowRefusal}).
 */
import { DateTime, FixedOffsetZone } from 'luxon';
import { zoneClock } from './zone-time.js';
import type { ZoneClock } from './zone-time.js';
import type { Blueprint, CreateManyItem, FieldSpec } from '@dealflow/core';
import type { FieldMapping, Mapping } from './mapping.js';

/** Why a row was refused before it reached the engine. */
export class RowRefusal extends Error {
  /**
   * @param code - The refusal code in the report (`invalid_number`, `unknown_owner`, …).
   * @param message - The reason, naming the column and the value.
   * @param column - The source column at fault, when one is.
   */
  constructor(
    /** The refusal code in the report (`invalid_number`, `unknown_owner`, …). */
    readonly code: string,
    message: string,
    /** The source column at fault, when one is. */
    readonly column?: string,
  ) {
    super(message);
  }
}

/** A source row: column → text (CSV) or JSON value (JSON Lines). */
export type SourceRow = Record<string, unknown>;

type Scalar = string | number | boolean | null;

const empty = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');

/**
 * The zone texts are first read in: a fixed offset no real text carries (+13:59), so a text that
 * keeps it named no offset of its own and is a wall-clock time of the mapping's zone.
 */
const PROBE = FixedOffsetZone.instance(13 * 60 + 59);
const clocks = new Map<string, ZoneClock | null>();
/** The zone's clock, or null for a zone luxon does not know (the slow path then refuses the value). */
const clockOf = (zone: string): ZoneClock | null => {
  let c = clocks.get(zone);
  if (c === undefined) {
    if (clocks.size > 100) clocks.clear();
    clocks.set(zone, (c = DateTime.now().setZone(zone).isValid ? zoneClock(zone) : null));
  }
  return c;
};
/** Wall-clock milliseconds the fast path converts: years 1970 … 9999 (modern zone rules, ISO strings of one shape). */
const WALL_MIN = Date.UTC(1970, 0, 1);
const WALL_MAX = Date.UTC(10000, 0, 1);

/** `YYYY-MM-DD`, optionally with `[T ]HH:mm`, `:ss`, `.SSS`: a wall-clock time without an offset. */
const PLAIN_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{3}))?)?)?$/;

/**
 * The wall-clock milliseconds of a plain ISO or SQL date-time text (see {@link PLAIN_TIME}), or
 * null when the text has another shape or names no real time (Feb 30, 24:00): luxon decides those.
 * Read by hand because an import reads one or more such dates a row and luxon's two parsers
 * (ISO, then SQL) made about a sixth of an import's allocations.
 */
export function plainWallMs(text: string): number | null {
  const m = PLAIN_TIME.exec(text);
  if (!m) return null;
  const [y, mo, d, h, mi, s, ms] = [m[1], m[2], m[3], m[4], m[5], m[6], m[7]].map((x) => (x === undefined ? 0 : Number(x))) as [number, number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return null;
  const wall = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  // (Date.UTC rolls Feb 30 into March and reads years below 100 as 19xx: both are left to luxon)
  const back = new Date(wall);
  return back.getUTCFullYear() === y && back.getUTCMonth() === mo - 1 && back.getUTCDate() === d ? wall : null;
}

/** Reads a date or time in the mapping's zone (ISO by default, or a luxon format), as UTC ISO. */
export function readTime(value: unknown, zone: string, format: string | undefined, column: string): string {
  if (typeof value !== 'number') {
    // fast path: parsed at a fixed offset (no time-zone rules), then the zone's offset from its clock
    const text = String(value).trim();
    if (!format) {
      const wallMs = plainWallMs(text);
      const clock = wallMs === null ? null : clockOf(zone);
      if (clock && wallMs! >= WALL_MIN && wallMs! < WALL_MAX) return clock.utcOf(wallMs!);
    }
    let probe = format ? DateTime.fromFormat(text, format, { zone: PROBE, setZone: true }) : DateTime.fromISO(text, { zone: PROBE, setZone: true });
    if (!probe.isValid && !format) probe = DateTime.fromSQL(text, { zone: PROBE, setZone: true });
    if (probe.isValid) {
      if (!probe.zone.equals(PROBE)) return probe.toUTC().toISO()!; // the text named its offset
      const wallMs = probe.toMillis() + probe.offset * 60_000;
      const clock = clockOf(zone);
      if (clock && wallMs >= WALL_MIN && wallMs < WALL_MAX) return clock.utcOf(wallMs);
    }
  }
  let dt: DateTime;
  if (typeof value === 'number') dt = DateTime.fromMillis(value, { zone });
  else {
    const text = String(value).trim();
    dt = format ? DateTime.fromFormat(text, format, { zone }) : DateTime.fromISO(text, { zone });
    if (!dt.isValid && !format) dt = DateTime.fromSQL(text, { zone });
  }
  if (!dt.isValid) throw new RowRefusal('invalid_date', `column '${column}': '${String(value)}' is not a date${format ? ` of format '${format}'` : ''} (${dt.invalidExplanation ?? dt.invalidReason})`, column);
  return dt.toUTC().toISO()!;
}

function readScalar(raw: unknown, type: string, zone: string, format: string | undefined, column: string): Scalar {
  switch (type) {
    case 'number':
    case 'money':
    case 'integer': {
      const n = typeof raw === 'number' ? raw : Number(String(raw).trim().replace(/[\s_]/g, ''));
      if (!Number.isFinite(n) || (type === 'integer' && !Number.isInteger(n))) throw new RowRefusal('invalid_number', `column '${column}': '${String(raw)}' is not ${type === 'integer' ? 'a whole number' : 'a number'}`, column);
      return n;
    }
    case 'boolean': {
      if (typeof raw === 'boolean') return raw;
      const t = String(raw).trim().toLowerCase();
      if (['true', 'yes', 'y', '1', 'x'].includes(t)) return true;
      if (['false', 'no', 'n', '0'].includes(t)) return false;
      throw new RowRefusal('invalid_boolean', `column '${column}': '${String(raw)}' is not yes/no`, column);
    }
    case 'date': {
      // a calendar date stays a date: read in the zone, kept as yyyy-MM-dd
      const iso = readTime(raw, zone, format, column);
      return DateTime.fromISO(iso, { zone: 'utc' }).setZone(zone).toISODate()!;
    }
    case 'datetime':
      return readTime(raw, zone, format, column);
    default:
      return typeof raw === 'string' ? raw : JSON.stringify(raw);
  }
}

/** The value of one mapped field of a row (undefined: leave unset). */
function fieldValue(name: string, spec: FieldSpec, m: FieldMapping, row: SourceRow, zone: string): unknown {
  const map = typeof m === 'string' ? { column: m } : m;
  let raw = row[map.column];
  if (empty(raw)) {
    if (map.default === undefined) return undefined;
    raw = map.default;
    if (raw === null) return null;
  }
  if (map.values) {
    const key = String(raw).trim();
    if (key in map.values) return map.values[key];
    const other = map.otherValues ?? 'refuse';
    if (other === 'empty') return undefined;
    if (other === 'refuse') {
      throw new RowRefusal('unknown_value', `column '${map.column}': '${key}' is not one of the mapped values (${Object.keys(map.values).slice(0, 10).join(', ')}) for field '${name}'`, map.column);
    }
  }
  const type = map.type ?? (spec.type === 'enum' ? 'string' : spec.type);
  const v = readScalar(raw, type, zone, map.format, map.column);
  if (spec.type === 'enum' && !(spec.values ?? []).includes(String(v))) {
    throw new RowRefusal('unknown_value', `column '${map.column}': '${String(v)}' is not a value of field '${name}' (${(spec.values ?? []).join(', ')})`, map.column);
  }
  return v;
}

/** What the row converter needs besides the mapping. */
export interface RowContext {
  /** The blueprint the rows become records of (field types, stages). */
  blueprint: Blueprint;
  /** Lower-cased e-mail → rep id. */
  owners: ReadonlyMap<string, string>;
}

/** A row read by the mapping: the item for `createMany`, and whether its owner came from routing. */
export interface MappedRow {
  /** The item to pass to `engine.createMany`. */
  item: CreateManyItem;
  /** The row had no owner and was routed (`routing`), rather than owned by its owner column. */
  routed: boolean;
}

/**
 * Converts one source row into a `createMany` item. Throws {@link RowRefusal}.
 *
 * @example
 * ```ts
 * const { item } = mapRow({ Name: 'Acme', Owner: 'ann@x.com' }, mapping, { blueprint, owners })
 * ```
 */
export function mapRow(row: SourceRow, m: Mapping, ctx: RowContext): MappedRow {
  const zone = m.timeZone ?? 'utc';
  const fields: Record<string, unknown> = {};
  for (const [name, fm] of Object.entries(m.fields)) {
    const v = fieldValue(name, ctx.blueprint.fields[name]!, fm, row, zone);
    if (v !== undefined) fields[name] = v;
  }
  const item: CreateManyItem = { fields };
  if (m.id !== undefined) {
    const raw = row[m.id];
    if (empty(raw)) throw new RowRefusal('missing_id', `column '${m.id}': the record id is empty`, m.id);
    item.id = `${m.idPrefix ?? ''}${String(raw).trim()}`;
  }
  let routed = false;
  const ownerRaw = m.owner ? row[m.owner.column] : undefined;
  if (m.owner && !empty(ownerRaw)) {
    const text = String(ownerRaw).trim();
    const rep = m.owner.by === 'id' ? text : ctx.owners.get(text.toLowerCase());
    if (rep !== undefined) item.ownerId = rep;
    else if (m.owner.unknown === 'refuse') throw new RowRefusal('unknown_owner', `column '${m.owner.column}': no rep has the e-mail '${text}'`, m.owner.column);
    else routed = true;
  } else routed = true;
  if (routed && typeof m.routing === 'object') item.ownerId = m.routing.ownerId;
  const dateOf = (spec: string | { column: string; format?: string | undefined }) => {
    const c = typeof spec === 'string' ? { column: spec, format: undefined } : spec;
    const raw = row[c.column];
    return empty(raw) ? undefined : readTime(raw, zone, c.format, c.column);
  };
  if (m.createdAt !== undefined) item.createdAt = dateOf(m.createdAt);
  let current: string | undefined;
  if (m.stage) {
    const raw = row[m.stage.column];
    if (!empty(raw)) {
      const key = String(raw).trim();
      current = m.stage.values?.[key] ?? key;
      if (!ctx.blueprint.spec.stages.some((s) => s.id === current)) {
        throw new RowRefusal('unknown_stage', `column '${m.stage.column}': '${key}' is not a stage of '${ctx.blueprint.id}' nor mapped to one`, m.stage.column);
      }
    }
  }
  if (current !== undefined && current !== ctx.blueprint.initialStage) {
    // stages up to the current one (in the mapping's order) whose date is known, then the current one
    const order = Object.keys(m.stageDates ?? {});
    const upTo = order.includes(current) ? order.slice(0, order.indexOf(current) + 1) : order;
    const stages: Array<{ stage: string; at: string }> = [];
    const kinds = new Map(ctx.blueprint.spec.stages.map((st) => [st.id, st.kind ?? 'open']));
    for (const s of upTo) {
      // a closing stage (won, lost) is passed through only when it is the current one
      if (s === ctx.blueprint.initialStage || (s !== current && kinds.get(s) !== 'open')) continue;
      const at = dateOf(m.stageDates![s]!);
      if (at !== undefined) stages.push({ stage: s, at });
    }
    if (stages[stages.length - 1]?.stage !== current) {
      const last = stages[stages.length - 1]?.at ?? item.createdAt;
      if (last === undefined) throw new RowRefusal('missing_date', `stage '${current}' needs a date: map stageDates.${current} or createdAt`, m.stage!.column);
      stages.push({ stage: current, at: last });
    }
    const start = item.createdAt ?? stages[0]!.at;
    item.createdAt ??= start;
    for (const s of stages) {
      if (s.at < start) throw new RowRefusal('date_order', `stage '${s.stage}' entered ${s.at}, before the record was created (${start})`);
    }
    for (let i = 1; i < stages.length; i++) {
      if (stages[i]!.at < stages[i - 1]!.at) throw new RowRefusal('date_order', `stage '${stages[i]!.stage}' entered ${stages[i]!.at}, before stage '${stages[i - 1]!.stage}' (${stages[i - 1]!.at})`);
    }
    item.stages = stages;
  }
  return { item, routed };
}
