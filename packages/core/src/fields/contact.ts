import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { CountryCode } from 'libphonenumber-js';
import { FIELD_LIMITS } from './schema.js';

/**
 * Contact values: e-mail addresses and phone numbers, normalized so that equal contacts are equal
 * strings (for rules, duplicate keys and indexes).
 */

// local@domain.tld: no spaces, one @, a dot in the domain; deliberately simple (RFC 5322 allows far more than mail servers deliver)
const EMAIL = /^[^\s@"<>(),;:\\[\]]+@[^\s@"<>(),;:\\[\]]+\.[^\s@"<>(),;:\\[\].]{2,}$/;

/**
 * A trimmed, lower-cased e-mail address, or an error text.
 *
 * @example
 * ```ts
 * normalizeEmailValue('  Ann.Lee@Example.COM ') // 'ann.lee@example.com'
 * ```
 */
export function normalizeEmailValue(value: unknown): { ok: true; value: string } | { ok: false; expected: string } {
  const expected = 'an e-mail address like ann@example.com';
  if (typeof value !== 'string') return { ok: false, expected };
  const v = value.trim().toLowerCase();
  if (v.length > FIELD_LIMITS.maxEmailLength || !EMAIL.test(v)) return { ok: false, expected };
  return { ok: true, value: v };
}

/**
 * A phone number in E.164 form (`+493012345678`), parsed with libphonenumber-js; numbers without
 * a country code are read in `defaultCountry`. Numbers that cannot exist (wrong length for their
 * country) are refused.
 *
 * @example
 * ```ts
 * normalizePhoneValue('030 1234567', 'DE') // { ok: true, value: '+49301234567' }
 * ```
 */
export function normalizePhoneValue(value: unknown, defaultCountry?: string): { ok: true; value: string } | { ok: false; expected: string } {
  const expected = defaultCountry ? `a phone number (national numbers read in ${defaultCountry})` : 'a phone number with its country code, like +49 30 1234567';
  if (typeof value !== 'string' || value.length > 64) return { ok: false, expected };
  const parsed = parsePhoneNumberFromString(value, defaultCountry ? { defaultCountry: defaultCountry as CountryCode } : undefined);
  if (!parsed || !parsed.isPossible()) return { ok: false, expected };
  return { ok: true, value: parsed.number };
}
