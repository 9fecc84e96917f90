import type { Blueprint } from '@dealflow/core';
import type { StageInfo } from '@dealflow/forecast';

/**
 * A blueprint's stages as the forecast package reads them (kind, probability, forecast category).
 *
 * @example
 * ```ts
 * const stages = stagesOf(engine.blueprint('deal'))
 * ```
 */
export function stagesOf(bp: Blueprint): StageInfo[] {
  return bp.spec.stages.map((s) => ({ id: s.id, kind: s.kind ?? 'open', ...(s.probability !== undefined ? { probability: s.probability } : {}), ...(s.forecastCategory ? { forecastCategory: s.forecastCategory } : {}) }));
}
