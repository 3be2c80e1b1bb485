#!/usr/bin/env node
'use strict';
// The `hookwork-types` command: a file in the repository, so that npm links it when a checkout is
// installed before its first build (see packages/core/bin/hookwork.js); the command is in dist/cli/.
const built = '../dist/cli/hookwork-types.js';
try {
  require.resolve(built);
} catch {
  process.stderr.write('hookwork-types: @hookwork/receiver is not built (dist/cli/hookwork-types.js is missing); run npm run build in the checkout first\n');
  process.exit(1);
}
require(built).runCli();
