import { requireJestGlobals } from './contract-subject';
/// <reference types="jest" />
import { readFileSync } from 'node:fs';
import type { ErrorCatalogue } from '../errors/hookwork-error';

/** One package's part of an errors page: its `### CODE` headings and the status each states. */
function documentedCodes(markdown: string, owner: string): Map<string, number | undefined> {
  const lines = markdown.split('\n');
  const start = lines.findIndex((line) => line.trim() === `## \`${owner}\``);
  const codes = new Map<string, number | undefined>();
  if (start < 0) return codes;
  let current: string | undefined;
  for (const line of lines.slice(start + 1)) {
    if (/^## /.test(line)) break;
    const heading = /^### ([A-Z][A-Z0-9_]*_ERR_[A-Z0-9_]+)\s*$/.exec(line);
    if (heading) {
      current = heading[1]!;
      if (codes.has(current)) codes.set(`${current} (twice)`, undefined);
      else codes.set(current, undefined);
      continue;
    }
    const status = /^Status: (\d{3})\b/.exec(line);
    if (status && current && codes.get(current) === undefined) codes.set(current, Number(status[1]));
  }
  return codes;
}

/**
 * Keeps a package's error catalogue and its documentation in step: the errors page (e.g.
 * docs/errors.md) has a section `` ## `<owner>` `` with one `### CODE` heading per code of
 * `catalogue`, each followed by a line `Status: <HTTP status>` that matches the catalogue, and no
 * heading for a code that does not exist. Call it from a jest test file.
 */
export function describeErrorCatalogue(catalogue: ErrorCatalogue, docsFile: string): void {
  requireJestGlobals('describeErrorCatalogue');
  describe(`the error catalogue of ${catalogue.owner}`, () => {
    const documented = () => documentedCodes(readFileSync(docsFile, 'utf8'), catalogue.owner);

    it(`documents every code once, with its status, in ${docsFile.split(/[\\/]/).slice(-2).join('/')}`, () => {
      const docs = documented();
      const expected = Object.entries(catalogue.codes).map(([code, definition]) => [code, definition.status]);
      expect(Object.keys(catalogue.codes).map((code) => [code, docs.get(code)])).toEqual(expected);
    });

    it('documents no code that does not exist', () => {
      expect([...documented().keys()].filter((code) => !(code in catalogue.codes))).toEqual([]);
    });
  });
}
