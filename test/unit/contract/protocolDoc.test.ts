// docs/PROTOCOL.md changes with the code that states the contract (as rust-analyzer keeps
// lsp-extensions.md with lsp_ext.rs): the document carries a hash of those files, and this test
// fails when they change and the hash does not — so whoever changes the contract is sent to the
// document, and updates the hash only after updating the text.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';

const REPO = path.resolve(__dirname, '..', '..', '..');
const DOC = path.join(REPO, 'docs', 'PROTOCOL.md');

/** The files that state the wire contract — contract/: names, records, params, results, messages, errors, rules. */
function contractFiles(): string[] {
  const dir = path.join(REPO, 'contract');
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.ts'))
    .map((f) => `contract/${f.split(path.sep).join('/')}`)
    .concat('server/src/protocol.ts')
    .sort();
}

/** The text as the hash sees it: without whitespace and trailing commas, so reformatting (Prettier's line breaks) changes nothing. */
export function contractText(source: string): string {
  return source.replace(/\s+/g, '').replace(/,([)\]}>])/g, '$1');
}

function contractHash(files: string[]): string {
  const h = createHash('sha256');
  for (const f of files) h.update(`${f}\n`).update(contractText(fs.readFileSync(path.join(REPO, f), 'utf8')));
  return h.digest('hex').slice(0, 16);
}

const MARK = /<!-- contract hash: ([0-9a-f]{16}) -->/;

describe('docs/PROTOCOL.md follows the contract', () => {
  it('the hash ignores formatting but not content', () => {
    const one = 'export const LEASE = { defaultMs: 30_000, minMs: 1_000 };\n';
    const wrapped = 'export const LEASE = {\r\n  defaultMs: 30_000,\r\n  minMs: 1_000,\r\n};\r\n';
    assert.equal(contractText(one), contractText(wrapped));
    assert.notEqual(contractText(one), contractText(one.replace('30_000', '120_000')));
  });

  it('carries the hash of the files that state the contract', () => {
    const files = contractFiles();
    const now = contractHash(files);
    const recorded = MARK.exec(fs.readFileSync(DOC, 'utf8'))?.[1];
    assert.equal(
      recorded,
      now,
      `The contract changed (${files.join(', ')}). Bring docs/PROTOCOL.md up to date with it, ` +
        `then set its line <!-- contract hash: … --> to <!-- contract hash: ${now} -->.`,
    );
  });
});
