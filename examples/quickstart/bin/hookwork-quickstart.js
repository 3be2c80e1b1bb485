#!/usr/bin/env node
'use strict';
// The quickstart as a command: a file in the repository, so that npm links it when a checkout is
// installed before its first build (see packages/core/bin/hookwork.js); dist/main.js runs on load.
const built = '../dist/main.js';
try {
  require.resolve(built);
} catch {
  process.stderr.write('quickstart: the example is not built (dist/main.js is missing); run npm run build in the checkout first\n');
  process.exit(1);
}
require(built);
