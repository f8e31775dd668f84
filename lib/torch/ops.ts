/** Operator handles: ATen operators resolved lazily by name and called through libtorch's boxed dispatcher. */
import { N } from './native';
import type { Handle, NativeValue } from './native-api';

/** A dispatcher call: positional arguments in the schema's order; R is what the schema returns (a tensor handle by default). */
export type OpFn<R extends NativeValue = Handle> = (args: readonly unknown[], discard?: boolean) => R;
/**
 * A lazily resolved ATen operator, called through libtorch's boxed dispatcher. R names the
 * schema's result as JS receives it (Handle for a Tensor, Handle[] for Tensor[] or a tuple of
 * tensors, boolean, number): the one place where the native call's result is given its type.
 */
export function op<R extends NativeValue = Handle>(name: string, overload = ''): OpFn<R> {
  let h = -1;
  return (args, discard) => {
    if (h < 0) h = N.opHandle('aten::' + name, overload);
    return N.call(h, args, discard) as R;
  };
}
