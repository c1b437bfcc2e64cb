// Bundles the hot path (ws, ws use, ws current, auth token) into a few files: the dispatcher, and one chunk per
// command loaded on demand. Loading a handful of modules instead of dozens of our files plus `yaml`'s saves about
// a third of the start-up of `kplane ws use`, which people wait on all day.
import { build } from 'esbuild';

await build({
  entryPoints: ['dist/cli/fast-path.js'],
  outdir: 'dist/hot',
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // `yaml` is CommonJS; bundled into ESM it needs a `require` for node builtins.
  banner: {
    js: "import { createRequire as kplaneCreateRequire } from 'node:module'; const require = kplaneCreateRequire(import.meta.url);",
  },
  // A native addon cannot be bundled; it is loaded from node_modules only when a keyring is used.
  external: ['@napi-rs/keyring'],
  logLevel: 'warning',
});
