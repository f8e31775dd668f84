import * as torch from '../lib/torch';
import { spawnSync } from 'child_process';
import * as path from 'path';

const live = () => torch.memory().numTensors;

describe('dispose', () => {
  test('is idempotent and makes later use throw DisposedTensorError', () => {
    const n0 = live();
    const t = torch.ones(3);
    const o = torch.ones(3);
    expect(live()).toBe(n0 + 2);
    t.dispose();
    t.dispose();
    expect(live()).toBe(n0 + 1);
    expect(t.isDisposed).toBe(true);
    for (const use of [() => t.add(1), () => t.shape, () => t.sum(), () => o.add(t), () => t.item(), () => t.toString()]) {
      try {
        const r = use();
        // toString of a disposed tensor is allowed and says so
        expect(String(r)).toBe('tensor(<disposed>)');
      } catch (e) {
        expect((e as Error).name).toBe('DisposedTensorError');
        expect((e as Error).message).toMatch(/disposed/);
      }
    }
    expect(live()).toBe(n0 + 1);
    o.dispose();
    expect(live()).toBe(n0);
  });

  test('`using` disposes at block end', () => {
    const n0 = live();
    {
      using a = torch.randn(4, 4);
      using b = a.matmul(a);
      expect(b.shape).toEqual([4, 4]);
      expect(live()).toBe(n0 + 2);
    }
    expect(live()).toBe(n0);
  });

  test('torch.dispose frees every tensor in a structure', () => {
    const n0 = live();
    const s = { a: torch.ones(2), b: [torch.zeros(1), { c: torch.ones(1) }] };
    expect(live()).toBe(n0 + 3);
    torch.dispose(s);
    expect(live()).toBe(n0);
  });

  test('disposing a view keeps the base alive and vice versa', () => {
    const base = torch.arange(6, { dtype: 'float32' });
    const v = base.view(2, 3);
    base.dispose();
    expect(v.sum().item()).toBe(15);
    v.dispose();
  });
});

describe('tidy', () => {
  test('frees intermediates, keeps the result, moves it to the outer scope', () => {
    const n0 = live();
    const outer = torch.tidy(() => {
      const inner = torch.tidy(() => {
        const a = torch.ones(3);
        const b = a.add(1);
        return b.mul(2);
      });
      expect(live()).toBe(n0 + 1);
      return inner.add(1);
    });
    expect(outer.tolist()).toEqual([5, 5, 5]);
    expect(live()).toBe(n0 + 1);
    outer.dispose();
    expect(live()).toBe(n0);
  });

  test('returns arrays, objects and maps of tensors intact', () => {
    const n0 = live();
    const r = torch.tidy(() => {
      const x = torch.arange(4);
      const m = new Map([['k', x.mul(3)]]);
      return { a: [x.add(1), x.add(2)], m, n: 5 };
    });
    expect(r.a[1].tolist()).toEqual([2, 3, 4, 5]);
    expect(r.m.get('k')!.tolist()).toEqual([0, 3, 6, 9]);
    expect(live()).toBe(n0 + 3);
    torch.dispose(r);
    expect(live()).toBe(n0);
  });

  test('keep() survives the scope', () => {
    const n0 = live();
    let kept: torch.Tensor | undefined;
    torch.tidy(() => {
      kept = torch.keep(torch.ones(2).mul(5));
      torch.ones(10);
    });
    expect(kept!.tolist()).toEqual([5, 5]);
    expect(live()).toBe(n0 + 1);
    kept!.dispose();
  });

  test('frees everything when fn throws', () => {
    const n0 = live();
    expect(() => torch.tidy(() => {
      torch.ones(5);
      throw new Error('boom');
    })).toThrow('boom');
    expect(live()).toBe(n0);
  });

  test('rejects async functions', () => {
    const n0 = live();
    expect(() => torch.tidy((async () => torch.ones(1)) as unknown as () => torch.Tensor)).toThrow(/Promise/);
    expect(live()).toBe(n0);
  });
});

