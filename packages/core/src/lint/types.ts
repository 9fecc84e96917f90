/** How bad a lint finding is: `error` breaks records in production, `warning` is likely a mistake, `info` is advice. */
export type LintSeverity = 'error' | 'warning' | 'info';

/** One finding of {@link lintBlueprint}. */
export interface LintFinding {
  /** How bad it is: `error`, `warning` or `info`. */
  severity: LintSeverity;
  /** Machine-readable kind, e.g. `dead_end_stage`, `guard_never_true`, `assignment_rule_shadowed`. */
  code: string;
  /** JSON path of the offending part: `$.stages[2]`, `$.transitions[0].guard`, `rules.assignment.rules[3]`. */
  path: string;
  /** What is wrong, naming the stage, field, rule or event. */
  message: string;
  /** How to fix it. */
  hint: string;
}

/** Options of {@link lintBlueprint}. */
export interface LintOptions {
  /** Finding codes to drop everywhere (e.g. `['stage_without_deadline']`). Per stage: the stage's `lint.ignore`. */
  ignore?: string[];
  /** Known rep ids: escalation and assignment targets naming other reps are reported. Unchecked when omitted. */
  reps?: string[];
  /** Known team ids: assignment and escalation teams not listed are reported. Unchecked when omitted. */
  teams?: string[];
}
