import type { HistoryEvent, StoredRecord } from '@dealflow/core';
import { DealflowError } from '@dealflow/core';
import type { StageInfo } from '../data/options.js';
import { buildTimelines, closeOf, fieldAt, num, ownerAt, stageKinds, stateAt, teamAt, type Timeline } from '../data/timeline.js';

/**
 * Every deal packed once (one pass over history) into typed arrays of exact times. Models never
 * read a deal directly: they ask {@link DealIndex} for what was known at an instant (`asMs`), and
 * each accessor returns only facts dated at or before it. That is how the forecast at a cutoff
 * cannot see anything later: closes, final stages, amounts and fields after it are not returned.
 */
export interface DealIndex {
  /** Number of deals; deal `i` is at index `i` of every array. */
  readonly n: number;
  /** Each deal's timeline (its fields, owner and stage at any instant). */
  readonly timelines: readonly Timeline[];
  /** Epoch ms the deal became known (its first history event). */
  readonly created: Float64Array;
  /** Epoch ms of its first entry into a won/lost/closed stage (+Infinity while never closed). */
  readonly closed: Float64Array;
  /** 1 when that close was a win. */
  readonly won: Uint8Array;
  /** Stage id → its kind. */
  readonly kinds: Map<string, StageInfo['kind']>;
}

/** Builds the {@link DealIndex}; throws `DATA_INVALID` naming a record in a stage not in `stages`. */
export function indexDeals(records: readonly StoredRecord[], history: readonly HistoryEvent[], stages: readonly StageInfo[]): DealIndex {
  if (stages.length === 0) throw new DealflowError('INPUT_INVALID', 'forecast: stages is empty');
  const kinds = stageKinds(stages);
  const timelines = buildTimelines(records, history);
  const n = timelines.length;
  const created = new Float64Array(n);
  const closed = new Float64Array(n);
  const won = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const t = timelines[i]!;
    for (const s of t.stays) {
      if (!kinds.has(s.stage)) {
        throw new DealflowError('DATA_INVALID', `record '${t.record.id}' is in stage '${s.stage}', which is not in stages`, {
          problems: [{ path: `records[${t.record.id}].stage`, message: `unknown stage '${s.stage}'`, value: s.stage }],
        });
      }
    }
    created[i] = t.createdMs;
    const c = closeOf(t, kinds);
    closed[i] = c ? c.atMs : Number.POSITIVE_INFINITY;
    won[i] = c?.won ? 1 : 0;
  }
  return { n, timelines, created, closed, won, kinds };
}

/** Known at `asMs`: did deal `i` exist. */
export const existsAt = (d: DealIndex, i: number, asMs: number): boolean => d.created[i]! <= asMs;
/** Known at `asMs`: was deal `i` open (existing, not closed yet). */
export const openAt = (d: DealIndex, i: number, asMs: number): boolean => d.created[i]! <= asMs && d.closed[i]! > asMs;
/** Known at `asMs`: had deal `i` closed (then `d.closed[i]` and `d.won[i]` are known facts). */
export const closedBy = (d: DealIndex, i: number, asMs: number): boolean => d.closed[i]! <= asMs;

/** Per field: each deal's final value and the instant from which it is known (its last change). */
interface FieldFinal {
  value: unknown[];
  since: Float64Array;
}
const finals = new WeakMap<DealIndex, Map<string, FieldFinal>>();

function finalOf(d: DealIndex, field: string): FieldFinal {
  let byField = finals.get(d);
  if (!byField) finals.set(d, (byField = new Map()));
  let f = byField.get(field);
  if (f) return f;
  const value: unknown[] = new Array(d.n);
  const since = new Float64Array(d.n);
  for (let i = 0; i < d.n; i++) {
    const t = d.timelines[i]!;
    let last = Number.NEGATIVE_INFINITY;
    for (const c of t.fieldChanges) if (field in c.fields && c.atMs > last) last = c.atMs;
    // never set by history: known from creation (bare history) or never (with a snapshot)
    since[i] = last === Number.NEGATIVE_INFINITY ? t.createdMs : last;
    value[i] = fieldAt(t, field, Number.POSITIVE_INFINITY);
  }
  byField.set(field, (f = { value, since }));
  return f;
}

/**
 * Deal `i`'s field as known at `asMs` (the same as the timeline's `fieldAt`): from an index of final
 * values when nothing about the field changes after `asMs`, else from its history.
 */
export function fieldAtIndexed(d: DealIndex, i: number, field: string, asMs: number): unknown {
  const f = finalOf(d, field);
  return asMs >= f.since[i]! ? f.value[i] : fieldAt(d.timelines[i]!, field, asMs);
}

/** Amount booked by a deal won by `asMs` (its amount field as of the close), else undefined. */
export function wonValueAt(d: DealIndex, i: number, amountField: string, asMs: number): number | undefined {
  if (!(d.closed[i]! <= asMs) || !d.won[i]) return undefined;
  return num(fieldAtIndexed(d, i, amountField, d.closed[i]!));
}

/**
 * What a segment key is computed from: the deal's owner, team, open stage or a field, all as
 * known at the instant asked; or a function of that view (e.g. owner → region from a directory).
 */
export type SegmentSource = 'owner' | 'team' | 'stage' | {
  /** The deal field whose value (at the cutoff) is the key. */
  field: string;
} | ((deal: DealView) => string | null | undefined);

/** A deal as known at an instant; what segment functions receive. */
export interface DealView {
  /** The deal's id. */
  id: string;
  /** Its owner then (null: none). */
  owner: string | null;
  /** Its team then (null: none). */
  team: string | null;
  /** Its stage then (null: not yet created). */
  stage: string | null;
  /** A field's value then. */
  field(name: string): unknown;
}

/** The {@link DealView} of deal `i` at `asMs`. */
export function dealViewAt(d: DealIndex, i: number, asMs: number): DealView {
  const t = d.timelines[i]!;
  return {
    id: t.record.id,
    owner: ownerAt(t, asMs),
    team: teamAt(t, asMs),
    stage: stateAt(t, asMs)?.stage ?? null,
    field: (name) => fieldAt(t, name, asMs),
  };
}

/** The segment key of deal `i` at `asMs` (`'(none)'` when unknown). */
export function segmentKeyAt(d: DealIndex, i: number, source: SegmentSource, asMs: number): string {
  const t = d.timelines[i]!;
  let v: unknown;
  if (source === 'owner') v = ownerAt(t, asMs);
  else if (source === 'team') v = teamAt(t, asMs);
  else if (source === 'stage') v = stateAt(t, asMs)?.stage;
  else if (typeof source === 'function') v = source(dealViewAt(d, i, asMs));
  else v = fieldAtIndexed(d, i, source.field, asMs);
  return v === null || v === undefined || v === '' ? '(none)' : String(v);
}
