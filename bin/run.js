#!/usr/bin/env node
import { runHotCommand } from '../dist/hot/fast-path.js';

const exitCode = await runHotCommand(process.argv.slice(2));
if (exitCode === undefined) {
  const { execute } = await import('@oclif/core');
  await execute({ dir: import.meta.url });
} else {
  process.exitCode = exitCode;
}
