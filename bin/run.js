#!/usr/bin/env node
import { loadHotPath } from '../dist/cli/load-hot-path.js';

// The hot commands run from one bundled file (with a V8 code cache); everything else goes to oclif.
const hotPath = loadHotPath();
const exitCode = await hotPath.runHotCommand(process.argv.slice(2));
if (exitCode === undefined) {
  const { execute } = await import('@oclif/core');
  await execute({ dir: import.meta.url });
} else {
  process.exitCode = exitCode;
  hotPath.saveCodeCache();
}
