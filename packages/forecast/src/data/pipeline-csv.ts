import { DealflowError } from '@dealflow/core';
import type { HistoryEvent, Problem, StoredRecord } from '@dealflow/core';
import { parseCsv } from './csv.js';
import { parseIsoMs } from './time.js';
import type { StageInfo } from './options.js';

/** Column names of a pipeline export; defaults match the CRM Sales Opportunities dataset. */
export interface PipelineCsvColumns {
  /** The column with the deal's id. */
  id: string;
  /** The column with the deal's owner. */
  owner: string;
  /** The column with the deal's current stage. */
  stage: string;
  /** Date the deal entered the first open working stage (engaging). */
  engageDate: string;
  /** Date the deal was won or lost. */
  closeDate: string;
  /** Booked value (of won deals). */
  amount: string;
}

/** Options of {@link parsePipelineCsv}. */
export interface ParsePipelineCsvOptions {
  /** Column mapping; defaults: opportunity_id, sales_agent, deal_stage, engage_date, close_date, close_value. */
  columns?: Partial<PipelineCsvColumns>;
  /** Extra columns copied into `fields` (default: product, account when present). */
  fieldColumns?: string[];
  /** CSV stage label → stage id (default: Prospecting→prospecting, Engaging→engaging, Won→won, Lost→lost). */
  stageMap?: Record<string, string>;
  /** Stage list returned (default: prospecting, engaging open; won; lost). */
  stages?: StageInfo[];
  /** Stage a dated deal starts in when created (default `prospecting`). */
  initialStage?: string;
  /** Stage entered at the engage date (default `engaging`). */
  engageStage?: string;
  /**
   * When rows without any date (e.g. Prospecting) become known. Default: the latest date in the
   * file (the export date), so they never leak into an earlier `asOf`.
   */
  undatedAt?: string;
  /** Tenant id written on records (default `default`). */
  tenantId?: string;
  /** Record type (default `deal`). */
  type?: string;
}

/** What {@link parsePipelineCsv} returns. */
export interface PipelineData {
  /** One record per row. */
  records: StoredRecord[];
  /** Their history, rebuilt from the dates of the rows. */
  history: HistoryEvent[];
  /** The stages found, with their kinds. */
  stages: StageInfo[];
}

const DEFAULT_COLUMNS: PipelineCsvColumns = {
  id: 'opportunity_id',
  owner: 'sales_agent',
  stage: 'deal_stage',
  engageDate: 'engage_date',
  closeDate: 'close_date',
  amount: 'close_value',
};

const DEFAULT_STAGE_MAP: Record<string, string> = {
  Prospecting: 'prospecting',
  Engaging: 'engaging',
  Won: 'won',
  Lost: 'lost',
};

/** Default stages of a pipeline export. */
export const DEFAULT_PIPELINE_STAGES: StageInfo[] = [
  { id: 'prospecting', kind: 'open', probability: 0.1, forecastCategory: 'pipeline' },
  { id: 'engaging', kind: 'open', probability: 0.5, forecastCategory: 'best_case' },
  { id: 'won', kind: 'won', probability: 1, forecastCategory: 'closed' },
  { id: 'lost', kind: 'lost', probability: 0, forecastCategory: 'omitted' },
];

const DATE_RE = /^\d{4}-\d{2}-\d{2}(T[\d:.]+Z?)?$/;

function isoOfDate(s: string): string {
  return s.length === 10 ? `${s}T00:00:00.000Z` : new Date(s).toISOString();
}

/**
 * Turns a pipeline CSV export into Dealflow records and history: each row is a record; a dated
 * row gets `created` (initial stage, with a snapshot of what was known then) and a transition to
 * the engage stage at its engage date, then a transition to won/lost at its close date whose
 * `data.changes` sets the booked amount. The close date is kept only as that event (never as a
 * field known from creation), so nothing about a deal's future is visible before it happens.
 * History is in the engine's format (`created` holds `data.record`, later events `data.changes`). Rows are validated whole: any bad row fails the call
 * with `DealflowError('DATA_INVALID')` listing every problem with its line and column.
 *
 * @example
 * ```ts
 * const { records, history, stages } = parsePipelineCsv(fs.readFileSync('sales_pipeline.csv', 'utf8'))
 * ```
 */
