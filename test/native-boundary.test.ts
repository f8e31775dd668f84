/**
 * The native boundary: the TypeScript declaration of the addon (lib/torch/native-api.ts) and the
 * shared codes (native/codes.def -> lib/torch/codes.ts) agree with the binary that is loaded.
 */
import * as path from 'path';
import { spawnSync } from 'child_process';
import { N } from '../lib/torch/native';
import { NATIVE_ENTRY_POINTS } from '../lib/torch/native-api';
import * as codes from '../lib/torch/codes';

const root = path.join(__dirname, '..');

test('lib/torch/codes.ts is what native/codes.def gives', () => {
  const r = spawnSync(process.execPath, [path.join(root, 'scripts/gen-codes.js'), '--check'], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
});

test('the loaded binary was built with the same codes as the TypeScript layer', () => {
  expect(N.codes()).toEqual(JSON.parse(JSON.stringify(codes)));
});

test('the binary exports exactly the entry points native-api.ts declares', () => {
  const exported = Object.keys(N).filter((k) => typeof (N as unknown as Record<string, unknown>)[k] === 'function').sort();
  expect(exported).toEqual(Object.keys(NATIVE_ENTRY_POINTS).sort());
});
