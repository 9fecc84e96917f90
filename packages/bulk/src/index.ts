/**
 * `@dealflow/bulk`: imports and exports at batch speed. `importRecords` reads CSV or JSON Lines
 * into records of a blueprint through `engine.createMany` (every rule applies; a refused-rows
 * report; resumable after a crash), `exportRecords` streams records, history or activities,
 * `restoreRecords` reads a `dealflow` export back exactly.
 *
 * @packageDocumentation
 */
export { DEFAULT_IMPORT_CONCURRENCY, importRecords, MAX_IMPORT_CONCURRENCY } from './import.js';
export type { ImportRecordsOptions, ImportSummary, ImportProgress } from './import.js';
export { exportRecords } from './export.js';
export type { ExportRecordsOptions, ExportSummary, ExportWhat } from './export.js';
export { restoreRecords } from './restore.js';
export type { RestoreRecordsOptions, RestoreSummary } from './restore.js';
export { parseMapping, mappingSchema } from './mapping.js';
export type { Mapping, MappingInput, FieldMapping } from './mapping.js';
export { mapRow, readTime, RowRefusal } from './rows.js';
export type { SourceRow, MappedRow, RowContext } from './rows.js';
export { readSource, formatOf, MAX_ROW_BYTES } from './source.js';
export type { SourceFormat, SourceItem } from './source.js';
export { openReport } from './report.js';
export type { OpenReportOptions, RefusedRow, RefusedRowsSink } from './report.js';
export { readLedger, ledgerKey } from './ledger.js';
export type { LedgerTotals } from './ledger.js';
