// The shared conformance suite (tests/conformance/*.json) through the JS
// runner, plus the runner's own sample; each file is one test, and the
// live-handle counter must return to its baseline afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DEFAULT_DIR, caseFiles, runCase, runFiles } from '../scripts/conformance.js';

const sample = fileURLToPath(new URL('./fixtures/conformance_sample.json', import.meta.url));
const files = [sample, ...(fs.existsSync(DEFAULT_DIR) ? caseFiles([DEFAULT_DIR]) : [])];

for (const f of files) {
  test(`conformance: ${f.split('/').slice(-2).join('/')}`, () => {
    const r = runFiles([f]);
    assert.deepEqual(r.failures, []);
    assert.ok(r.passed > 0);
    assert.equal(r.leaked, 0, 'live handles back to baseline');
  });
}

test('the runner reports wrong values, wrong error kinds and missing errors', () => {
  const doc = JSON.parse(fs.readFileSync(sample, 'utf8'));
  const good = doc.cases[0];
  const bad = structuredClone(good);
  bad.expected.outputs[0].data[0] += 1;
  assert.equal(runCase(good), null);
  assert.match(runCase(bad), /output 0\[0\]/);
  const err = doc.cases.find((c) => c.error === 'INDEX');
  assert.equal(runCase(err), null);
  assert.match(runCase({ ...err, error: 'KEY' }), /raised INDEX/);
  assert.match(runCase({ ...good, error: 'VALUE' }), /succeeded/);
});
