import type { EngineCore } from './core.js';

/** What parts of core built on an engine (links, migration) use of it beyond its public methods. */
export interface EngineInternals {
  core: EngineCore;
}

const registry = new WeakMap<object, EngineInternals>();

/** Notes an engine's internals (createEngine does, for the engine object it returns). */
export function registerInternals(engine: object, internals: EngineInternals): void {
  registry.set(engine, internals);
}

/** The internals of an engine made by createEngine (undefined for any other object). */
export function internalsOf(engine: object): EngineInternals | undefined {
  return registry.get(engine);
}
