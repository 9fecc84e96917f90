import { z } from 'zod';
import { DealflowError } from '@dealflow/logic';
import type { StorageTx, StoredRecord } from '../storage/types.js';
import type { StageKind } from '../blueprint/schema.js';
import { throwProblems, zodProblems } from '../assignment/rules.js';
import { addDuration } from '../time/durations.js';
import type { PoolState } from '../pool/schema.js';
import { normalizeCompany, normalizeEmail, normalizePhone, normalizeText } from './normalize.js';

/** One duplicate key: a record field and how to normalize it. */
export const duplicateKeySchema = z
  .object({
    /** Key name, e.g. `email`. */
    name: z.string().min(1),
    /** Field it reads (default: the name). */
    field: z.string().min(1).optional(),
    /** How the value is normalized before comparing: `email` (trimmed, lower-cased), `phone` (`+` and digits, with `defaultCountryCode`), `company` (case, accents, punctuation and legal suffixes dropped), `text` (trimmed, lower case, inner whitespace collapsed). */
    normalize: z.enum(['email', 'phone', 'company', 'text']),
    /** For `phone`: country code for numbers written without one, e.g. `'49'`. */
    defaultCountryCode: z.string().optional(),
  })
  .strict();

const duration = z.string().regex(/^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/, 'must be an ISO-8601 duration such as P90D (P0D: at once)');

/**
 * When a record's duplicate keys stop blocking others: this long after it entered a lost or a
 * closed stage, or the public pool. Without a setting the keys block for as long as the record
 * holds them. (A duplicate merged by `createOrMerge` never held keys of its own.)
 */
export const duplicateReleaseSchema = z
  .object({
    /** After entering a `lost` stage (a disqualified lead, a lost deal), e.g. `P90D`. */
    lost: duration.optional(),
    /** After entering a `closed` stage (neither won nor lost). */
    closed: duration.optional(),
    /** After returning to the public pool (owner cleared), counted from `meta.pool.since`. */
    returned: duration.optional(),
  })
  .strict();

/** The `duplicates` section of the engine rules. */
export const duplicatesConfigSchema = z
  .object({
    /** The keys checked; a record collides with another when any one key is equal. */
    keys: z.array(duplicateKeySchema).min(1),
    /** Record types guarded (default: all). Keys are per type unless `acrossTypes`. */
    types: z.array(z.string().min(1)).optional(),
    /** One key space for all types (a lead and a deal with one e-mail collide). Default false. */
    acrossTypes: z.boolean().optional(),
    /** Release policy: keys of lost, closed or pooled records stop blocking after a while. */
    release: duplicateReleaseSchema.optional(),
  })
  .strict();

/** When duplicate keys stop blocking (parsed `duplicateReleaseSchema`). */
export type DuplicateRelease = z.infer<typeof duplicateReleaseSchema>;
/** One duplicate key after parsing (see `duplicateKeySchema`). */
export type DuplicateKey = z.infer<typeof duplicateKeySchema>;
/** The `duplicates` section of the engine rules after parsing (see {@link duplicatesConfigSchema}). */
export type DuplicatesConfig = z.infer<typeof duplicatesConfigSchema>;

/** What a `DUPLICATE` error's `details` hold. */
export interface DuplicateDetails {
  /** The record being created or updated that was refused. */
  recordId: string;
  /** The record that already holds the key. */
  existingRecordId: string;
  /** That record's owner (null: unowned), so the app can say whom to ask. */
  existingOwnerId: string | null;
  /** The key names that collided, e.g. `['email']`. */
  keys: string[];
}

/** The compiled duplicate guard. */
export interface DuplicateGuard {
  /** The parsed `duplicates` configuration. */
  readonly config: DuplicatesConfig;
  /** Whether the guard applies to a record type. */
  guards(type: string): boolean;
  /** Storage keys of a record, e.g. `dup:lead:email:ann@x.com` (null values give no key). */
  keysFor(type: string, fields: Record<string, unknown>): Array<{
    /** The key's name from the config (e.g. `email`). */
    name: string;
    /** The storage key holding the normalized value. */
    key: string;
  }>;
  /**
   * Claims the record's keys in the transaction (re-claims changed ones on update). Throws
   * `DUPLICATE` naming the existing record and its owner when another record holds one.
   */
  enforce(tx: StorageTx, before: StoredRecord | null, after: StoredRecord): Promise<void>;
  /** The existing record holding any of these fields' keys, or null. */
  findExisting(tx: StorageTx, type: string, fields: Record<string, unknown>, exceptId?: string): Promise<{
    /** The record holding the key(s). */
    record: StoredRecord;
    /** The key names that match (e.g. `['email']`). */
    keys: string[];
  } | null>;
}

