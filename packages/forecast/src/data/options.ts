/** Structural stage metadata; any blueprint's stage list fits (no dependency on its exact type). */
export interface StageInfo {
  /** The stage id, as in the blueprint and the records. */
  id: string;
  /** `open` stages are in the pipeline; `won` books revenue; `lost`/`closed` end a record without revenue. */
  kind: 'open' | 'won' | 'lost' | 'closed';
  /** Stage win probability in [0, 1] for the weighted pipeline. */
  probability?: number;
  /** Forecast category of records in this stage: `pipeline`, `best_case`, `commit`, `closed`, `omitted`. */
  forecastCategory?: string;
}

/** Which record fields carry amount, dates, owner and segments. Every option has a default. */
export interface FieldOptions {
  /** Deal amount field (default `amount`). */
  amountField?: string;
  /** Expected close date field, ISO date (default `closeDate`). */
  closeDateField?: string;
  /** Owner field; default: the record's `ownerId`. */
  ownerField?: string;
  /** Per-record probability override field (default `probability`). */
  probabilityField?: string;
  /** Per-record forecast category override field (default `forecastCategory`). */
  forecastCategoryField?: string;
}

/** Resolved field options. */
export interface ResolvedFields {
  amountField: string;
  closeDateField: string;
  ownerField: string | undefined;
  probabilityField: string;
  forecastCategoryField: string;
}

/** Applies the defaults to {@link FieldOptions}. */
export function resolveFields(options: FieldOptions = {}): ResolvedFields {
  return {
    amountField: options.amountField ?? 'amount',
    closeDateField: options.closeDateField ?? 'closeDate',
    ownerField: options.ownerField,
    probabilityField: options.probabilityField ?? 'probability',
    forecastCategoryField: options.forecastCategoryField ?? 'forecastCategory',
  };
}

/** A period `[from, to)` given as ISO strings or Dates. */
export interface Period {
  /** Start (included). */
  from: string | Date;
  /** End (excluded). */
  to: string | Date;
}
