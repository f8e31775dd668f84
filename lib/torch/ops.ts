/** Operator handles: ATen operators resolved lazily by name and called through libtorch's boxed dispatcher. */
import { N } from './native';
import type { Handle, NativeValue } from './native-api';
import { OP_ARGS } from './op-schemas';

/** A dispatcher call: positional arguments in the schema's order; R is what the schema returns (a tensor handle by default). */
export type OpFn<R extends NativeValue = Handle> = (args: readonly unknown[], discard?: boolean) => R;
/** An operator the library has a handle for; `since`: the first libtorch major version that has it. */
export interface RegisteredOp {
  name: string;
  overload: string;
  since: number;
}
/** Every operator the library has a handle for: the list test/op-schemas.test.ts resolves. */
const REGISTERED: RegisteredOp[] = [];

/**
 * A lazily resolved ATen operator, called through libtorch's boxed dispatcher. R names the
 * schema's result as JS receives it (Handle for a Tensor, Handle[] for Tensor[] or a tuple of
 * tensors, boolean, number): the one place where the native call's result is given its type.
 *
 * Call sites pass arguments in the order of the schema they were written for (lib/torch/op-schemas.ts,
 * libtorch 1.13's); the addon binds them by name to the loaded libtorch's schema, so an argument
 * added or moved in another version never receives another parameter's value.
 */
export function op<R extends NativeValue = Handle>(name: string, overload = '', since = 1): OpFn<R> {
  REGISTERED.push({ name, overload, since });
  let h = -1;
  return (args, discard) => {
    if (h < 0) h = N.opHandle('aten::' + name, overload, OP_ARGS[opKey(name, overload)] ?? null);
    return N.call(h, args, discard) as R;
  };
}

/** 'aten::sum.dim_IntList' */
export function opKey(name: string, overload: string): string {
  return `aten::${name}${overload ? '.' + overload : ''}`;
}

export function registeredOps(): readonly RegisteredOp[] {
  return REGISTERED;
}