export function parsePipelineCsv(text: string, options: ParsePipelineCsvOptions = {}): PipelineData {
  const rows = parseCsv(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  const header = rows[0];
  if (!header) throw new DealflowError('DATA_INVALID', 'CSV is empty: expected a header line');
  const cols: PipelineCsvColumns = { ...DEFAULT_COLUMNS, ...options.columns };
  const index = new Map(header.map((h, i) => [h.trim(), i]));
  const problems: Problem[] = [];
  const colIndex = {} as Record<keyof PipelineCsvColumns, number>;
  for (const key of Object.keys(cols) as (keyof PipelineCsvColumns)[]) {
    const i = index.get(cols[key]);
    if (i === undefined) {
      problems.push({ path: 'line 1', message: `missing column '${cols[key]}' (${key})`, code: 'missing_column' });
    } else colIndex[key] = i;
  }
  if (problems.length > 0) {
    throw new DealflowError('DATA_INVALID', `CSV header: ${problems.map((p) => p.message).join('; ')}`, { problems });
  }
  const fieldColumns = (options.fieldColumns ?? ['product', 'account']).filter((c) => index.has(c));
  const stageMap = options.stageMap ?? DEFAULT_STAGE_MAP;
  const stages = options.stages ?? DEFAULT_PIPELINE_STAGES;
  const stageKind = new Map(stages.map((s) => [s.id, s.kind]));
  const initialStage = options.initialStage ?? 'prospecting';
  const engageStage = options.engageStage ?? 'engaging';
  const tenantId = options.tenantId ?? 'default';
  const type = options.type ?? 'deal';

  interface Row { line: number; id: string; owner: string | null; stage: string; engage: string | null; close: string | null; amount: number | null; fields: Record<string, unknown> }
  const parsed: Row[] = [];
  const seen = new Set<string>();
  let latest = '';
  for (let r = 1; r < rows.length; r++) {
    const cells = rows[r] as string[];
    const line = r + 1;
    if (cells.length === 1 && cells[0] === '') continue;
    const cell = (key: keyof PipelineCsvColumns): string => (cells[colIndex[key]] ?? '').trim();
    const at = (key: keyof PipelineCsvColumns): string => `line ${line}, column ${colIndex[key] + 1} (${cols[key]})`;
    const id = cell('id');
    if (!id) problems.push({ path: at('id'), message: 'empty id' });
    else if (seen.has(id)) problems.push({ path: at('id'), message: `duplicate id '${id}'`, value: id });
    seen.add(id);
    const label = cell('stage');
    const stage = stageMap[label];
    if (stage === undefined || !stageKind.has(stage)) {
      problems.push({ path: at('stage'), message: `unknown stage '${label}' in record '${id}'`, value: label, hint: `known: ${Object.keys(stageMap).join(', ')}` });
    }
    const dates: Record<'engageDate' | 'closeDate', string | null> = { engageDate: null, closeDate: null };
    for (const key of ['engageDate', 'closeDate'] as const) {
      const v = cell(key);
      if (v === '') continue;
      if (!DATE_RE.test(v) || !Number.isFinite(parseIsoMs(v.length === 10 ? `${v}T00:00:00.000Z` : v))) {
        problems.push({ path: at(key), message: `invalid date '${v}' in record '${id}'`, value: v });
      } else {
        dates[key] = isoOfDate(v);
        if (dates[key]! > latest) latest = dates[key]!;
      }
    }
    const amountText = cell('amount');
    let amount: number | null = null;
    if (amountText !== '') {
      amount = Number(amountText);
      if (!Number.isFinite(amount) || amount < 0) {
        problems.push({ path: at('amount'), message: `invalid amount '${amountText}' in record '${id}'`, value: amountText });
        amount = null;
      }
    }
    const kind = stage === undefined ? undefined : stageKind.get(stage);
    if ((kind === 'won' || kind === 'lost' || kind === 'closed') && (!dates.closeDate || !dates.engageDate)) {
      problems.push({ path: at('closeDate'), message: `closed record '${id}' needs engage and close dates` });
    }
    if (dates.closeDate && dates.engageDate && dates.closeDate < dates.engageDate) {
      problems.push({ path: at('closeDate'), message: `record '${id}' closes before it engages` });
    }
    const fields: Record<string, unknown> = {};
    for (const c of fieldColumns) {
      const v = (cells[index.get(c)!] ?? '').trim();
      fields[c] = v === '' ? null : v;
    }
    parsed.push({ line, id, owner: cell('owner') || null, stage: stage ?? '', engage: dates.engageDate, close: dates.closeDate, amount, fields });
  }
  if (problems.length > 0) {
    const first = problems[0]!;
    throw new DealflowError('DATA_INVALID', `CSV has ${problems.length} problem(s); first: ${first.path}: ${first.message}`, { problems });
  }
  const undatedAt = options.undatedAt ? isoOfDate(options.undatedAt) : latest || new Date(0).toISOString();

  const records: StoredRecord[] = [];
  const history: HistoryEvent[] = [];
  for (const row of parsed) {
    const created = row.engage ?? undatedAt;
    const events: HistoryEvent[] = [];
    const push = (e: Omit<HistoryEvent, 'tenantId' | 'recordId' | 'seq' | 'id'>): void => {
      const seq = events.length + 1;
      events.push({ tenantId, id: `${row.id}:${seq}`, recordId: row.id, seq, ...e });
    };
    const kind = stageKind.get(row.stage);
    const startStage = row.engage ? initialStage : row.stage;
    // Engine-shaped history (replayable with core's `replay`): the `created` snapshot holds only
    // what was known when the deal was opened; each stage change is `data.changes`.
    push({
      at: created,
      kind: 'created',
      to: startStage,
      actorId: row.owner,
      data: {
        record: {
          id: row.id, type, blueprintId: 'csv-pipeline', blueprintVersion: 1, stage: startStage, fields: { ...row.fields },
          ownerId: row.owner, teamId: null, meta: {}, stageEnteredAt: created, createdAt: created,
        },
      },
    });
    if (row.engage && row.stage !== initialStage) {
      push({ at: row.engage, kind: 'transition', event: 'engage', from: initialStage, to: engageStage, actorId: row.owner, data: { changes: { stage: engageStage, stageEnteredAt: row.engage } } });
      if (row.close && kind !== 'open') {
        // The close date exists only as this event; the booked amount is known from it on.
        const changes: Record<string, unknown> = { stage: row.stage, stageEnteredAt: row.close };
        if (row.amount !== null) changes.fields = { amount: row.amount };
        push({ at: row.close, kind: 'transition', event: row.stage, from: engageStage, to: row.stage, actorId: row.owner, data: { changes } });
      }
    }
    const last = events[events.length - 1]!;
    const fields: Record<string, unknown> = { ...row.fields };
    if (row.amount !== null && row.close && kind !== 'open') fields.amount = row.amount;
    records.push({
      tenantId,
      id: row.id,
      type,
      blueprintId: 'csv-pipeline',
      blueprintVersion: 1,
      stage: row.stage,
      version: events.length,
      fields,
      ownerId: row.owner,
      teamId: null,
      meta: {},
      stageEnteredAt: last.at,
      createdAt: created,
      updatedAt: last.at,
    });
    history.push(...events);
  }
  return { records, history, stages };
}
