export { createPermissions } from './evaluator.js';
export type { Permissions, ActorLike, ActorView } from './evaluator.js';
export { permissionsConfigSchema } from './schema.js';
export type { PermissionsConfig, PermissionAction } from './schema.js';
