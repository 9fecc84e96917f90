import { z } from 'zod';
import { DealflowError } from '@dealflow/core';
import type { Awaitable } from '@dealflow/core';
import { digitsOf, majorOf, minorOf } from './money.js';

/**
 * The product catalogue: what a deal's line items may name, and their prices per price book and
 * currency. The app owns this data (ERP, product table); Dealflow reads it through this small
 * interface, like the directory. {@link createMemoryCatalog} ships.
 */

/** A product (or service) that line items name. */
export interface Product {
  /** Product id, what line items name. */
  id: string;
  /** Name shown on quotes and orders. */
  name: string;
  /** Product family, for routing rules (`{ "var": "fields.productFamily" }`). */
  family?: string;
  /** Inactive products cannot be quoted. Default true. */
  active?: boolean;
}

/** One price of a product in a price book, in one currency. */
export interface Price {
  /** The product priced. */
  productId: string;
  /** The price book the price belongs to. */
  priceBookId: string;
  /** ISO-4217 currency of the price. */
  currency: string;
  /** Unit price in the currency's major unit, a whole number of minor units (JPY 1800, EUR 12.5, KWD 1.125). */
  unitPrice: number;
  /** The same price in whole minor units. */
  unitPriceMinor: number;
}

/** What Dealflow needs from the app's catalogue. Methods may be sync or async. */
export interface Catalog {
  /** The product with this id, or null. */
  getProduct(id: string): Awaitable<Product | null>;
  /** Every product (inactive ones included). */
  listProducts(): Awaitable<Product[]>;
  /** The product's unit price in a price book and currency, or null when the book has none. */
  getPrice(productId: string, priceBookId: string, currency: string): Awaitable<Price | null>;
  /** The price book used when a call names none. */
  readonly defaultPriceBook: string;
}

const idSchema = z.string().min(1).max(200);

/** One price book of {@link createMemoryCatalog}. */
export interface PriceBookInput {
  /** Price book id (e.g. `list`, `partner`). */
  id: string;
  /** Name for people. */
  name?: string;
  /** Product id → currency → unit price in the major unit (`{ seat: { EUR: 19.99, JPY: 2500 } }`). */
  prices: Record<string, Record<string, number | string>>;
}

/** Options of {@link createMemoryCatalog}. */
export interface CreateMemoryCatalogOptions {
  /** The products (ids unique). */
  products: Product[];
  /** At least one price book. */
  priceBooks: PriceBookInput[];
  /** The price book used when a call names none (default: the first). */
  defaultPriceBook?: string;
}

const memoryCatalogSchema = z
  .object({
    products: z.array(z.object({ id: idSchema, name: z.string().min(1).max(500), family: z.string().min(1).max(200).optional(), active: z.boolean().optional() }).strict()).max(100_000),
    priceBooks: z
      .array(z.object({ id: idSchema, name: z.string().max(500).optional(), prices: z.record(idSchema, z.record(z.string(), z.union([z.number(), z.string()]))) }).strict())
      .min(1)
      .max(1000),
    defaultPriceBook: idSchema.optional(),
  })
  .strict();

/**
 * An in-memory catalogue (tests, examples, small apps). Every price is checked once: a known
 * currency, no more decimals than it has (`INPUT_INVALID` naming the price's path), a product the
 * catalogue lists.
 *
 * @example
 * ```ts
 * const catalog = createMemoryCatalog({
 *   products: [{ id: 'crm-seat', name: 'CRM seat / 席位', family: 'software' }],
 *   priceBooks: [{ id: 'list', prices: { 'crm-seat': { CNY: 1200, EUR: 150, JPY: 18000 } } }],
 * })
 * await catalog.getPrice('crm-seat', 'list', 'EUR') // { unitPrice: 150, unitPriceMinor: 15000, … }
 * ```
 */
export function createMemoryCatalog(options: CreateMemoryCatalogOptions): Catalog {
  const parsed = memoryCatalogSchema.safeParse(options);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => ({ path: `$${i.path.map((k) => (typeof k === 'number' ? `[${k}]` : `.${String(k)}`)).join('')}`, message: i.message, code: i.code }));
    throw new DealflowError('INPUT_INVALID', `catalogue: ${problems[0]!.path} ${problems[0]!.message}`, { problems });
  }
  const cfg = parsed.data;
  const products = new Map<string, Product>();
  for (const p of cfg.products) {
    if (products.has(p.id)) throw new DealflowError('INPUT_INVALID', `catalogue: product '${p.id}' is listed twice`, { problems: [{ path: '$.products', message: `duplicate product '${p.id}'`, code: 'duplicate' }] });
    products.set(p.id, { ...p });
  }
  const prices = new Map<string, Price>();
  const books = new Set<string>();
  cfg.priceBooks.forEach((book, b) => {
    if (books.has(book.id)) throw new DealflowError('INPUT_INVALID', `catalogue: price book '${book.id}' is listed twice`, { problems: [{ path: `$.priceBooks[${b}].id`, message: 'duplicate price book', code: 'duplicate' }] });
    books.add(book.id);
    for (const [productId, byCurrency] of Object.entries(book.prices)) {
      const path = `$.priceBooks[${b}].prices.${productId}`;
      if (!products.has(productId)) throw new DealflowError('INPUT_INVALID', `catalogue: ${path} prices product '${productId}', which the catalogue does not list`, { problems: [{ path, message: 'unknown product', code: 'unknown_product' }] });
      for (const [currency, amount] of Object.entries(byCurrency)) {
        const digits = digitsOf(currency, `${path}.${currency}`);
        const minor = minorOf(amount, digits, `${path}.${currency}`, { min: 0 });
        prices.set(`${book.id}\u0000${productId}\u0000${currency}`, { productId, priceBookId: book.id, currency, unitPrice: majorOf(minor, digits), unitPriceMinor: minor });
      }
    }
  });
  const defaultPriceBook = cfg.defaultPriceBook ?? cfg.priceBooks[0]!.id;
  if (!books.has(defaultPriceBook)) throw new DealflowError('INPUT_INVALID', `catalogue: default price book '${defaultPriceBook}' is not listed`, { problems: [{ path: '$.defaultPriceBook', message: 'unknown price book', code: 'unknown_price_book' }] });
  return {
    defaultPriceBook,
    getProduct: (id) => (products.has(id) ? { ...products.get(id)! } : null),
    listProducts: () => [...products.values()].map((p) => ({ ...p })),
    getPrice(productId, priceBookId, currency) {
      const p = prices.get(`${priceBookId}\u0000${productId}\u0000${currency}`);
      return p ? { ...p } : null;
    },
  };
}
