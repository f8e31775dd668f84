# Runs one of the original Python library's examples (amassivek/signalpropagation, not part of this package) on the CPU configuration of docs/results.md.
#
#   SIGPROP_ORIG=/path/to/signalpropagation SIGNAL_CH=2 THREADS=1 \
#     python3 bench/original-example.py ex4_input_target_topk.py --dataset FashionMNIST --model mlp ... --data-dir /tmp/fmnist
#
# The original examples are read from $SIGPROP_ORIG/examples and run unchanged except for what this
# configuration needs (each change is applied to the loaded source by name, and the script stops if a
# change no longer applies):
#   * signal_modules_lpi builds its input conv with the dataset's channels (the original hard-codes
#     Conv2d(3, ...), which fails on the 1-channel Fashion-MNIST): the same as sigprop-examples does;
#   * the example's signal width `input_ch = 128` becomes $SIGNAL_CH (sigprop-examples' --signal-ch);
#   * torch.set_num_threads($THREADS) before anything runs;
#   * each training epoch and test pass is timed ("[time] train epoch N: S s") and the peak RSS printed.
# It also prepares --data-dir for torchvision from Debian's dataset-fashion-mnist (the four files,
# decompressed: torchvision's checksums do not match Debian's re-compressed .gz files, and there is no
# network to download from).
import gzip
import inspect
import os
import resource
import shutil
import sys
import time


def fail(msg):
    sys.exit('original-example.py: ' + msg)


def replace_once(text, old, new, where):
    if text.count(old) != 1:
        fail('expected exactly one %r in %s (the original changed?)' % (old, where))
    return text.replace(old, new)


def prepare_fashion_mnist(data_dir):
    src = '/usr/share/datasets/fashion-mnist'
    raw = os.path.join(data_dir, 'FashionMNIST', 'FashionMNIST', 'raw')
    os.makedirs(raw, exist_ok=True)
    for name in ('train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'):
        dst = os.path.join(raw, name)
        if not os.path.exists(dst):
            with gzip.open(os.path.join(src, name + '.gz'), 'rb') as f, open(dst + '.part', 'wb') as out:
                shutil.copyfileobj(f, out)
            os.rename(dst + '.part', dst)


def main():
    orig = os.environ.get('SIGPROP_ORIG')
    if not orig or not os.path.isdir(os.path.join(orig, 'examples')):
        fail('set SIGPROP_ORIG to a checkout of amassivek/signalpropagation (with examples/)')
    if len(sys.argv) < 2:
        fail('usage: original-example.py EXAMPLE.py [example flags...]')
    example = os.path.join(orig, 'examples', sys.argv[1])
    argv = sys.argv[1:]
    if '--dataset' in argv and argv[argv.index('--dataset') + 1] == 'FashionMNIST':
        data_dir = argv[argv.index('--data-dir') + 1] if '--data-dir' in argv else './data'
        prepare_fashion_mnist(data_dir)

    import torch
    threads = int(os.environ.get('THREADS', '1'))
    torch.set_num_threads(threads)
    signal_ch = int(os.environ.get('SIGNAL_CH', '128'))

    sys.path[:0] = [orig, os.path.join(orig, 'examples')]
    sys.argv = argv
    import examples  # parses the flags, as the example itself would

    src = inspect.getsource(examples.signal_modules_lpi)
    src = replace_once(src, 'nn.Conv2d(\n            3,', 'nn.Conv2d(\n            INPUT_CH,', 'signal_modules_lpi')
    in_ch = {'MNIST': 1, 'FashionMNIST': 1}.get(examples.args.dataset, 3)
    examples.INPUT_CH = in_ch
    exec(compile(src, examples.__file__, 'exec'), examples.__dict__)

    timings = []

    def timed(name, fn):
        def wrapper(self, epoch, *rest, **kw):
            t = time.perf_counter()
            out = fn(self, epoch, *rest, **kw)
            dt = time.perf_counter() - t
            timings.append((name, epoch, dt))
            print('[time] %s epoch %d: %.1f s' % (name, epoch, dt), flush=True)
            return out
        return wrapper

    examples.Runner.train_epoch = timed('train', examples.Runner.train_epoch)
    examples.Runner.test = timed('test', examples.Runner.test)

    with open(example) as f:
        code = f.read()
    if 'SIGNAL_CH' in os.environ:  # asked for: it must apply (an example without a signal width fails here)
        code = replace_once(code, 'input_ch = 128', 'input_ch = %d' % signal_ch, sys.argv[0])
    print('[original-example] %s, torch %s, %d thread(s), signal channels %d, input conv channels %d' % (
        os.path.basename(example), torch.__version__, torch.get_num_threads(), signal_ch, in_ch), flush=True)
    t0 = time.perf_counter()
    exec(compile(code, example, 'exec'), {'__name__': '__main__', '__file__': example})
    wall = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    train = [t for n, _, t in timings if n == 'train']
    test = [t for n, _, t in timings if n == 'test']
    print('[summary] train %s s, test %s s, run %.1f s, peak RSS %.0f MB' % (
        ' / '.join('%.1f' % t for t in train), ' / '.join('%.1f' % t for t in test), wall, peak), flush=True)


main()
