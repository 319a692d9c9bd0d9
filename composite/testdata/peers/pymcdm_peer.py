#!/usr/bin/env python3
"""Reference outputs from pymcdm for composite/peers_test.go.

This script only *uses* pymcdm (it neither ships nor installs it). Run it
from the repository root with pymcdm's source on PYTHONPATH and numpy and
scipy importable (pymcdm imports them), for example:

    PYTHONPATH=/path/to/pymcdm python3 composite/testdata/peers/pymcdm_peer.py \
        --commit "$(git -C /path/to/pymcdm rev-parse HEAD)" \
        > composite/testdata/peers/pymcdm_out.json

For every case (pymcdm's own example data and the generated matrix in
generated_20x6.csv) it records pymcdm's entropy, CRITIC and standard
deviation weights, its min-max, vector, max, sum and linear normalisations
(per criterion type), TOPSIS with min-max and with vector normalisation and
the ranks of both (rrankdata: 1 = best), every number printed with 17
significant digits.
"""
import argparse
import csv
import datetime
import os
import platform
import sys

import numpy as np
import pymcdm
from pymcdm import normalizations as norm
from pymcdm import weights as W
from pymcdm.helpers import normalize_matrix, rrankdata
from pymcdm.methods import TOPSIS

HERE = os.path.dirname(os.path.abspath(__file__))


def num(x):
    """17 significant digits, so that the float64 value round-trips."""
    x = float(x)
    if np.isnan(x):
        return '"NaN"'
    return format(x, '.17g')


def dump(v, ind=''):
    if isinstance(v, dict):
        items = [f'{ind}  "{k}": {dump(val, ind + "  ")}' for k, val in v.items()]
        return '{\n' + ',\n'.join(items) + '\n' + ind + '}'
    if isinstance(v, (list, tuple)) or isinstance(v, np.ndarray):
        v = list(v)
        if v and isinstance(v[0], (list, tuple, np.ndarray)):
            return '[\n' + ',\n'.join(ind + '  ' + dump(r, ind + '  ') for r in v) + '\n' + ind + ']'
        return '[' + ', '.join(dump(x, ind) for x in v) + ']'
    if isinstance(v, str):
        return '"' + v.replace('\\', '\\\\').replace('"', '\\"') + '"'
    if isinstance(v, (bool, np.bool_)):
        return 'true' if v else 'false'
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    return num(v)


def case(name, source, matrix, weights, types):
    matrix = np.asarray(matrix, dtype=float)
    types = np.asarray(types)
    out = {'name': name, 'source': source,
           'matrix': matrix.tolist(), 'types': types.tolist()}
    ew = W.entropy_weights(matrix)
    if weights is None:
        weights = ew
        out['weights_from'] = 'entropy'
    out['weights'] = np.asarray(weights, dtype=float)
    out['entropy'] = ew
    out['critic'] = W.critic_weights(matrix)
    out['std'] = W.standard_deviation_weights(matrix)
    mm = normalize_matrix(matrix, norm.minmax_normalization, types)
    vec = normalize_matrix(matrix, norm.vector_normalization, types)
    # Entropy of the min-max normalised matrix, which has zeros: pymcdm
    # refuses them (sum_normalization needs positive values) where composite
    # takes 0·ln 0 = 0; record what pymcdm says.
    try:
        out['entropy_of_minmax'] = W.entropy_weights(mm)
    except ValueError as e:
        out['entropy_of_minmax_error'] = str(e)
    out['minmax'] = mm.T  # by column, as composite stores matrices
    out['vector'] = vec.T
    out['max'] = normalize_matrix(matrix, norm.max_normalization, types).T
    out['sum'] = normalize_matrix(matrix, norm.sum_normalization, types).T
    out['linear'] = normalize_matrix(matrix, norm.linear_normalization, types).T
    for label, f in (('minmax', norm.minmax_normalization), ('vector', norm.vector_normalization)):
        p = TOPSIS(f)(matrix, out['weights'], types)
        out['topsis_' + label] = p
        out['rank_' + label] = rrankdata(p)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--commit', default='unknown', help='pymcdm git commit')
    args = ap.parse_args()

    cases = []
    # pymcdm examples/MCDA_Example.ipynb, first example.
    cases.append(case('mcda_example', 'pymcdm examples/MCDA_Example.ipynb (alts, weights, types)',
                      [[4, 4, 0.2], [1, 5, 0.5], [3, 2, 0.3], [4, 3, 0.5]],
                      [0.3, 0.5, 0.2], [1, -1, 1]))
    # pymcdm test/test_mcdm.py TestTOPSIS (Opricovic & Tzeng 2004).
    cases.append(case('opricovic_tzeng', 'pymcdm test/test_mcdm.py TestTOPSIS',
                      np.array([[1, 2, 5], [3000, 3750, 4500]]).T, [0.5, 0.5], [-1, 1]))
    # pymcdm examples/vans.csv with entropy weights, as MCDA_Example.ipynb.
    vans = os.environ.get('PYMCDM_VANS')
    if vans is None:
        vans = os.path.join(os.path.dirname(os.path.dirname(pymcdm.__file__)), 'examples', 'vans.csv')
    with open(vans, newline='') as f:
        rows = list(csv.reader(f))
    vm = [[float(v) for v in r[3:]] for r in rows[1:]]
    cases.append(case('vans', 'pymcdm examples/vans.csv, entropy weights, types as MCDA_Example.ipynb',
                      vm, None, [1, 1, 1, 1, 1, -1, -1, 1, -1]))
    # Generated matrix committed beside this script.
    with open(os.path.join(HERE, 'generated_20x6.csv'), newline='') as f:
        rows = list(csv.reader(f))
    gm = [[float(v) for v in r[1:]] for r in rows[1:]]
    cases.append(case('generated_20x6', 'composite/testdata/peers/generated_20x6.csv, entropy weights',
                      gm, None, [1, 1, -1, 1, -1, 1]))

    doc = {
        'peer': 'pymcdm',
        'version': getattr(pymcdm, '__version__', '1.4.0 (pyproject.toml)'),
        'commit': args.commit,
        'numpy': np.__version__,
        'python': platform.python_version(),
        'date': datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ'),
        'script': 'composite/testdata/peers/pymcdm_peer.py',
        'cases': cases,
    }
    sys.stdout.write(dump(doc) + '\n')


if __name__ == '__main__':
    main()
