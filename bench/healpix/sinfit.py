#!/usr/bin/python3
"""Fit the polynomials of healpix's fast hash path (sinSmall, sinCap).

Usage: /usr/bin/python3 bench/healpix/sinfit.py

sin x ~ x + x^3 P(x^2) on [0, X], with P fitted by weighted least squares
(weight x^3, so the absolute error of sin is minimised) on 400 Chebyshev
nodes in 50-digit arithmetic (mpmath), then rounded to float64. Prints
each coefficient as a Go hex float literal and the largest absolute error
of the rounded polynomial, evaluated exactly, on 20,001 points of [0, X].
healpix/hash.go adds the float64 evaluation's own rounding to that bound.

  sinSmall: X = 0.7298 (beyond asin(2/3) = 0.72973 rad), P of degree 4
  sinCap:   X = 0.4206 (pi/4 - asin(2/3)/2 = 0.42053), P of degree 3
"""
import mpmath as mp

mp.mp.dps = 50


def f(t):
    """(sin(sqrt t)/sqrt t - 1)/t, the function P approximates."""
    if t == 0:
        return mp.mpf(-1) / 6
    r = mp.sqrt(t)
    return (mp.sin(r) / r - 1) / t


def fit(X, n, m=400):
    xs = [X * (mp.cos(mp.pi * (k + 0.5) / m) + 1) / 2 for k in range(m)]
    A = mp.matrix(m, n)
    b = mp.matrix(m, 1)
    for i, x in enumerate(xs):
        t = x * x
        w = x**3
        for j in range(n):
            A[i, j] = w * t**j
        b[i] = w * f(t)
    c = mp.lu_solve(A.T * A, A.T * b)
    return [float(c[j]) for j in range(n)]


for name, X, n in (("sinSmall", mp.mpf("0.7298"), 5), ("sinCap", mp.mpf("0.4206"), 4)):
    c = fit(X, n)
    worst = mp.mpf(0)
    N = 20000
    for k in range(N + 1):
        x = X * k / N
        p = sum(mp.mpf(c[j]) * (x * x) ** j for j in range(n))
        worst = max(worst, abs(x + x**3 * p - mp.sin(x)))
    print("%s on [0, %s]: max |error| %s" % (name, X, mp.nstr(worst, 4)))
    for j, v in enumerate(c):
        print("\t%s%d = %s" % (name, j, v.hex()))
