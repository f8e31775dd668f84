// The shared argument binder and options check (lib/torch/args.ts): each caller family's style.
import { bindArgs, bind, bindStyle, byName, checkOptions, checkKeys, PYTHON, BindStyle, DATA_OPTIONS, KEYWORD_KEYS, checkInt, checkBool, optBool, checkDims } from '../lib/torch/args';

describe('bindArgs', () => {
  test('positionals, then a trailing options object, in the order of the names', () => {
    expect(bind('f', [1, { c: 3 }], ['a', 'b', 'c'])).toEqual([1, undefined, 3]);
    expect(bind('f', [], ['a'])).toEqual([undefined]);
    expect(() => bind('f', [1, 2], ['a'])).toThrow("f() takes at most 1 positional arguments (2 given)");
    expect(() => bind('f', [{ z: 1 }], ['a', 'b'])).toThrow("f() got an unexpected keyword argument 'z' (accepted: a, b)");
    expect(() => bind('f', [1, { a: 2 }], ['a'])).toThrow("f() got multiple values for argument 'a'");
    // Python's rule: an undefined keyword value still clashes with a positional one
    expect(() => bind('f', [1, { a: undefined }], ['a'])).toThrow("f() got multiple values for argument 'a'");
  });

  test('fixed leading parameters and keyword-only names', () => {
    const skip: BindStyle = bindStyle({ skipUndefined: true });
    expect(() => bindArgs('g', [1, 2], ['p', 'k'], 2, 1, skip)).toThrow('g() takes at most 3 positional arguments (4 given)');
    expect(bindArgs('g', [1, { k: 2 }], ['p', 'k'], 2, 1, skip)).toEqual([1, 2]);
    expect(bindArgs('g', [1, { p: undefined }], ['p', 'k'], 2, 1, skip)).toEqual([1, undefined]);
    expect(() => bindArgs('g', [{ z: 1 }], [], 1, 0, skip)).toThrow("g() got an unexpected keyword argument 'z' (accepted: none)");
  });

  test('trailing undefined dropped, a hint for unknown keys', () => {
    const style: BindStyle = bindStyle({ trimUndefined: true, hint: (k) => ` (did you mean '${k.toUpperCase()}'?)` });
    expect(bindArgs('O', [1, undefined, undefined], ['a'], 1, 1, style)).toEqual([1]);
    expect(() => bindArgs('O', [{ a: 1, b: 2 }], ['a'], 1, 1, style)).toThrow("O() got an unexpected keyword argument 'b' (did you mean 'B'?) (accepted: a)");
  });

  test('an options object anywhere, extra keys returned after the names, the bare label', () => {
    const style: BindStyle = bindStyle({ call: false, optionsAnywhere: true, extra: ['device'] });
    expect(bindArgs('L', [1, { c: 3, device: 'cpu' }, undefined], ['b', 'c'], 0, 2, style)).toEqual([1, 3, 'cpu']);
    expect(bindArgs('L', [1, 2, { device: 'cpu' }], ['b', 'c'], 0, 2, style)).toEqual([1, 2, 'cpu']);
    expect(() => bindArgs('L', [{ c: 3 }, 2], ['b', 'c'], 0, 2, style)).toThrow('L: positional arguments must come before the options object');
    expect(() => bindArgs('L', [{ z: 3 }], ['b', 'c'], 0, 2, style)).toThrow("L got an unexpected keyword argument 'z' (accepted: b, c, device)");
    expect(() => bindArgs('L', [1, { b: 3 }], ['b', 'c'], 0, 2, style)).toThrow("L got multiple values for argument 'b'");
  });

  test('an options predicate: a plain object it rejects is a positional value', () => {
    const loss = { forward: () => 0 };
    const style: BindStyle = bindStyle({ isOptions: (x) => typeof x === 'object' && x !== null && !('forward' in x) });
    expect(bindArgs('S', [null, loss], ['optimizer', 'loss'], 0, 2, style)).toEqual([null, loss]);
    expect(bindArgs('S', [{ loss }], ['optimizer', 'loss'], 0, 2, style)).toEqual([undefined, loss]);
  });

  test('the fast path: only styles made by bindStyle take it, with the same results', () => {
    expect(PYTHON.simple).toBe(true);
    expect(bindStyle({ optionsAnywhere: true }).simple).toBe(false);
    const spread: BindStyle = { ...PYTHON, trimUndefined: true };
    expect(spread.simple).toBeUndefined();
    expect(bindArgs('f', [1, undefined], ['a'], 0, 1, spread)).toEqual([1]);
    expect(() => bindArgs('f', [1, 2], ['a'], 1, 1)).toThrow('f() takes at most 2 positional arguments (3 given)');
  });

  test('byName keeps the given values', () => {
    expect(byName(['a', 'b', 'c'], [1, undefined, 0])).toEqual({ a: 1, c: 0 });
  });
});

describe('checkOptions', () => {
  test('the keyword style and the data style', () => {
    expect(() => checkKeys('f', { x: 1 }, ['y'])).toThrow("f() got an unexpected keyword argument 'x' (accepted: y)");
    expect(() => checkKeys('f', [1], ['y'])).toThrow('f(): options must be a plain object, got');
    expect(checkKeys('f', undefined, ['y'])).toBeUndefined();
    expect(() => checkOptions('D', { x: 1 }, ['y'], DATA_OPTIONS)).toThrow("D: unknown option 'x' (accepted: y)");
    expect(() => checkOptions('D', null, ['y'], DATA_OPTIONS)).toThrow('D: options must be an object, got null');
    expect(checkOptions('D', new Map(), ['y'], DATA_OPTIONS)).toBeInstanceOf(Map);
    expect(() => checkOptions('k', { x: 1 }, ['y'], KEYWORD_KEYS)).toThrow("k() got an unexpected keyword argument 'x' (accepted: y)");
    expect(checkOptions('k', { x: 1 }, null)).toEqual({ x: 1 });
  });
});

describe('value checks', () => {
  test('messages with and without the call parentheses', () => {
    expect(() => checkInt(1.5, 'n', 'f')).toThrow("f(): 'n' must be an integer, got");
    expect(() => checkBool(1, 'bias', 'Linear', false)).toThrow("Linear: 'bias' must be a boolean, got");
    expect(optBool(null, 'b', 'f', true)).toBe(true);
    expect(checkDims(2, 'dim', 'f')).toEqual([2]);
    expect(() => checkDims('x', 'dim', 'f')).toThrow("f(): 'dim' must be an integer or an array of integers, got");
  });
});
