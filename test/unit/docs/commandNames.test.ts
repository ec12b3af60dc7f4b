// Texts that tell people which command to run name it as the Command Palette shows it: every
// "Runboard: <title>" in the READMEs and docs is a command contributed in package.json.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';

const repo = path.resolve(__dirname, '..', '..', '..');
const manifest = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8'));
const titles = new Set<string>(manifest.contributes.commands.map((c: { category?: string; title: string }) => `${c.category}: ${c.title}`));

const texts = [
  'README.md',
  'test/e2e/fixtures/workspace/README.md',
  ...fs.readdirSync(path.join(repo, 'docs')).map((f) => `docs/${f}`),
].filter((f) => f.endsWith('.md'));

/** Every bold "Runboard: …" in a Markdown text (the way the docs name a palette command). */
function namedCommands(text: string): string[] {
  return [...text.matchAll(/\*\*(Runboard: [^*]+)\*\*/g)].map((m) => m[1]);
}

test('the demo README names commands (it is what npm start opens)', () => {
  const named = namedCommands(fs.readFileSync(path.join(repo, 'test/e2e/fixtures/workspace/README.md'), 'utf8'));
  assert.ok(named.length >= 3, `found ${named.join(', ')}`);
});

for (const file of texts) {
  test(`${file} names only commands that exist`, () => {
    for (const name of namedCommands(fs.readFileSync(path.join(repo, file), 'utf8'))) {
      assert.ok(titles.has(name), `${file}: "${name}" is no command title; titles are: ${[...titles].join(' | ')}`);
    }
  });
}
