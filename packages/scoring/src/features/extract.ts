import type { StoredRecord } from '@dealflow/core';
import type { RecordAsOf, StageKind } from './as-of.js';
import { MISSING, bandLabel } from './spec.js';
import type { FeatureSpec } from './spec.js';

const DAY_MS = 86_400_000;

function readPath(root: unknown, parts: string[]): unknown {
  let cur: unknown = root;
  for (const p of parts) {
    if (typeof cur !== 'object' || cur === null || !Object.prototype.hasOwnProperty.call(cur, p)) return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

function days(from: string, to: string): number {
  return (Date.parse(to) - Date.parse(from)) / DAY_MS;
}

/** The raw value of a feature source for a record view (before banding). */
export function rawSourceValue(source: string, view: RecordAsOf, stages: readonly StageKind[]): unknown {
  const r: StoredRecord = view.record;
  switch (source) {
    case 'ownerId':
      return r.ownerId;
    case 'teamId':
      return r.teamId;
    case 'type':
      return r.type;
    case 'stage':
      return r.stage;
    case 'ageInStageDays':
      return days(r.stageEnteredAt, view.at);
    case 'ageDays':
      return days(r.createdAt, view.at);
    case 'stageReached': {
      let best: string | undefined;
      let bestIndex = -1;
      for (const s of view.stagesVisited) {
        const i = stages.findIndex((x) => x.id === s);
        if (i > bestIndex && stages[i]?.kind !== 'won' && stages[i]?.kind !== 'lost') {
          best = s;
          bestIndex = i;
        }
      }
      return best;
    }
    default: {
      const [head, ...rest] = source.split('.');
      return readPath(head === 'fields' ? r.fields : r.meta, rest);
    }
  }
}

/** The (banded or stringified) value of one feature for a record view. */
export function featureValue(spec: FeatureSpec, view: RecordAsOf, stages: readonly StageKind[]): string {
  const raw = rawSourceValue(spec.source, view, stages);
  if (raw === undefined || raw === null || raw === '') return MISSING;
  if (spec.kind === 'numeric') {
    const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
    return Number.isFinite(n) ? bandLabel(n, spec.bands) : MISSING;
  }
  if (typeof raw === 'object') return JSON.stringify(raw);
  return String(raw);
}

/** The values of all features for a record view, in feature order. */
export function featureVector(features: readonly FeatureSpec[], view: RecordAsOf, stages: readonly StageKind[]): string[] {
  return features.map((f) => featureValue(f, view, stages));
}
