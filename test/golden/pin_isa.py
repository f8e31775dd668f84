"""Pins libtorch's CPU kernels to AVX2 before torch is imported, so that goldens come out the same on
every x86-64 machine with AVX2, whatever else it has (AVX-512 changes the convolution kernels that
oneDNN picks and the GEMM kernels of MKL and OpenBLAS, and with them the last bits of results).
test/global-setup.js pins the jest run the same way. Import this module before torch in every
golden script."""
import os

os.environ.setdefault('ATEN_CPU_CAPABILITY', 'avx2')
os.environ.setdefault('DNNL_MAX_CPU_ISA', 'AVX2')
# The BLAS libraries pick kernels by CPU too: MKL (pip's torch) and OpenBLAS (Debian's libopenblas0).
os.environ.setdefault('MKL_CBWR', 'AVX2')
os.environ.setdefault('MKL_ENABLE_INSTRUCTIONS', 'AVX2')
os.environ.setdefault('OPENBLAS_CORETYPE', 'Haswell')
# and one OpenBLAS thread, as the goldens' one torch thread (torch.set_num_threads does not reach OpenBLAS)
os.environ.setdefault('OPENBLAS_NUM_THREADS', '1')