// Async tests check the tensors themselves: across an await the event loop turns, and the GC
// backstop may free garbage left by other tests, so global live counts can legitimately drop.
describe('scope (async)', () => {
  test('owns tensors created after awaits, keeps the result', async () => {
    const made: torch.Tensor[] = [];
    const r = await torch.scope(async () => {
      const a = torch.ones(3);
      await new Promise((res) => setTimeout(res, 5));
      const b = a.mul(4);
      await Promise.resolve();
      made.push(a, b, torch.zeros(100));
      return b.sum();
    });
    expect(r.item()).toBe(12);
    expect(made.map((t) => t.isDisposed)).toEqual([true, true, true]);
    expect(r.isDisposed).toBe(false);
    r.dispose();
  });

  test("concurrent scopes do not free each other's tensors", async () => {
    const made: torch.Tensor[] = [];
    const work = (k: number) => torch.scope(async () => {
      let acc = torch.zeros(2);
      for (let i = 0; i < 5; i++) {
        await new Promise((res) => setTimeout(res, 1 + ((i * k) % 3)));
        made.push(acc);
        acc = acc.add(k);
      }
      return acc;
    });
    const [a, b] = await Promise.all([work(1), work(2)]);
    expect(a.tolist()).toEqual([5, 5]);
    expect(b.tolist()).toEqual([10, 10]);
    expect(made.length).toBe(10);
    expect(made.every((t) => t.isDisposed)).toBe(true);
    torch.dispose([a, b]);
  });

  test('a sync tidy inside an async scope uses the tidy', async () => {
    let inner: torch.Tensor | undefined;
    let x: torch.Tensor | undefined;
    await torch.scope(async () => {
      await Promise.resolve();
      x = torch.tidy(() => {
        inner = torch.ones(2);
        return inner.add(1);
      });
      expect(inner!.isDisposed).toBe(true); // freed by the tidy, not at scope end
      expect(x.isDisposed).toBe(false);
      return x.sum().item();
    });
    expect(x!.isDisposed).toBe(true); // the tidy's result moved to the scope, freed at its end
  });
});

describe('grad ownership', () => {
  test('.grad is the same object while unchanged and is freed with its tensor', () => {
    const n0 = live();
    const w = torch.randn(3, { requiresGrad: true });
    torch.tidy(() => w.mul(2).sum().backward());
    const g1 = w.grad!;
    expect(w.grad).toBe(g1);
    expect(g1.tolist()).toEqual([2, 2, 2]);
    torch.tidy(() => w.mul(3).sum().backward());
    expect(w.grad).toBe(g1); // accumulated in place: same tensor
    expect(g1.tolist()).toEqual([5, 5, 5]);
    w.grad = null;
    expect(w.grad).toBeNull();
    expect(g1.isDisposed).toBe(true);
    torch.tidy(() => w.mul(1).sum().backward());
    expect(w.grad!.tolist()).toEqual([1, 1, 1]);
    expect(live()).toBe(n0 + 2);
    w.dispose();
    expect(live()).toBe(n0);
  });
});

describe('10,000 training steps in scopes', () => {
  test('zero growth in live tensors and bounded RSS', () => {
    torch.manualSeed(0);
    const w = torch.randn(64, 32, { requiresGrad: true });
    const b = torch.zeros(32, { requiresGrad: true });
    const step = () => torch.tidy(() => {
      const x = torch.randn(16, 64);
      const y = x.matmul(w).add(b).relu();
      const loss = y.sub(0.5).square().mean();
      loss.backward();
      torch.noGrad(() => {
        w.sub_(w.grad!.mul(0.01));
        b.sub_(b.grad!.mul(0.01));
      });
      w.grad!.zero_();
      b.grad!.zero_();
      return loss.item();
    });
    for (let i = 0; i < 100; i++) step();
    const n0 = live();
    const rss0 = process.memoryUsage().rss;
    let last = 0;
    for (let i = 0; i < 10000; i++) last = step() as number;
    const rss1 = process.memoryUsage().rss;
    expect(Number.isFinite(last)).toBe(true);
    expect(live()).toBe(n0);
    expect(rss1 - rss0).toBeLessThan(64 * 1024 * 1024);
    torch.dispose([w, b]);
  });

  test('MB-sized intermediates with a small survivor per step keep RSS bounded', () => {
    const rss = () => process.memoryUsage().rss;
    const kept: torch.Tensor[] = [];
    const step = () => kept.push(torch.tidy(() => {
      const x = torch.randn(256, 1024);
      return x.relu().add(1).mul(x).sum();
    }));
    for (let i = 0; i < 50; i++) step();
    const r0 = rss();
    for (let i = 0; i < 1000; i++) step();
    expect(rss() - r0).toBeLessThan(48 * 1024 * 1024);
    torch.dispose(kept);
  });
});

describe('GC backstop', () => {
  test('unreferenced tensors are freed by the GC once the event loop turns', () => {
    const root = path.resolve(__dirname, '..');
    const script = `
      const torch = require(${JSON.stringify(path.join(root, 'dist/torch'))});
      const n0 = torch.memory().numTensors;
      for (let i = 0; i < 2000; i++) torch.ones(1000);
      const made = torch.memory().numTensors - n0;
      const until = Date.now() + 20000;
      (function wait() {
        global.gc();
        setImmediate(() => {
          const left = torch.memory().numTensors - n0;
          if (left === 0 || Date.now() > until) { console.log(JSON.stringify({ made, left })); return; }
          setTimeout(wait, 10);
        });
      })();`;
    const r = spawnSync(process.execPath, ['--expose-gc', '-e', script], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout.trim());
    expect(out.made).toBe(2000);
    expect(out.left).toBe(0);
  });
});
