export type { Awaitable, Directory, Rep, RepCapacity, Team } from './types.js';
export { createMemoryDirectory, managerChain } from './memory.js';
export type { CreateMemoryDirectoryOptions, MemoryDirectory } from './memory.js';
