/**
 * Layering rules of @dealflow/core (issue #14), checked in CI by test/layering.test.ts.
 *
 *   create-engine.ts   composition root: the engine plus the sales rules, through hooks
 *   sales/ + features  assignment, escalation, pool, duplicates, activities, approvals, permissions
 *   engine/            the shell: load → pure step → plugins → one change writer
 *   transition/        the pure step
 *   blueprint/         schema, checks, machine, the one record view
 *   storage/           the Storage contract and the reference memory store
 *
 * Arrows point down only.
 */
const core = '^packages/core/src/';
const sales = `${core}(sales|assignment|escalation|pool|duplicates|activities|approvals|permissions|directory|rotation)/`;

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'engine-below-sales',
      comment: 'engine/, transition/ and blueprint/ never import the sales rules: those plug in through hooks (create-engine.ts composes them).',
      severity: 'error',
      from: { path: `${core}(engine|transition|blueprint)/` },
      to: { path: sales },
    },
    {
      name: 'pure-step-below-engine-shell',
      comment: 'the pure step reads no store and calls no engine shell (create-engine.ts, the writer, the send shell).',
      severity: 'error',
      from: { path: `${core}transition/` },
      to: { path: [`${core}create-engine\\.ts$`, `${core}engine/(send|writer|create-record|create-many|update|core-engine)\\.ts$`] },
    },
    {
      name: 'blueprint-below-engine',
      comment: 'blueprint/ (schema, checks, machine, record view) knows nothing of the engine or the pure step.',
      severity: 'error',
      from: { path: `${core}blueprint/` },
      to: { path: `${core}(engine|transition|create-engine)` },
    },
    {
      name: 'storage-contract-at-the-bottom',
      comment: 'storage/ (the contract and the reference store) imports nothing else of core.',
      severity: 'error',
      from: { path: `${core}storage/` },
      to: { path: core, pathNot: `${core}storage/` },
    },
    {
      name: 'features-not-back-into-the-kit',
      comment: 'a feature never imports the sales kit that composes it (types only are allowed).',
      severity: 'error',
      from: { path: `${core}(assignment|escalation|pool|duplicates|activities|approvals|permissions)/` },
      to: { path: `${core}sales/kit\\.ts$`, dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['node_modules', '/dist/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { conditionNames: ['dealflow-source', 'import', 'default'] },
  },
};
