/** The loaded libtorch's version: behaviour that changed between PyTorch 1.13 and 2.x follows it. */
import { N } from './native';

const [major, minor] = N.buildInfo().torchVersion.split('.').map(Number);

/** major.minor of the libtorch the addon was built against (and runs with). */
export const TORCH_VERSION: { readonly major: number; readonly minor: number } = { major, minor };

/** Whether the loaded libtorch is at least major.minor. */
export function torchAtLeast(maj: number, min = 0): boolean {
  return major > maj || (major === maj && minor >= min);
}
