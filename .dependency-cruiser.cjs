/**
 * Import rules, checked by `npm run lint` (depcruise). The platform is the floor: config, logging, Redis,
 * AMQP, HTTP plumbing, metrics and readiness know no capability, so a capability can be read, tested and
 * replaced without the rest. Try it: an import of src/catalog from src/platform fails the lint.
 */
// Capabilities from the bottom up: each may import the platform and those listed before it, never one after
// it. A capability that needs something from above declares a port (e.g. src/catalog/catalog.ports.ts) and
// the process module binds it. write-store and read-model are siblings: both consume purchasing's events.
const LAYERS = [
  ['catalog'],
  ['purchasing'],
  ['orders', 'waiting-room'],
  ['read-model', 'write-store'],
  ['seat-recovery'],
  ['live'],
  ['ops'],
];
// What composes the capabilities into processes and tools: imports anything, imported by none of them.
const COMPOSITION = ['worker', 'consistency', 'openapi'];

const layerRules = LAYERS.flatMap((layer, i) => {
  const above = [...LAYERS.slice(i + 1).flat(), ...COMPOSITION, ...layer];
  return layer.map((capability) => ({
    name: `${capability}-imports-only-below`,
    comment: `src/${capability} may import src/platform and the capabilities below it, not ${above.join(', ')}.`,
    severity: 'error',
    from: { path: `^src/${capability}/` },
    to: { path: `^src/(${above.filter((c) => c !== capability).join('|')})/` },
  }));
});

module.exports = {
  forbidden: [
    ...layerRules,
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
