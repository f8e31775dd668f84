"""Where the golden files go: test/golden/torch-<major>.<minor>/, named after the torch that runs the
script (goldens are per libtorch version: the same seeds give other last bits on 2.x than on 1.13).
Run each generator with the Python whose torch matches the libtorch under test: test/golden/make_all.sh."""
import os

HERE = os.path.dirname(os.path.abspath(__file__))


def series():
    import torch
    major, minor = torch.__version__.split('+')[0].split('.')[:2]
    return '%s.%s' % (major, minor)


def folder(*parts):
    """A folder inside this torch version's golden folder (made)."""
    p = os.path.join(HERE, 'torch-' + series(), *parts)
    os.makedirs(p, exist_ok=True)
    return p


def path(*parts):
    """A path inside this torch version's golden folder (its parent folders made)."""
    p = os.path.join(HERE, 'torch-' + series(), *parts)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    return p
