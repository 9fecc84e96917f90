import type { StoredRecord } from '../storage/types.js';
import { recordView } from '../blueprint/record-view.js';
import type { RecordLike, RecordView } from '../blueprint/record-view.js';

export { metaFacts, recordView } from '../blueprint/record-view.js';
export type { RecordLike, RecordMetaFacts } from '../blueprint/record-view.js';

/** The record as sales rules see it: the one {@link RecordView} every rule sees. */
export type RuleRecordView = RecordView;

/** Rule data for a record at a time, optionally with an actor (`{ record, fields, now, actor }`). */
export function ruleData(record: RecordLike | StoredRecord, now: string, actor?: unknown): Record<string, unknown> {
  const view = recordView(record);
  return { record: view, fields: view.fields, now, actor: actor ?? null };
}
