// Bundles what the launchers load first into CommonJS. Node 20 starts a CommonJS entry ~15 ms sooner than an ES
// module one, and loads one CommonJS file much faster than the dozens of ES modules (ours plus `yaml`'s) it
// replaces. Three files:
// - dist/cli/launch.cjs: what bin/* require (argument shuffling, `auth token` for a token kept in a file, which
//   kubectl runs before every call and which needs nothing else, loading the hot path with its code cache, and
//   the hand-over to oclif for everything else); the loader and its modules (vm, module, os) run only after the
//   `auth token` answer, so that answer costs one small file above Node's start-up;
// - dist/hot-path.cjs: the hot commands (ws, ws use, ws current, auth token); their own imports become lazy
//   `require`s inside it;
// - dist/yaml.cjs: the YAML parser, two thirds of the code, which `ws --short`, `auth token` and a quick
//   `ws use` never need: the launcher loads it (with its own code cache) only when the hot path requires it.
import { build } from 'esbuild';

const common = { bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'warning' };

await build({
  ...common,
  entryPoints: ['dist/dispatch/fast-path.js'],
  outfile: 'dist/hot-path.cjs',
  // A native addon cannot be bundled; it is loaded from node_modules only when a keyring is used. The OpenID
  // client is loaded from node_modules only when an ID token needs renewing: a cached one never parses it.
  external: ['@napi-rs/keyring', 'yaml', 'openid-client'],
  // vm.Script (the code cache loader) has no dynamic import(); lazy imports of externals become require().
  supported: { 'dynamic-import': false },
});

await build({ ...common, entryPoints: ['yaml'], outfile: 'dist/yaml.cjs' });

await build({
  ...common,
  // The launcher's source is on the top floor (src/dispatch/launch.ts: it reaches the client for a cached token);
  // its bundle stays where bin/* require it, which is also where load-hot-path.ts finds dist/ from.
  entryPoints: ['dist/dispatch/launch.js'],
  outfile: 'dist/cli/launch.cjs',
  // oclif is only loaded for the other commands, from node_modules as it is.
  external: ['@oclif/core'],
  // CommonJS has no import.meta; the launcher finds its neighbours from its own file name instead.
  banner: { js: 'const __launchUrl = require("node:url").pathToFileURL(__filename).href;' },
  define: { 'import.meta.url': '__launchUrl' },
});
