#!/usr/bin/env python3
"""pymcdm's side of docs/PERFORMANCE.md "Side by side with pymcdm / COINr".

Times entropy_weights + TOPSIS (min-max normalisation, pymcdm's default) +
rrankdata on the matrices that composite's BenchmarkPeerPipeline writes when
COMPOSITE_PEER_BENCH_DIR is set (row-major little-endian float64,
peer_ROWS_K.bin, with composite's scores in peer_ROWS_K.scores.bin), and
reports the median of RUNS runs and the largest relative difference from
composite's scores. It only uses pymcdm (on PYTHONPATH):

    PYTHONPATH=/path/to/pymcdm python3 composite/testdata/peers/pymcdm_bench.py DIR RUNS
"""
import glob
import os
import re
import statistics
import sys
import time

import numpy as np
from pymcdm import weights as W
from pymcdm.helpers import rrankdata
from pymcdm.methods import TOPSIS


def pipeline(x, types):
    w = W.entropy_weights(x)
    p = TOPSIS()(x, w, types)
    return p, rrankdata(p)


def main():
    d, runs = sys.argv[1], int(sys.argv[2])
    try:
        from threadpoolctl import threadpool_info
        info = [(i.get('internal_api'), i.get('architecture'), i.get('num_threads')) for i in threadpool_info()]
    except ImportError:
        info = 'threadpoolctl not installed'
    print(f'numpy {np.__version__}; BLAS {info}')
    for path in sorted(glob.glob(os.path.join(d, 'peer_*_*.bin'))):
        mt = re.fullmatch(r'peer_(\d+)_(\d+)\.bin', os.path.basename(path))
        if mt is None:  # scores and index files
            continue
        rows, k = int(mt.group(1)), int(mt.group(2))
        x = np.fromfile(path, dtype='<f8').reshape(rows, k)
        want = np.fromfile(path[:-4] + '.scores.bin', dtype='<f8')
        types = np.array([-1 if j % 3 == 2 else 1 for j in range(k)])
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            p, _ = pipeline(x, types)
            times.append(time.perf_counter() - t0)
        rel = float(np.max(np.abs(p - want) / np.abs(want)))
        print(f'rows={rows} k={k}: median {statistics.median(times) * 1e3:.3f} ms over {runs} runs '
              f'(min {min(times) * 1e3:.3f}, max {max(times) * 1e3:.3f}); '
              f'max relative difference from composite {rel:.3g}')


if __name__ == '__main__':
    main()
