// Bundles the hot path (ws, ws use, ws current, auth token) into one CommonJS file. Node loads one CommonJS file
// much faster than the dozens of ES modules (ours plus `yaml`'s) it replaces; the commands' own imports become
// lazy `require`s inside it, so `ws --short` never evaluates the YAML parser it does not need. Measured: ws use
// ~260 ms -> ~215 ms and ws --short ~160 ms -> ~120 ms on a busy 2-core machine (node -e 0: ~110 ms).
import { build } from 'esbuild';

await build({
  entryPoints: ['dist/cli/fast-path.js'],
  outfile: 'dist/hot-path.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // A native addon cannot be bundled; it is loaded from node_modules only when a keyring is used.
  external: ['@napi-rs/keyring'],
  logLevel: 'warning',
});
