/**
 * Import rules, checked by `npm run lint` (depcruise). The platform is the floor: config, logging, Redis,
 * AMQP, HTTP plumbing, metrics and readiness know no capability, so a capability can be read, tested and
 * replaced without the rest. Try it: an import of src/catalog from src/platform fails the lint.
 */
module.exports = {
  forbidden: [
    {
      name: 'platform-imports-no-capability',
      comment: 'src/platform is infrastructure shared by every capability; it must not import one (upward).',
      severity: 'error',
      from: { path: '^src/platform/' },
      to: { path: '^src/', pathNot: '^src/platform/' },
    },
    {
      name: 'no-circular',
      comment: 'A file cycle means two files cannot be understood (or loaded) one before the other.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'src-imports-no-tests',
      comment: 'Production code never reaches into test/ or scripts/.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|scripts)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
  },
};
