import { z } from 'zod';
import { DealflowError } from '@dealflow/core';
import type { Catalog } from './catalog.js';
import { digitsOf, majorOf } from './money.js';

/** One line a rep enters: a product, a quantity and an optional discount. */
export interface LineInput {
  /** Product id in the catalogue. */
  product: string;
  /** Whole units, 1 to {@link PRICING_LIMITS}.maxQuantity. */
  quantity: number;
  /** Discount in percent, 0–100, at most two decimals (12.5 = 12.5 %). Default 0. */
  discountPercent?: number;
}

/**
 * A priced line item, in the shape the templates' `items` list fields hold (deal, quote, order):
 * the price book's unit price filled in, the line total computed exactly in minor units.
 */
export interface PricedLine {
  /** Product id. */
  product: string;
  /** The product's name from the catalogue. */
  name: string;
  /** Units. */
  quantity: number;
  /** The price book's unit price (major unit). */
  unitPrice: number;
  /** The line's discount in percent (0 when none was given). */
  discountPercent: number;
  /** quantity × unitPrice − discount, rounded half away from zero to the minor unit. */
  lineTotal: number;
  /** The line total in whole minor units. */
  lineTotalMinor: number;
}

/** Result of {@link priceLines}. */
export interface PricedLines {
  /** Currency of every amount. */
  currency: string;
  /** The price book used. */
  priceBook: string;
  /** The priced lines, in input order. */
  lines: PricedLine[];
  /** Sum of quantity × unit price before discounts. */
  subtotal: number;
  /** Sum of the line discounts. */
  discount: number;
  /** Sum of the line totals. */
  total: number;
  /** The total in whole minor units. */
  totalMinor: number;
  /** The largest line discount in percent (what approval rules read: "discount over 20 %"). */
  maxDiscountPercent: number;
}

/** Limits of {@link priceLines}. */
export const PRICING_LIMITS = Object.freeze({
  /** Most lines per call (the templates' `items` hold at most 200). */
  maxLines: 200,
  /** Most units on one line. */
  maxQuantity: 1_000_000,
});

const lineSchema = z
  .object({
    product: z.string().min(1).max(200),
    quantity: z.number().int().min(1).max(PRICING_LIMITS.maxQuantity),
    discountPercent: z
      .number()
      .min(0)
      .max(100)
      .refine((d) => Math.abs(d * 100 - Math.round(d * 100)) < 1e-9, 'at most two decimals')
      .optional(),
  })
  .strict();
const linesSchema = z.array(lineSchema).min(1).max(PRICING_LIMITS.maxLines);

/** Rounds the exact quotient num / den (den > 0) half away from zero. */
function divRound(num: bigint, den: bigint): bigint {
  const neg = num < 0n;
  const a = neg ? -num : num;
  const q = (2n * a + den) / (2n * den);
  return neg ? -q : q;
}

/**
 * Prices line items from a catalogue's price book in one currency, exactly: unit prices are whole
 * minor units, a line's discount is rounded half away from zero to the minor unit, and the total
 * is the sum of the line totals. Fails whole with `INPUT_INVALID` naming the line (`$[2].product`)
 * for an unknown or inactive product, a product without a price in that book and currency, or a
 * bad quantity or discount.
 *
 * @example
 * ```ts
 * const priced = await priceLines(catalog, [{ product: 'crm-seat', quantity: 10, discountPercent: 25 }], { currency: 'EUR' })
 * priced.total // 1125
 * await engine.send(dealId, { type: 'propose', fields: { items: priced.lines.map(({ lineTotalMinor, ...l }) => l) } })
 * ```
 */
export async function priceLines(catalog: Catalog, lines: readonly LineInput[], options: { currency: string; priceBook?: string }): Promise<PricedLines> {
  const digits = digitsOf(options.currency, '$.currency');
  const parsed = linesSchema.safeParse(lines);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => ({ path: `$${i.path.map((k) => (typeof k === 'number' ? `[${k}]` : `.${String(k)}`)).join('')}`, message: i.message, code: i.code }));
    throw new DealflowError('INPUT_INVALID', `line items: ${problems[0]!.path} ${problems[0]!.message}`, { problems });
  }
  const book = options.priceBook ?? catalog.defaultPriceBook;
  const out: PricedLine[] = [];
  let subtotal = 0n;
  let total = 0n;
  let maxDiscount = 0;
  for (const [i, line] of parsed.data.entries()) {
    const product = await catalog.getProduct(line.product);
    if (!product || product.active === false) {
      throw new DealflowError('INPUT_INVALID', `line items: $[${i}].product '${line.product}' is ${product ? 'inactive' : 'not in the catalogue'}`, { problems: [{ path: `$[${i}].product`, message: product ? 'inactive product' : 'unknown product', code: 'unknown_product', value: line.product }] });
    }
    const price = await catalog.getPrice(line.product, book, options.currency);
    if (!price) {
      throw new DealflowError('INPUT_INVALID', `line items: $[${i}].product '${line.product}' has no ${options.currency} price in price book '${book}'`, { problems: [{ path: `$[${i}].product`, message: 'no price', code: 'no_price', value: line.product }] });
    }
    const discountPercent = line.discountPercent ?? 0;
    const gross = BigInt(price.unitPriceMinor) * BigInt(line.quantity);
    const basisPoints = BigInt(Math.round(discountPercent * 100));
    const net = gross - divRound(gross * basisPoints, 10_000n);
    if (net > BigInt(Number.MAX_SAFE_INTEGER)) throw new DealflowError('INPUT_LIMIT', `line items: $[${i}] total is too large`, { problems: [{ path: `$[${i}].quantity`, message: 'line total over the safe integer range', code: 'too_big' }] });
    subtotal += gross;
    total += net;
    maxDiscount = Math.max(maxDiscount, discountPercent);
    out.push({ product: product.id, name: product.name, quantity: line.quantity, unitPrice: price.unitPrice, discountPercent, lineTotal: majorOf(Number(net), digits), lineTotalMinor: Number(net) });
  }
  if (total > BigInt(Number.MAX_SAFE_INTEGER)) throw new DealflowError('INPUT_LIMIT', 'line items: the total is over the safe integer range', { problems: [{ path: '$', message: 'total too large', code: 'too_big' }] });
  return {
    currency: options.currency,
    priceBook: book,
    lines: out,
    subtotal: majorOf(Number(subtotal), digits),
    discount: majorOf(Number(subtotal - total), digits),
    total: majorOf(Number(total), digits),
    totalMinor: Number(total),
    maxDiscountPercent: maxDiscount,
  };
}
