/**
 * Imports point down (docs/architecture.md "Rooms"): core at the bottom, then the Alpaca adapter, then the features in
 * the order they may depend on each other. A layer may import its own folder and any layer below
 * it, never one above: that rules out import cycles between feature modules, not only between files.
 * `npm run check:deps` (run by .ci/run).
 */
const LAYERS = [
  'core',
  'alpaca',
  'audit',
  'auth',
  'market-data',
  'options',
  'risk',
  'trading',
  'streams',
  'alpaca-compat',
  'health',
];

const upward = LAYERS.map((layer, i) => ({
  name: `${layer}-imports-down-only`,
  comment: `src/${layer} may import only ${LAYERS.slice(0, i).join(', ') || 'nothing else in src'} (and itself)`,
  severity: 'error',
  from: { path: `^src/${layer}/` },
  to: { path: `^src/(${LAYERS.slice(i + 1).join('|')})/` },
}));

module.exports = {
  forbidden: [
    {
      name: 'no-test-code-in-the-service',
      severity: 'error',
      comment: 'The image has no test/ (the emulator is for demo and tests only); test rigs live under test/.',
      from: { path: '^src/' },
      to: { path: '^test/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle is a design bug (docs/style.md).',
      from: {},
      to: { circular: true },
    },
    ...upward.filter((rule) => rule.to.path !== '^src/()/'),
    {
      name: 'alpaca-compat-imported-by-app-only',
      comment: 'The Alpaca-compatible face is a translation room on top: only app.module wires it in (ALPACA_FACE).',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/alpaca-compat/', '^src/app\\.module\\.ts$'] },
      to: { path: '^src/alpaca-compat/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.spec\\.ts$' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
  },
};
