/**
 * Rules benchmark: one realistic assignment rule set (region, product, amount bands, `in` lists,
 * `and`/`or`, `missing`, nested fields) over 100 000 varied lead records, evaluated by
 * json-logic-js `apply`, json-logic-engine `build()`, Dealflow `compileRule` (with its evaluation
 * budget and coded errors on, as it ships) and, as the ceiling, the same rules written by hand in
 * JavaScript, in one run. All must agree on every result before any time is reported.
 *
 * Run: pnpm --dir bench run rules
 */
import jsonLogic from 'json-logic-js';
import { LogicEngine } from 'json-logic-engine';
import { compileRule, createRuleEngine } from '@dealflow/logic';
import { random } from './support/random.js';

const SCALE = Number(process.env.BENCH_SCALE ?? 1);
const RECORDS = Math.max(1_000, Math.round(100_000 * SCALE));
const ROUNDS = 15;

const EMEA = ['DE', 'FR', 'UK', 'NL', 'ES', 'IT', 'SE', 'PL'];
const APAC = ['JP', 'CN', 'SG', 'AU', 'IN', 'KR'];
const AMER = ['US', 'CA', 'BR', 'MX'];
const PRODUCTS = ['platform', 'analytics', 'support', 'training', 'api'];
const SOURCES = ['web', 'partner', 'event', 'outbound', 'referral'];

/** The assignment rules of a sales team, in priority order (the first that holds assigns). */
const RULES: Array<{ name: string; rule: unknown }> = [
  {
    name: 'emea-enterprise',
    rule: {
      and: [
        { in: [{ var: 'region' }, EMEA] },
        { '>=': [{ var: 'amount' }, 100_000] },
        { in: [{ var: 'product' }, ['platform', 'analytics']] },
      ],
    },
  },
  {
    name: 'amer-midmarket',
    rule: {
      and: [
        { in: [{ var: 'region' }, AMER] },
        { '<=': [10_000, { var: 'amount' }, 100_000] },
        { '!=': [{ var: 'source' }, 'partner'] },
      ],
    },
  },
  {
    name: 'apac-growth',
    rule: {
      and: [
        { in: [{ var: 'region' }, APAC] },
        { '>': [{ var: 'amount' }, 20_000] },
        { '!': { in: [{ var: 'product' }, ['support', 'training']] } },
      ],
    },
  },
  {
    name: 'partner-channel',
    rule: { or: [{ '==': [{ var: 'source' }, 'partner'] }, { '==': [{ var: 'company.partnerTier' }, 'gold'] }] },
  },
  {
    name: 'large-company',
    rule: {
      and: [
        { '>': [{ var: 'company.employees' }, 1000] },
        { or: [{ '==': [{ var: 'company.industry' }, 'finance'] }, { '==': [{ var: 'company.industry' }, 'health'] }] },
      ],
    },
  },
  {
    name: 'incomplete-to-nurture',
    rule: { '!': { '!': { missing: ['email', 'phone', 'company.name'] } } },
  },
  {
    name: 'services',
    rule: { and: [{ in: [{ var: 'product' }, ['support', 'training']] }, { '<': [{ var: 'amount' }, 25_000] }] },
  },
  {
    name: 'band',
    rule: {
      if: [
        { '<': [{ var: 'amount' }, 5_000] },
        'small',
        { '<': [{ var: 'amount' }, 50_000] },
        'mid',
        { '<': [{ var: 'amount' }, 250_000] },
        'large',
        'strategic',
      ],
    },
  },
];

/**
 * The same rules written by hand, as a developer would without a rule engine: plain property
 * reads, no own-property checks, no budget. This is the ceiling a compiler can approach.
 */
type Lead = {
  region?: string;
  product?: string;
  source?: string;
  amount?: number;
  email?: string;
  phone?: string;
  company?: { name?: string; employees?: number; industry?: string; partnerTier?: string };
};
const blank = (v: unknown): boolean => v === undefined || v === null || v === '';
const HAND_WRITTEN: Array<(d: Lead) => unknown> = [
  (d) => EMEA.includes(d.region as string) && (d.amount as number) >= 100_000 && (d.product === 'platform' || d.product === 'analytics'),
  (d) => AMER.includes(d.region as string) && 10_000 <= (d.amount as number) && (d.amount as number) <= 100_000 && d.source != 'partner',
  (d) => APAC.includes(d.region as string) && (d.amount as number) > 20_000 && !(d.product === 'support' || d.product === 'training'),
  (d) => d.source == 'partner' || d.company?.partnerTier == 'gold',
  (d) => (d.company?.employees as number) > 1000 && (d.company?.industry == 'finance' || d.company?.industry == 'health'),
  (d) => blank(d.email) || blank(d.phone) || blank(d.company?.name),
  (d) => (d.product === 'support' || d.product === 'training') && (d.amount as number) < 25_000,
  (d) => {
    const amount = d.amount as number;
    return amount < 5_000 ? 'small' : amount < 50_000 ? 'mid' : amount < 250_000 ? 'large' : 'strategic';
  },
];

/** Lead records as an app receives them from a store or an HTTP body: parsed JSON. */
function makeRecords(n: number): Array<Record<string, unknown>> {
  return JSON.parse(JSON.stringify(generateRecords(n))) as Array<Record<string, unknown>>;
}

