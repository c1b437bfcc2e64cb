// Bundles the hot path (ws, ws use, ws current) into one file. Loading one module instead of the ~150 files of
// our code plus `yaml` saves about a third of the start-up of `kplane ws use`, which people wait on all day.
import { build } from 'esbuild';

await build({
  entryPoints: ['dist/cli/fast-path.js'],
  outfile: 'dist/hot-path.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // `yaml` is CommonJS; bundled into ESM it needs a `require` for node builtins.
  banner: {
    js: "import { createRequire as kplaneCreateRequire } from 'node:module'; const require = kplaneCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
