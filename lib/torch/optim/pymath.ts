/**
 * Python's float arithmetic where JavaScript's differs.
 *
 * `x ** y` and `math.cos(x)` in Python call the C library's pow() and cos(). V8's Math.pow and
 * Math.cos are other implementations (Math.pow even multiplies by repeated squaring for integer
 * exponents: 0.9 ** 4 is 0.6561000000000001 in JavaScript and 0.6561 in Python), and they differ
 * from glibc in the last bit for a few percent of the arguments optimizers and schedulers use
 * (Adam's `1 - beta1 ** step`, CosineAnnealingLR's cosines). libtorch reaches the same C library
 * functions through its scalar CPU loops: pow(Tensor, Tensor) on one float64 element is std::pow,
 * and polar(1, x) is (1 * std::cos(x), 1 * std::sin(x)) (libtorch's own cos() is vectorized with
 * SLEEF and differs). So these helpers compute on 0-d float64 tensors and give Python's results.
 */
import { N } from '../native';
import { op } from '../tensor';
import { dtypeCode } from '../dtype';

const scalarTensor = op('scalar_tensor');
const powTT = op('pow', 'Tensor_Tensor');
const polar = op('polar');
const real = op('real');
const F64 = dtypeCode('float64');

function f64(x: number): number {
  return scalarTensor([x, F64, undefined, 'cpu']) as number;
}

const powCache = new Map<string, number>();

/** Python's `a ** b` for floats (float_pow: its special cases, then the C library's pow). */
export function pyPow(a: number, b: number): number {
  if (b === 0) return 1;
  if (Number.isNaN(a)) return a;
  if (Number.isNaN(b)) return a === 1 ? 1 : b;
  if (a === 0 && b < 0) throw new RangeError(`0.0 cannot be raised to a negative power (${b})`);
  if (a < 0 && Number.isFinite(b) && b !== Math.floor(b)) throw new RangeError(`a negative number (${a}) raised to a fractional power (${b}) is complex`);
  if (a === 1) return 1;
  const key = `${a},${b}`;
  const hit = powCache.get(key);
  if (hit !== undefined) return hit;
  const ha = f64(a);
  const hb = f64(b);
  const hr = powTT([ha, hb]) as number;
  const r = N.item(hr) as number;
  N.free(hr);
  N.free(hb);
  N.free(ha);
  if (powCache.size >= 4096) powCache.clear();
  powCache.set(key, r);
  return r;
}

const cosCache = new Map<number, number>();

/** Python's `math.cos(x)` (the C library's cos). */
export function pyCos(x: number): number {
  if (!Number.isFinite(x)) {
    if (Number.isNaN(x)) return x;
    throw new RangeError('math domain error (cos of an infinity)');
  }
  const hit = cosCache.get(x);
  if (hit !== undefined) return hit;
  const one = f64(1);
  const ang = f64(x);
  const c = polar([one, ang]) as number;
  const re = real([c]) as number;
  const r = N.item(re) as number;
  N.free(re);
  N.free(c);
  N.free(ang);
  N.free(one);
  if (cosCache.size >= 4096) cosCache.clear();
  cosCache.set(x, r);
  return r;
}
