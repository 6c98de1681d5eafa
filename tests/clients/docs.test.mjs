// docs/clients.md's snippets are the tests' code: every block between "// docs/clients.md: <title>" and "// end" in
// a test file here must appear, verbatim apart from its indentation, in that page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';

const page = readFileSync(new URL('../../docs/clients.md', import.meta.url), 'utf8');

function snippets(file) {
  const lines = readFileSync(new URL(file, import.meta.url), 'utf8').split('\n');
  const found = [];
  for (let i = 0; i < lines.length; i++) {
    const title = lines[i].match(/\/\/ docs\/clients\.md: (.+)$/)?.[1];
    if (title) {
      const end = lines.findIndex((line, j) => j > i && line.trim() === '// end');
      const block = lines.slice(i + 1, end);
      const indent = Math.min(...block.filter((l) => l.trim()).map((l) => l.match(/^ */)[0].length));
      found.push({ title, code: block.map((l) => l.slice(indent)).join('\n') });
    }
  }
  return found;
}

for (const file of readdirSync(new URL('.', import.meta.url)).filter((f) => f.endsWith('.test.mjs') && f !== 'docs.test.mjs')) {
  for (const { title, code } of snippets(file)) {
    test(`docs/clients.md shows ${file}'s "${title}" snippet verbatim`, () => {
      assert.ok(page.includes('```js\n' + code + '\n```'), `docs/clients.md lacks:\n${code}`);
    });
  }
}
