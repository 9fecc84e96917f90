export { lintBlueprint } from './lint.js';
export { analyzeCondition, implies } from './analyze.js';
export type { Verdict, ConditionAnalysis } from './analyze.js';
export type { LintFinding, LintOptions, LintSeverity } from './types.js';
