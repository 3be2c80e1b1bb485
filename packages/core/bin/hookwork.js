#!/usr/bin/env node
'use strict';
// The `hookwork` command. This file is in the repository, not built, so that npm links it into
// node_modules/.bin when a checkout is installed before its first build (npm links no bin whose
// file is missing: `npx hookwork` then found nothing to run); the command is in dist/cli/.
const built = '../dist/cli/hookwork.js';
try {
  require.resolve(built);
} catch {
  process.stderr.write('hookwork: @hookwork/core is not built (dist/cli/hookwork.js is missing); run npm run build in the checkout first\n');
  process.exit(1);
}
require(built).runCli();
