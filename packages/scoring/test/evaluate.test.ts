import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateProbabilities, formatCalibration } from '../src/index.js';

describe('evaluateProbabilities (hand-computed)', () => {
  it('AUC, Brier and calibration of four predictions', () => {
    // won: 0.9, 0.7; lost: 0.8, 0.2. Won-lost pairs ranked right: (0.9>0.8), (0.9>0.2), (0.7>0.2);
    // wrong: (0.7<0.8) -> AUC 3/4. Brier: (0.1² + 0.8² + 0.3² + 0.2²)/4 = 0.78/4 = 0.195.
    const ev = evaluateProbabilities([
      { probability: 0.9, won: true },
      { probability: 0.8, won: false },
      { probability: 0.7, won: true },
      { probability: 0.2, won: false },
    ]);
    expect(ev.auc).toBeCloseTo(0.75, 12);
    expect(ev.brier).toBeCloseTo(0.195, 12);
    expect(ev.winRate).toBe(0.5);
    expect(ev.calibration).toHaveLength(10);
    expect(ev.calibration[9]).toMatchObject({ count: 1, observedRate: 1 });
    expect(ev.calibration[8]).toMatchObject({ count: 1, observedRate: 0 });
    expect(ev.calibration[2]?.meanPredicted).toBeCloseTo(0.2, 12);
    expect(ev.calibration[5]).toMatchObject({ count: 0, meanPredicted: null, observedRate: null });
    expect(formatCalibration(ev.calibration)).toContain('| 0.9–1.0 | 1 | 0.900 | 1.000 |');
  });

  it('ties count half; probability 1 falls in the last bin', () => {
    const ev = evaluateProbabilities([
      { probability: 1, won: true },
      { probability: 1, won: false },
    ]);
    expect(ev.auc).toBe(0.5);
    expect(ev.calibration[9]?.count).toBe(2);
  });

  it('rejects empty input and probabilities outside [0, 1] naming the index', () => {
    expect(() => evaluateProbabilities([])).toThrow(expect.objectContaining({ code: 'INPUT_INVALID' }));
    expect(() => evaluateProbabilities([{ probability: 0.5, won: true }, { probability: 1.5, won: false }])).toThrow(/prediction 1 has probability 1.5/);
  });
});

const outcomes = fc
  .array(fc.record({ probability: fc.double({ min: 0, max: 1, noNaN: true }), won: fc.boolean() }), { minLength: 2, maxLength: 60 })
  .filter((xs) => xs.some((x) => x.won) && xs.some((x) => !x.won));

describe('evaluation invariants (property-based)', () => {
  it('AUC matches the pairwise definition', () => {
    fc.assert(
      fc.property(outcomes, (xs) => {
        const won = xs.filter((x) => x.won);
        const lost = xs.filter((x) => !x.won);
        let s = 0;
        for (const w of won) for (const l of lost) s += w.probability > l.probability ? 1 : w.probability === l.probability ? 0.5 : 0;
        expect(evaluateProbabilities(xs).auc).toBeCloseTo(s / (won.length * lost.length), 10);
      }),
    );
  });

  it('AUC of p and of 1 − p add up to 1', () => {
    // probabilities on a grid of hundredths, so that 1 − p keeps distinct values distinct
    const grid = fc
      .array(fc.record({ k: fc.integer({ min: 0, max: 100 }), won: fc.boolean() }), { minLength: 2, maxLength: 60 })
      .filter((xs) => xs.some((x) => x.won) && xs.some((x) => !x.won));
    fc.assert(
      fc.property(grid, (ks) => {
        const xs = ks.map((x) => ({ probability: x.k / 100, won: x.won }));
        const flipped = ks.map((x) => ({ probability: (100 - x.k) / 100, won: x.won }));
        expect(evaluateProbabilities(xs).auc + evaluateProbabilities(flipped).auc).toBeCloseTo(1, 10);
      }),
    );
  });

  it('among constant predictions, the observed win rate has the lowest Brier score', () => {
    fc.assert(
      fc.property(outcomes, fc.double({ min: 0, max: 1, noNaN: true }), (xs, c) => {
        const rate = xs.filter((x) => x.won).length / xs.length;
        const at = (p: number) => evaluateProbabilities(xs.map((x) => ({ ...x, probability: p }))).brier;
        expect(at(rate)).toBeLessThanOrEqual(at(c) + 1e-12);
      }),
    );
  });

  it('calibration bins hold every prediction exactly once', () => {
    fc.assert(
      fc.property(outcomes, (xs) => {
        expect(evaluateProbabilities(xs).calibration.reduce((s, b) => s + b.count, 0)).toBe(xs.length);
      }),
    );
  });
});
