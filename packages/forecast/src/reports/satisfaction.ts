import { DealflowError } from '@dealflow/core';
import type { StoredRecord } from '@dealflow/core';

/** Options of {@link satisfaction}. */
export interface SatisfactionOptions {
  /** Feedback records (e.g. the `feedback` template's). */
  records: readonly StoredRecord[];
  /** 1–5 satisfaction rating field (default `rating`). */
  ratingField?: string;
  /** 0–10 "would you recommend us" field (default `nps`). */
  npsField?: string;
}

/** Result of {@link satisfaction}. */
export interface Satisfaction {
  /** Records with a rating. */
  ratings: number;
  /** Share of ratings of 4 or 5 (0–1); null without ratings. */
  csat: number | null;
  /** Mean rating (1–5); null without ratings. */
  averageRating: number | null;
  /** Records with an NPS answer. */
  npsResponses: number;
  /** % promoters (9–10) − % detractors (0–6), from −100 to 100; null without answers. */
  nps: number | null;
  /** Answers of 9 or 10. */
  promoters: number;
  /** Answers of 7 or 8. */
  passives: number;
  /** Answers of 0 to 6. */
  detractors: number;
}

/**
 * The satisfaction KPIs of after-sales feedback: CSAT (share of 4–5 ratings on a 1–5 scale, and
 * the average) and NPS (promoters minus detractors on the 0–10 scale). Records without an answer
 * are left out; an answer outside its scale fails with `DATA_INVALID` naming the record.
 *
 * @example
 * ```ts
 * const s = satisfaction({ records: await storage.queryRecords('default', { type: 'feedback' }) })
 * console.log(`CSAT ${(s.csat! * 100).toFixed(0)} %, NPS ${s.nps}`)
 * ```
 */
export function satisfaction(options: SatisfactionOptions): Satisfaction {
  const ratingField = options.ratingField ?? 'rating';
  const npsField = options.npsField ?? 'nps';
  let ratings = 0, satisfied = 0, sum = 0, promoters = 0, passives = 0, detractors = 0;
  for (const r of options.records) {
    const rating = r.fields[ratingField];
    if (rating !== undefined && rating !== null) {
      if (typeof rating !== 'number' || !Number.isInteger(rating) || rating < 1 || rating > 5) throw new DealflowError('DATA_INVALID', `records[${r.id}].fields.${ratingField}: a whole rating from 1 to 5, got ${JSON.stringify(rating)}`, { problems: [{ path: `records[${r.id}].fields.${ratingField}`, message: 'rating out of scale', value: rating }] });
      ratings++;
      sum += rating;
      if (rating >= 4) satisfied++;
    }
    const nps = r.fields[npsField];
    if (nps !== undefined && nps !== null) {
      if (typeof nps !== 'number' || !Number.isInteger(nps) || nps < 0 || nps > 10) throw new DealflowError('DATA_INVALID', `records[${r.id}].fields.${npsField}: a whole score from 0 to 10, got ${JSON.stringify(nps)}`, { problems: [{ path: `records[${r.id}].fields.${npsField}`, message: 'score out of scale', value: nps }] });
      if (nps >= 9) promoters++;
      else if (nps >= 7) passives++;
      else detractors++;
    }
  }
  const npsResponses = promoters + passives + detractors;
  return {
    ratings,
    csat: ratings > 0 ? satisfied / ratings : null,
    averageRating: ratings > 0 ? sum / ratings : null,
    npsResponses,
    nps: npsResponses > 0 ? ((promoters - detractors) / npsResponses) * 100 : null,
    promoters,
    passives,
    detractors,
  };
}