/**
 * Compiles the duplicate-guard config. Keys are claimed through the store's unique keys inside
 * the write transaction, so two concurrent creates of one customer cannot both pass.
 *
 * @example
 * ```ts
 * const guard = createDuplicateGuard({ keys: [{ name: 'email', normalize: 'email' }, { name: 'company', normalize: 'company' }] });
 * ```
 */
export function createDuplicateGuard(config: unknown, path = '$.duplicates', options: { stageKindOf?: (record: StoredRecord) => StageKind | null } = {}): DuplicateGuard {
  const parsed = duplicatesConfigSchema.safeParse(config);
  if (!parsed.success) throwProblems('duplicate keys', zodProblems(parsed.error, path));
  const cfg = parsed.data as DuplicatesConfig;

  const normalize = (k: DuplicateKey, value: unknown): string | null => {
    switch (k.normalize) {
      case 'email': return normalizeEmail(value);
      case 'phone': return normalizePhone(value, k.defaultCountryCode);
      case 'company': return normalizeCompany(value);
      default: return normalizeText(value);
    }
  };
  const keysFor = (type: string, fields: Record<string, unknown>): Array<{ name: string; key: string }> => {
    const scope = cfg.acrossTypes ? '*' : type;
    const out: Array<{ name: string; key: string }> = [];
    for (const k of cfg.keys) {
      const n = normalize(k, fields[k.field ?? k.name]);
      if (n !== null) out.push({ name: k.name, key: `dup:${scope}:${k.name}:${n}` });
    }
    return out;
  };
  const guards = (type: string): boolean => !cfg.types || cfg.types.includes(type);
  /** Whether a holder's keys stopped blocking at `now` under the release policy. */
  const releasedByPolicy = (holder: StoredRecord, now: string): boolean => {
    const policy = cfg.release;
    if (!policy) return false;
    const kind = options.stageKindOf?.(holder) ?? null;
    const after = kind === 'lost' ? policy.lost : kind === 'closed' ? policy.closed : undefined;
    if (after !== undefined && addDuration(holder.stageEnteredAt, after) <= now) return true;
    const pool = holder.meta.pool as PoolState | undefined;
    return policy.returned !== undefined && holder.ownerId === null && pool !== undefined && addDuration(pool.since, policy.returned) <= now;
  };

  return {
    config: cfg,
    guards,
    keysFor,
    async findExisting(tx, type, fields, exceptId) {
      for (const { key, name } of keysFor(type, fields)) {
        const holder = await tx.findUniqueKey(key);
        if (holder && holder !== exceptId) {
          const record = await tx.getRecord(holder);
          if (record) return { record, keys: [name] };
        }
      }
      return null;
    },
    async enforce(tx, before, after) {
      if (!guards(after.type)) return;
      const next = keysFor(after.type, after.fields);
      const prev = before ? keysFor(before.type, before.fields) : [];
      const prevKeys = new Set(prev.map((k) => k.key));
      const nextKeys = new Set(next.map((k) => k.key));
      const released = prev.filter((k) => !nextKeys.has(k.key)).map((k) => k.key);
      const added = next.filter((k) => !prevKeys.has(k.key));
      if (added.length > 0) {
        let conflicts = await tx.claimUniqueKeys(after.id, added.map((k) => k.key));
        if (conflicts.length > 0 && cfg.release) {
          // keys of records the release policy let go: the holder gives them up, this record takes them
          const freed: string[] = [];
          for (const c of conflicts) {
            const holder = await tx.getRecord(c.recordId);
            if (holder && releasedByPolicy(holder, after.updatedAt)) {
              await tx.releaseUniqueKeys(holder.id, [c.key]);
              freed.push(c.key);
            }
          }
          if (freed.length > 0) conflicts = [...conflicts.filter((c) => !freed.includes(c.key)), ...(await tx.claimUniqueKeys(after.id, freed))];
        }
        if (conflicts.length > 0) {
          const first = conflicts[0]!;
          const existing = await tx.getRecord(first.recordId);
          const names = added.filter((k) => conflicts.some((c) => c.key === k.key)).map((k) => k.name);
          const details: DuplicateDetails = { recordId: after.id, existingRecordId: first.recordId, existingOwnerId: existing?.ownerId ?? null, keys: names };
          throw new DealflowError(
            'DUPLICATE',
            `Record '${after.id}' duplicates ${existing?.type ?? 'record'} '${first.recordId}' (owner ${existing?.ownerId ? `'${existing.ownerId}'` : 'none: in the pool'}) on ${names.join(', ')}`,
            { details: { ...details }, problems: names.map((n) => ({ path: `$.fields.${cfg.keys.find((k) => k.name === n)?.field ?? n}`, message: `${n} already belongs to record '${first.recordId}'`, code: 'duplicate' })) },
          );
        }
      }
      if (released.length > 0) await tx.releaseUniqueKeys(after.id, released);
    },
  };
}
