/**
 * `@dealflow/cli`: the `dealflow` command (init, validate, diagram, simulate, forecast, migrate)
 * and the functions behind it.
 *
 * @packageDocumentation
 */
export { run, CLI_VERSION } from './run.js';
export type { CliIO, CliStream } from './io.js';
export { validateBlueprintFile, formatValidation } from './validate.js';
export type { ValidationReport, ValidationProblem } from './validate.js';
export { loadBlueprintFile } from './load.js';
export type { LoadedBlueprint, LoadBlueprintResult, JsonSyntaxProblem } from './load.js';
export { simulate, simulatedTeam } from './simulate/simulate.js';
export type { SimulateOptions, SimulationReport, SimulationProgress, RejectionCount } from './simulate/simulate.js';
export { parseScenario } from './simulate/scenario.js';
export type { Scenario, FieldDistribution } from './simulate/scenario.js';
export { loadProcessFile, readProcessFile, findProcessFile, PROCESS_FILE_NAMES } from './process.js';
export type { LoadedProcess, ReadProcessResult } from './process.js';
export { initProcess } from './init/init.js';
export type { InitResult } from './init/init.js';
export { compareSimulations, formatSimulation, formatDiff } from './simulate/format.js';
export type { SimulationDiff, SimulationDelta } from './simulate/format.js';
export { renderBlueprintReference } from './reference.js';
