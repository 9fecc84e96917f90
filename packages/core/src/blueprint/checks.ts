import type { Problem } from '@dealflow/logic';
import type { BlueprintSpec } from './schema.js';
import { fieldSpecProblems } from '../fields/checks.js';

/**
 * Closest candidate by edit distance, for `did you mean` hints (letter case ignored unless
 * `ignoreCase: false`); none when even the closest is too far.
 *
 * @example
 * ```ts
 * suggest('negotiaton', ['new', 'negotiation']) // 'negotiation'
 * ```
 */
export function suggest(value: string, candidates: Iterable<string>, options: { ignoreCase?: boolean } = {}): string | undefined {
  const fold = options.ignoreCase === false ? (s: string) => s : (s: string) => s.toLowerCase();
  let best: string | undefined;
  let bestScore = Infinity;
  for (const c of candidates) {
    const d = distance(fold(value), fold(c));
    if (d < bestScore) {
      bestScore = d;
      best = c;
    }
  }
  return best !== undefined && bestScore <= Math.max(2, Math.floor(value.length / 3)) ? best : undefined;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

function unknown(path: string, what: string, value: string, candidates: Iterable<string>, code: string): Problem {
  const hint = suggest(value, candidates);
  return {
    path,
    code,
    value,
    message: `unknown ${what} '${value}'`,
    ...(hint ? { hint: `did you mean '${hint}'?` } : {}),
  };
}

/** The stages a transition leaves from (`*` = every non-final stage). */
export function fromStages(spec: BlueprintSpec, from: string | string[]): string[] {
  if (from === '*') return spec.stages.filter((s) => s.kind === 'open').map((s) => s.id);
  return Array.isArray(from) ? from : [from];
}

/**
 * Cross-reference checks the schema cannot express. Returns every problem found (never stops at
 * the first): duplicate or unknown stage ids, transitions out of final stages, duplicate event
 * names from one stage, unreachable stages, unknown fields, deadline events nobody handles.
 * `defineBlueprint` runs it after the schema; call it directly to lint a parsed spec.
 *
 * @example
 * ```ts
 * const problems = checkBlueprint(blueprintSchema.parse(json))
 * for (const p of problems) console.log(p.path, p.message, p.hint ?? '')
 * ```
 */
export function checkBlueprint(spec: BlueprintSpec): Problem[] {
  const problems: Problem[] = [];
  const stageIds = new Set<string>();
  const finals = new Set<string>();
  spec.stages.forEach((s, i) => {
    if (stageIds.has(s.id)) {
      problems.push({ path: `$.stages[${i}].id`, code: 'duplicate_stage', value: s.id, message: `duplicate stage id '${s.id}'` });
    }
    stageIds.add(s.id);
    if (s.kind !== 'open') finals.add(s.id);
  });
  const fieldNames = new Set(Object.keys(spec.fields));

  if (!stageIds.has(spec.initialStage)) {
    problems.push(unknown('$.initialStage', 'initial stage', spec.initialStage, stageIds, 'unknown_stage'));
  }

  for (const [name, f] of Object.entries(spec.fields)) {
    const p = `$.fields.${name}`;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      problems.push({ path: p, code: 'invalid_field_name', value: name, message: `field name '${name}' must be an identifier (letters, digits, _)` });
    }
    problems.push(...fieldSpecProblems(name, f, p));
    if (Array.isArray(f.requiredIn)) {
      f.requiredIn.forEach((s, j) => {
        if (!stageIds.has(s)) problems.push(unknown(`${p}.requiredIn[${j}]`, 'stage', s, stageIds, 'unknown_stage'));
      });
    }
  }

  // transitions: references, finals, duplicates
  const seen = new Map<string, string>(); // `${stage}\u0000${event}` -> path
  spec.transitions.forEach((t, i) => {
    const p = `$.transitions[${i}]`;
    if (t.from !== '*') {
      const list = Array.isArray(t.from) ? t.from : [t.from];
      list.forEach((s, j) => {
        const sp = Array.isArray(t.from) ? `${p}.from[${j}]` : `${p}.from`;
        if (s === '*') {
          problems.push({ path: sp, code: 'wildcard_in_list', message: `'*' must be used alone as 'from', not inside a list` });
          return;
        }
        if (!stageIds.has(s)) {
          problems.push(unknown(sp, 'stage', s, stageIds, 'unknown_stage'));
          return;
        }
        if (finals.has(s)) {
          problems.push({
            path: sp,
            code: 'transition_from_final',
            value: s,
            message: `transition '${t.event}' leaves final stage '${s}' (kind '${spec.stages.find((x) => x.id === s)?.kind}')`,
          });
        }
        const key = `${s}\u0000${t.event}`;
        const prev = seen.get(key);
        if (prev) {
          problems.push({ path: sp, code: 'duplicate_event', value: t.event, message: `event '${t.event}' is already handled from stage '${s}' at ${prev}` });
        } else seen.set(key, p);
      });
    } else {
      const key = `*\u0000${t.event}`;
      const prev = seen.get(key);
      if (prev) {
        problems.push({ path: `${p}.from`, code: 'duplicate_event', value: t.event, message: `event '${t.event}' is already handled from '*' at ${prev}` });
      } else seen.set(key, p);
    }
    if (!stageIds.has(t.to)) problems.push(unknown(`${p}.to`, 'stage', t.to, stageIds, 'unknown_stage'));
    t.requires?.forEach((f, j) => {
      if (!fieldNames.has(f)) problems.push(unknown(`${p}.requires[${j}]`, 'field', f, fieldNames, 'unknown_field'));
    });
    t.actions?.forEach((a, j) => {
      if (a.type === 'set' && !fieldNames.has(a.field)) {
        problems.push(unknown(`${p}.actions[${j}].field`, 'field', a.field, fieldNames, 'unknown_field'));
      } else if (a.type === 'assign' && (a.owner === undefined) === (a.strategy === undefined)) {
        problems.push({ path: `${p}.actions[${j}]`, code: 'assign_target', message: `assign action of '${t.event}' needs exactly one of 'owner' or 'strategy'` });
      } else if (a.type === 'assign' && a.strategy === 'pool' && a.pool === undefined) {
        problems.push({ path: `${p}.actions[${j}].pool`, code: 'assign_target', message: `assign action of '${t.event}' routes into a pool but names none` });
      } else if (a.type === 'assign' && (a.strategy === 'roundRobin' || a.strategy === 'leastLoaded') && a.team === undefined) {
        problems.push({ path: `${p}.actions[${j}].team`, code: 'assign_target', message: `assign action of '${t.event}' uses '${a.strategy}' but names no team` });
      } else if (a.type === 'set' && spec.fields[a.field]?.computed !== undefined) {
        problems.push({ path: `${p}.actions[${j}].field`, code: 'computed_field', value: a.field, message: `action sets computed field '${a.field}', which only its formula may set` });
      }
    });
  });

  // checklist ids are unique per stage
  spec.stages.forEach((s, i) => {
    const ids = new Set<string>();
    s.requirements?.checklist?.forEach((c, j) => {
      if (ids.has(c.id)) problems.push({ path: `$.stages[${i}].requirements.checklist[${j}].id`, code: 'duplicate_checklist_item', value: c.id, message: `stage '${s.id}' lists checklist item '${c.id}' twice` });
      ids.add(c.id);
    });
  });

  // edit policies name declared, writable fields
  spec.stages.forEach((s, i) => {
    if (!Array.isArray(s.editable)) return;
    s.editable.forEach((f, j) => {
      if (!fieldNames.has(f)) problems.push(unknown(`$.stages[${i}].editable[${j}]`, 'field', f, fieldNames, 'unknown_field'));
      else if (spec.fields[f]!.computed !== undefined) problems.push({ path: `$.stages[${i}].editable[${j}]`, code: 'computed_field', value: f, message: `stage '${s.id}' makes computed field '${f}' editable; only its formula sets it` });
    });
  });

  // deadlines
  spec.stages.forEach((s, i) => {
    if (!s.deadline) return;
    const p = `$.stages[${i}].deadline`;
    if (s.kind !== 'open') {
      problems.push({ path: p, code: 'deadline_on_final', message: `final stage '${s.id}' cannot have a deadline` });
      return;
    }
    const ev = s.deadline.onBreach;
    if (!seen.has(`${s.id}\u0000${ev}`) && !seen.has(`*\u0000${ev}`)) {
      problems.push({
        path: `${p}.onBreach`,
        code: 'breach_unhandled',
        value: ev,
        message: `deadline of stage '${s.id}' sends '${ev}', but no transition handles '${ev}' from '${s.id}'`,
      });
    }
    const cals = spec.calendars?.map((c) => c.id);
    if (s.deadline.businessTime && cals && !cals.includes(s.deadline.businessTime)) {
      // Calendars may also come from the engine; only flag when the blueprint declares its own list.
      problems.push(unknown(`${p}.businessTime`, 'calendar', s.deadline.businessTime, cals, 'unknown_calendar'));
    }
  });

  // date-field timers: a date field, one side, known stages, a handled event
  const timerIds = new Set<string>();
  spec.dateTimers?.forEach((t, i) => {
    const p = `$.dateTimers[${i}]`;
    if (timerIds.has(t.id)) problems.push({ path: `${p}.id`, code: 'duplicate_timer', value: t.id, message: `date timer id '${t.id}' is used twice` });
    timerIds.add(t.id);
    const f = spec.fields[t.field];
    if (!f) problems.push(unknown(`${p}.field`, 'field', t.field, fieldNames, 'unknown_field'));
    else if (!['date', 'datetime'].includes(f.type)) problems.push({ path: `${p}.field`, code: 'not_a_date_field', value: t.field, message: `date timer '${t.id}' is relative to field '${t.field}', which is of type '${f.type}', not date or datetime` });
    if (t.before !== undefined && t.after !== undefined) problems.push({ path: p, code: 'before_and_after', message: `date timer '${t.id}' has both 'before' and 'after'; give one` });
    t.stages?.forEach((st, j) => {
      if (!stageIds.has(st)) problems.push(unknown(`${p}.stages[${j}]`, 'stage', st, stageIds, 'unknown_stage'));
    });
    if (t.send !== undefined) {
      const active = t.stages ?? spec.stages.filter((s) => s.kind === 'open').map((s) => s.id);
      const handled = active.filter((st) => seen.has(`${st}\u0000${t.send}`) || seen.has(`*\u0000${t.send}`));
      if (handled.length === 0) problems.push({ path: `${p}.send`, code: 'timer_event_unhandled', value: t.send, message: `date timer '${t.id}' sends '${t.send}', but no transition handles it from its stages` });
    }
    const cals = spec.calendars?.map((c) => c.id);
    if (t.businessTime && cals && !cals.includes(t.businessTime)) problems.push(unknown(`${p}.businessTime`, 'calendar', t.businessTime, cals, 'unknown_calendar'));
  });

  // reachability (only meaningful when references are sound)
  if (stageIds.has(spec.initialStage)) {
    const reached = new Set<string>([spec.initialStage]);
    const queue = [spec.initialStage];
    while (queue.length > 0) {
      const cur = queue.shift()!;
      if (finals.has(cur)) continue;
      for (const t of spec.transitions) {
        const from = t.from === '*' ? null : Array.isArray(t.from) ? t.from : [t.from];
        if ((from === null || from.includes(cur)) && stageIds.has(t.to) && !reached.has(t.to)) {
          reached.add(t.to);
          queue.push(t.to);
        }
      }
    }
    // a transition whose `to` names no stage is the likely root cause: say so on each stage it leaves unreached
    const badTargets = problems.filter((p) => p.code === 'unknown_stage' && /^\$\.transitions\[\d+\]\.to$/.test(p.path));
    spec.stages.forEach((s, i) => {
      if (!reached.has(s.id)) {
        const cause = badTargets.find((p) => p.hint === `did you mean '${s.id}'?`) ?? badTargets[0];
        problems.push({
          path: `$.stages[${i}]`,
          code: 'unreachable_stage',
          value: s.id,
          message: `stage '${s.id}' cannot be reached from initial stage '${spec.initialStage}'`,
          ...(cause ? { hint: `probably because ${cause.path} names unknown stage '${String(cause.value)}'${cause.hint ? ` (${cause.hint})` : ''}: fix that first` } : {}),
        });
      }
    });
  }
  return problems;
}
