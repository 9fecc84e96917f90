/**
 * Normalizers for duplicate keys. Each returns null when the value cannot form a key (empty,
 * too short, not a string), so such records are never reported as duplicates of each other.
 */

/**
 * E-mail address trimmed and lower-cased; null without a local part and a domain around an `@`.
 *
 * @example
 * ```ts
 * normalizeEmail('  Ann.Lee@Example.COM ') // 'ann.lee@example.com'
 * ```
 */
export function normalizeEmail(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const v = value.trim().toLowerCase();
  const at = v.lastIndexOf('@');
  if (at <= 0 || at === v.length - 1) return null;
  return v;
}

/**
 * Phone in E.164-ish form: digits with a leading `+`. `00` becomes `+`; a number without a country
 * code gets `defaultCountryCode` (its leading trunk `0` dropped). Fewer than 6 digits: null.
 *
 * @example
 * ```ts
 * normalizePhone('(030) 123-4567', '49') // '+49301234567'
 * normalizePhone('0049 30 1234567') // '+49301234567'
 * ```
 */
export function normalizePhone(value: unknown, defaultCountryCode?: string): string | null {
  if (typeof value !== 'string' && typeof value !== 'number') return null;
  let v = String(value).trim();
  const ext = v.search(/\s*(?:ext\.?|x|#)\s*\d+$/i);
  if (ext > 0) v = v.slice(0, ext);
  const plus = v.startsWith('+');
  let digits = v.replace(/\D/g, '');
  if (digits.length < 6) return null;
  if (plus) return `+${digits}`;
  if (digits.startsWith('00')) return `+${digits.slice(2)}`;
  if (defaultCountryCode) {
    const cc = defaultCountryCode.replace(/\D/g, '');
    if (digits.startsWith(cc) && digits.length > 10) return `+${digits}`;
    digits = digits.replace(/^0+/, '');
    return `+${cc}${digits}`;
  }
  return `+${digits}`;
}

/** Legal-form words dropped from the end of company names. */
const LEGAL_SUFFIXES = new Set([
  'inc', 'incorporated', 'llc', 'llp', 'lp', 'ltd', 'limited', 'corp', 'corporation', 'co', 'company',
  'gmbh', 'mbh', 'ag', 'kg', 'ug', 'sa', 'sas', 'sarl', 'srl', 'spa', 'bv', 'nv', 'plc', 'pty', 'pte',
  'kk', 'oy', 'ab', 'as', 'aps', 'oyj', 'se', 'sl', 'group', 'holding', 'holdings',
]);
const CJK_SUFFIXES = ['股份有限公司', '有限责任公司', '有限公司', '集团公司', '集团', '公司'];

/**
 * Company name normalized for case, accents, punctuation and legal suffixes:
 * `"ACME, Inc."` and `"Acme Incorporated"` → `acme`; `"Müller GmbH & Co. KG"` → `muller`.
 *
 * @example
 * ```ts
 * normalizeCompany('Müller GmbH & Co. KG') // 'muller'
 * ```
 */
export function normalizeCompany(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  let v = value.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().trim();
  for (let changed = true; changed; ) {
    changed = false;
    for (const s of CJK_SUFFIXES) {
      if (v.endsWith(s) && v.length > s.length) { v = v.slice(0, -s.length).trim(); changed = true; }
    }
  }
  v = v.replace(/&/g, ' and ').replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
  const words = v.split(' ').filter(Boolean);
  while (words.length > 1 && (LEGAL_SUFFIXES.has(words[words.length - 1]!) || words[words.length - 1] === 'and')) words.pop();
  if (words[0] === 'the' && words.length > 1) words.shift();
  const out = words.join(' ');
  return out.length > 0 ? out : null;
}

/**
 * Plain text key: trimmed, lower case, inner whitespace collapsed.
 *
 * @example
 * ```ts
 * normalizeText(' Big   Deal ') // 'big deal'
 * ```
 */
export function normalizeText(value: unknown): string | null {
  if (typeof value !== 'string' && typeof value !== 'number') return null;
  const v = String(value).trim().toLowerCase().replace(/\s+/g, ' ');
  return v.length > 0 ? v : null;
}
