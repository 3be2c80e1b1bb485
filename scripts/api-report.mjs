#!/usr/bin/env node
// The API report of every package's public entry (api-extractor), kept in the repo under each
// package's api/ folder so a change to a public surface shows in review.
//   node scripts/api-report.mjs           check: fails when a report is out of date (npm test)
//   node scripts/api-report.mjs --update  rewrite the reports after a deliberate change (npm run api)
// Both fail when an exported symbol or member has no TSDoc (the report marks it `(undocumented)`).
// Runs after `tsc -b` (it reads the emitted .d.ts).
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { join, relative } from 'node:path';
import { Extractor, ExtractorConfig } from '@microsoft/api-extractor';

const root = join(import.meta.dirname, '..');
const update = process.argv.includes('--update');
const configs = [];
for (const group of ['packages', 'plugins']) {
  for (const name of readdirSync(join(root, group))) {
    const folder = join(root, group, name);
    for (const file of readdirSync(folder)) if (/^api-extractor(\..+)?\.json$/.test(file)) configs.push(join(folder, file));
  }
}
let failed = 0;
for (const file of configs) {
  const config = ExtractorConfig.loadFileAndPrepare(file);
  if (!existsSync(config.mainEntryPointFilePath)) {
    console.error(`${relative(root, file)}: ${relative(root, config.mainEntryPointFilePath)} is missing; run npm run build first`);
    failed++;
    continue;
  }
  if (update) mkdirSync(dirname(config.reportFilePath), { recursive: true });
  const result = Extractor.invoke(config, { localBuild: update, showVerboseMessages: false, messageCallback: (m) => { if (m.logLevel === 'warning' || m.logLevel === 'error') m.handled = false; else m.handled = true; } });
  const where = relative(root, config.reportFilePath);
  if (result.apiReportChanged && !update) {
    console.error(`${where} is out of date: the public surface of ${config.packageJson?.name} changed. If that is on purpose, run npm run api and commit the report.`);
    failed++;
  } else if (!result.succeeded) {
    console.error(`${where}: api-extractor reported ${result.errorCount} error(s) and ${result.warningCount} warning(s) (above)`);
    failed++;
  } else if (update && result.apiReportChanged) console.log(`updated ${where}`);
  const lines = existsSync(config.reportFilePath) ? readFileSync(config.reportFilePath, 'utf8').split('\n') : [];
  // api-extractor writes `// (undocumented)` above a member and `// @public (undocumented)` (the
  // release tag first) above a top-level export: matching the first form only let two exported
  // functions of @hookwork/core/testing through, their TSDoc orphaned by an interface put between.
  const undocumented = lines.flatMap((line, i) => (/^\/\/ (?:@\w+ )?\(undocumented\)$/.test(line.trim()) ? [lines[i + 1]?.trim()] : []));
  if (undocumented.length > 0) {
    console.error(`${where}: ${undocumented.length} exported declaration(s) without TSDoc (house rule: TSDoc on exports):\n  ${undocumented.join('\n  ')}`);
    failed++;
  }
}
if (failed > 0) process.exit(1);
console.log(`${configs.length} API reports ${update ? 'written' : 'up to date'}`);
