import { z } from 'zod';
import { DealflowError } from '@dealflow/core';
import type { Problem } from '@dealflow/core';

/**
 * Where a feature's raw value comes from, read from a record as it stood at a point in time:
 * - `fields.<name>` (dot paths allowed, e.g. `fields.account.sector`) and `meta.<name>`;
 * - `ownerId`, `teamId`, `type`, `stage` (the stage at that time);
 * - `stageReached`: the furthest open stage (in the order of the `stages` option) visited so far;
 * - `ageInStageDays`: days since the record entered its stage; `ageDays`: days since creation.
 */
export type FeatureSource = string;

/** A feature whose value is used as-is (stringified); a missing value becomes `(missing)`. */
export interface CategoricalFeature {
  /** The feature's name in the model and in score contributions. */
  name: string;
  /** Each distinct value is its own category. */
  kind: 'categorical';
  /** Where the value comes from. */
  source: FeatureSource;
}

/**
 * A numeric feature cut into bands at the given ascending edges: edges `[10, 100]` give the
 * values `<10`, `10..<100` and `>=100`; a missing or non-numeric value becomes `(missing)`.
 */
export interface NumericFeature {
  /** The feature's name in the model and in score contributions. */
  name: string;
  /** A number, read as a band. */
  kind: 'numeric';
  /** Where the value comes from. */
  source: FeatureSource;
  /** Ascending band edges. */
  bands: number[];
}

/** One declared feature of a learned model. Plain JSON, so it is stored inside the model. */
export type FeatureSpec = CategoricalFeature | NumericFeature;

/** The value given to a feature whose source is absent, null, empty or not a number. */
export const MISSING = '(missing)';

const BUILT_IN_SOURCES = ['ownerId', 'teamId', 'type', 'stage', 'stageReached', 'ageInStageDays', 'ageDays'];

const sourceSchema = z.string().refine(
  (s) => BUILT_IN_SOURCES.includes(s) || /^(fields|meta)\.[^.]+(\.[^.]+)*$/.test(s),
  { message: `source must be fields.<path>, meta.<path> or one of ${BUILT_IN_SOURCES.join(', ')}` },
);

const featureSchema = z.discriminatedUnion('kind', [
  z.object({ name: z.string().min(1), kind: z.literal('categorical'), source: sourceSchema }).strict(),
  z
    .object({
      name: z.string().min(1),
      kind: z.literal('numeric'),
      source: sourceSchema,
      bands: z
        .array(z.number().finite())
        .min(1)
        .refine((b) => b.every((v, i) => i === 0 || v > (b[i - 1] as number)), {
          message: 'bands must be strictly ascending',
        }),
    })
    .strict(),
]);

/** zod schema of a feature list (used to validate options and stored models). */
export const featureListSchema = z.array(featureSchema).min(1);

function toPath(path: PropertyKey[]): string {
  return '$' + path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
}

/**
 * Checks a feature list and returns it typed; throws `DealflowError('INPUT_INVALID')` listing
 * every problem (bad source, unsorted bands, duplicate names) with its path.
 *
 * @example
 * ```ts
 * const features = assertFeatures([{ name: 'product', kind: 'categorical', source: 'fields.product' }]);
 * ```
 */
export function assertFeatures(features: unknown, path = '$.features'): FeatureSpec[] {
  const parsed = featureListSchema.safeParse(features);
  const problems: Problem[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      problems.push({
        path: path + toPath(issue.path).slice(1),
        message: issue.message,
        code: issue.code,
      });
    }
  } else {
    const seen = new Set<string>();
    parsed.data.forEach((f, i) => {
      if (seen.has(f.name)) {
        problems.push({ path: `${path}[${i}].name`, message: `duplicate feature name '${f.name}'`, code: 'duplicate_feature' });
      }
      seen.add(f.name);
    });
  }
  if (problems.length > 0 || !parsed.success) {
    throw new DealflowError('INPUT_INVALID', `invalid scoring features: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`, {
      problems,
    });
  }
  return parsed.data as FeatureSpec[];
}

/**
 * Label of the band a number falls in, for the ascending `edges`.
 *
 * @example
 * ```ts
 * bandLabel(5, [10, 100]);   // '<10'
 * bandLabel(50, [10, 100]);  // '10..<100'
 * bandLabel(100, [10, 100]); // '>=100'
 * ```
 */
export function bandLabel(value: number, edges: number[]): string {
  const first = edges[0] as number;
  if (value < first) return `<${first}`;
  for (let i = 1; i < edges.length; i++) {
    const hi = edges[i] as number;
    if (value < hi) return `${edges[i - 1]}..<${hi}`;
  }
  return `>=${edges[edges.length - 1]}`;
}