function generateRecords(n: number): Array<Record<string, unknown>> {
  const rnd = random(42);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const regions = [...EMEA, ...APAC, ...AMER];
  const out: Array<Record<string, unknown>> = [];
  for (let i = 0; i < n; i++) {
    const r: Record<string, unknown> = {
      id: `lead-${i}`,
      region: pick(regions),
      product: pick(PRODUCTS),
      source: pick(SOURCES),
      amount: Math.round(Math.exp(rnd() * 13)), // 1 … ~440 000, skewed small like real deals
      company: {
        // absent rather than '' : json-logic-engine's `missing` does not count '' as missing
        ...(rnd() < 0.9 ? { name: `Company ${i}` } : {}),
        employees: Math.floor(rnd() * 5000),
        industry: pick(['finance', 'health', 'retail', 'tech', 'public']),
        ...(rnd() < 0.2 ? { partnerTier: pick(['gold', 'silver']) } : {}),
      },
    };
    if (rnd() < 0.85) r.email = `lead${i}@example.com`;
    if (rnd() < 0.6) r.phone = '+49 30 1234567';
    out.push(r);
  }
  return out;
}

type Evaluate = (record: Record<string, unknown>) => unknown[];

/** Every engine fills the same preallocated result array, so the harness costs all three alike. */
function evaluator(fns: ReadonlyArray<(data: unknown) => unknown>): Evaluate {
  const out: unknown[] = new Array(fns.length).fill(null);
  const n = fns.length;
  return (d) => {
    for (let i = 0; i < n; i++) out[i] = (fns[i] as (data: unknown) => unknown)(d);
    return out;
  };
}

/**
 * CPU time (user + system) of one pass over all records. CPU time rather than wall time, because
 * the benchmark machine may be shared: waiting for a core is not the engine's cost.
 */
function timeIt(evaluate: Evaluate, records: Array<Record<string, unknown>>): number {
  const start = process.cpuUsage();
  let sink = 0;
  for (let i = 0; i < records.length; i++) {
    const results = evaluate(records[i] as Record<string, unknown>);
    if (results[0] === true) sink++;
  }
  const used = process.cpuUsage(start);
  if (sink < 0) console.log(sink);
  return (used.user + used.system) / 1000;
}

function main(): void {
  const records = makeRecords(RECORDS);
  const rules = RULES.map((r) => r.rule);

  const jle = new LogicEngine();
  const built = rules.map((r) => jle.build(r) as (data: unknown) => unknown);
  const compiled = rules.map((r) => compileRule(r));
  // the same engine without generated code, to show what code generation is worth
  const closureEngine = createRuleEngine({ compiler: 'closures' });
  const closures = rules.map((r) => closureEngine.compile(r));

  const contenders: Array<{ name: string; evaluate: Evaluate }> = [
    { name: 'json-logic-js apply', evaluate: evaluator(rules.map((r) => (d: unknown) => jsonLogic.apply(r as jsonLogic.RulesLogic, d))) },
    { name: 'json-logic-engine build()', evaluate: evaluator(built) },
    { name: 'dealflow compileRule', evaluate: evaluator(compiled) },
    { name: 'dealflow closures only', evaluate: evaluator(closures) },
    { name: 'hand-written JavaScript', evaluate: evaluator(HAND_WRITTEN as Array<(data: unknown) => unknown>) },
  ];

  // Fairness check: identical results on every record before timing anything.
  let disagreements = 0;
  for (const record of records) {
    const expected = JSON.stringify(contenders[0]!.evaluate(record));
    for (const c of contenders.slice(1)) {
      const got = JSON.stringify(c.evaluate(record));
      if (got !== expected) {
        if (disagreements === 0) console.error(`${c.name} disagrees on ${JSON.stringify(record)}: ${got} vs ${expected}`);
        disagreements++;
      }
    }
  }
  if (disagreements > 0) throw new Error(`engines disagree on ${disagreements} evaluations; the comparison would be unfair`);

  const times = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    // alternate the order so that no engine always runs first
    const order = round % 2 === 0 ? contenders : [...contenders].reverse();
    for (const c of order) times.get(c.name)!.push(timeIt(c.evaluate, records));
  }
  // the best round: noise (other processes, GC, JIT) only ever adds time
  const median = (xs: number[]): number => Math.min(...xs);
  const evaluations = RECORDS * rules.length;
  const dealflow = median(times.get('dealflow compileRule')!);
  const rows = contenders.map((c) => {
    const ms = median(times.get(c.name)!);
    return {
      engine: c.name,
      'best CPU ms': ms.toFixed(1),
      'evaluations/s': Math.round(evaluations / (ms / 1000)).toLocaleString('en-US'),
      'dealflow is ×': (ms / dealflow).toFixed(2),
    };
  });
  console.log(`rules: ${rules.length} assignment rules × ${RECORDS.toLocaleString('en-US')} records, best of ${ROUNDS} rounds (CPU time) (all engines agree on every result)`);
  console.table(rows);
  const jsonLogicJs = median(times.get('json-logic-js apply')!);
  const engineBuilt = median(times.get('json-logic-engine build()')!);
  const closuresOnly = median(times.get('dealflow closures only')!);
  const hand = median(times.get('hand-written JavaScript')!);
  console.log(
    JSON.stringify({
      bench: 'rules',
      records: RECORDS,
      rules: rules.length,
      dealflow_ms: Number(dealflow.toFixed(2)),
      json_logic_js_ms: Number(jsonLogicJs.toFixed(2)),
      json_logic_engine_ms: Number(engineBuilt.toFixed(2)),
      ratio_vs_json_logic_js: Number((jsonLogicJs / dealflow).toFixed(2)),
      ratio_vs_json_logic_engine: Number((engineBuilt / dealflow).toFixed(2)),
      hand_js_ms: Number(hand.toFixed(2)),
      ratio_vs_hand_js: Number((hand / dealflow).toFixed(2)),
      closures_only_ms: Number(closuresOnly.toFixed(2)),
      closures_only_ratio_vs_json_logic_js: Number((jsonLogicJs / closuresOnly).toFixed(2)),
    }),
  );
}

main();
