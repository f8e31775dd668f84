// Test helper: runs the GC so the tensors' GC backstop frees what earlier tests dropped undisposed.
import * as v8 from 'v8';
import * as vm from 'vm';
import { collectTensors } from '../../lib/torch/memory';

/**
 * Runs the GC and lets the FinalizationRegistry callbacks (the tensors' GC backstop) run; then
 * frees synchronously what a last forced collection finds dead (the backstop's sweep), so the
 * result does not depend on how soon a loaded machine runs the finalizer tasks.
 */
export async function collectGarbage(): Promise<void> {
  v8.setFlagsFromString('--expose_gc');
  const gc = vm.runInNewContext('gc') as () => void;
  for (let i = 0; i < 3; i++) {
    await new Promise((r) => setImmediate(r));
    gc();
    await new Promise((r) => setTimeout(r, 10));
  }
  collectTensors();
}
