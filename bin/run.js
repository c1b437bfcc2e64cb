#!/usr/bin/env node
import { createRequire } from 'node:module';

// The hot commands run from one bundled CommonJS file; everything else goes to oclif.
const { runHotCommand } = createRequire(import.meta.url)('../dist/hot-path.cjs');
const exitCode = await runHotCommand(process.argv.slice(2));
if (exitCode === undefined) {
  const { execute } = await import('@oclif/core');
  await execute({ dir: import.meta.url });
} else {
  process.exitCode = exitCode;
}
