/**
 * `@dealflow/cli`: the `dealflow` command (validate, diagram, simulate, forecast, migrate) and
 * the functions behind it.
 *
 * @packageDocumentation
 */
export { run, CLI_VERSION } from './run.js';
export type { CliIO, CliStream } from './io.js';
export { validateBlueprintFile, formatValidation } from './validate.js';
export type { ValidationReport, ValidationProblem } from './validate.js';
export { loadBlueprintFile } from './load.js';
export type { LoadedBlueprint, JsonSyntaxProblem } from './load.js';
export { simulate } from './simulate/simulate.js';
export type { SimulateOptions, SimulationReport } from './simulate/simulate.js';
export { compareSimulations, formatSimulation, formatDiff } from './simulate/format.js';
export type { SimulationDiff } from './simulate/format.js';
export { renderBlueprintReference } from './reference.js';
