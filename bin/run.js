#!/usr/bin/env node
import { launch } from '../dist/cli/launch.js';

// The hot commands run from one bundled file (with a V8 code cache); everything else goes to oclif.
await launch(process.argv.slice(2));
