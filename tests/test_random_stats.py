"""Statistical sanity of jaxlike.random: 10**5 samples per distribution, checked for their moments and with a
Kolmogorov-Smirnov (continuous) or chi-square (discrete) test against scipy.stats.

The keys are fixed, so each test is deterministic; a threshold of 1e-4 on p-values catches wrong
distributions without flaking. Most cases are marked slow (a new sample shape is a new compile).
"""
import numpy as np
import pytest
from scipy import stats

import jaxlike.random as random

N = 100_000
P_MIN = 1e-4


def draw(sampler, *args, seed=0, **kwargs):
    return np.asarray(sampler(random.key(seed), *args, **kwargs), dtype=np.float64)


def check_continuous(samples, dist, moments=True):
    """KS test against `dist` (a frozen scipy distribution), and mean/variance within 5 standard errors."""
    assert np.isfinite(samples).all()
    assert stats.kstest(samples, dist.cdf).pvalue > P_MIN
    if moments:
        mean, var = dist.mean(), dist.var()
        assert abs(samples.mean() - mean) < 5 * np.sqrt(var / samples.size) + 1e-6
        fourth = dist.moment(4) - 4 * mean * dist.moment(3) + 6 * mean ** 2 * dist.moment(2) - 3 * mean ** 4
        assert abs(samples.var() - var) < 5 * np.sqrt(max(fourth - var ** 2, 0) / samples.size) + 1e-6


def check_discrete(samples, pmf, support):
    """Chi-square test of the counts over `support` (the rest pooled) against `pmf`."""
    counts = np.array([(samples == k).sum() for k in support] + [(~np.isin(samples, support)).sum()])
    probs = np.append(pmf(support), 0.0)
    probs[-1] = max(1 - probs[:-1].sum(), 0.0)
    keep = probs * samples.size >= 5
    expected = probs[keep] / probs[keep].sum() * counts[keep].sum()
    assert stats.chisquare(counts[keep], expected).pvalue > P_MIN


# ---- continuous -----------------------------------------------------------------------------------------
CONTINUOUS = {
    "uniform": (lambda: draw(random.uniform, (N,), minval=-1.0, maxval=3.0), stats.uniform(-1, 4), True),
    "normal": (lambda: draw(random.normal, (N,)), stats.norm(), True),
    "truncated_normal": (lambda: draw(random.truncated_normal, -1.0, 2.0, (N,)), stats.truncnorm(-1, 2), True),
    "exponential": (lambda: draw(random.exponential, (N,)), stats.expon(), True),
    "laplace": (lambda: draw(random.laplace, (N,)), stats.laplace(), True),
    "logistic": (lambda: draw(random.logistic, (N,)), stats.logistic(), True),
    "cauchy": (lambda: draw(random.cauchy, (N,)), stats.cauchy(), False),
    "gumbel": (lambda: draw(random.gumbel, (N,)), stats.gumbel_r(), True),
    "maxwell": (lambda: draw(random.maxwell, (N,)), stats.maxwell(), True),
    "double_sided_maxwell": (lambda: np.abs(draw(random.double_sided_maxwell, 1.0, 2.0, (N,)) - 1.0) / 2.0,
                             stats.maxwell(), True),
    "weibull_min": (lambda: draw(random.weibull_min, 2.0, 1.5, (N,)), stats.weibull_min(1.5, scale=2.0), True),
    "pareto": (lambda: draw(random.pareto, 5.0, (N,)), stats.pareto(5.0), True),
    "rayleigh": (lambda: draw(random.rayleigh, 2.0, (N,)), stats.rayleigh(scale=2.0), True),
    "wald": (lambda: draw(random.wald, 1.5, (N,)), stats.invgauss(1.5), False),
    "lognormal": (lambda: draw(random.lognormal, 0.5, (N,)), stats.lognorm(0.5), True),
    "triangular": (lambda: draw(random.triangular, 0.0, 1.0, 3.0, (N,)), stats.triang(1 / 3, 0, 3), True),
    "gamma": (lambda: draw(random.gamma, 2.5, (N,)), stats.gamma(2.5), True),
    "gamma_small": (lambda: draw(random.gamma, 0.3, (N,)), stats.gamma(0.3), True),
    "loggamma": (lambda: draw(random.loggamma, 0.5, (N,)), stats.loggamma(0.5), True),
    "beta": (lambda: draw(random.beta, 2.0, 5.0, (N,)), stats.beta(2.0, 5.0), True),
    "dirichlet_marginal": (lambda: draw(random.dirichlet, np.array([1.0, 2.0, 3.0], np.float32), (N,))[:, 0],
                           stats.beta(1.0, 5.0), True),
    "chisquare": (lambda: draw(random.chisquare, 3.0, (N,)), stats.chi2(3), True),
    "f": (lambda: draw(random.f, 3.0, 12.0, (N,)), stats.f(3, 12), False),
    "t": (lambda: draw(random.t, 5.0, (N,)), stats.t(5), False),
    "generalized_normal": (lambda: draw(random.generalized_normal, 1.5, (N,)), stats.gennorm(1.5), True),
    "ball_radius_cubed": (lambda: np.linalg.norm(draw(random.ball, 3, 2, (N,)), axis=-1) ** 3, stats.uniform(), True),
}
FAST = {"uniform", "normal"}


@pytest.mark.parametrize("name", [n if n in FAST else pytest.param(n, marks=pytest.mark.slow) for n in CONTINUOUS])
def test_continuous_distribution(name):
    sample, dist, moments = CONTINUOUS[name]
    check_continuous(sample(), dist, moments)


# ---- discrete -------------------------------------------------------------------------------------------
def test_randint_is_uniform():
    samples = draw(random.randint, (N,), -3, 7)
    check_discrete(samples, lambda k: np.full(len(k), 0.1), np.arange(-3, 7))


@pytest.mark.slow
@pytest.mark.parametrize("name", ["bernoulli", "rademacher", "geometric", "poisson_small", "poisson_large",
                                  "binomial_inversion", "binomial_btrs", "categorical", "choice_p"])
def test_discrete_distribution(name):
    logits_p = np.array([0.1, 0.2, 0.3, 0.4])
    cases = {
        "bernoulli": (lambda: draw(random.bernoulli, 0.3, (N,)), stats.bernoulli(0.3).pmf, np.arange(2)),
        "rademacher": (lambda: (draw(random.rademacher, (N,)) + 1) / 2, stats.bernoulli(0.5).pmf, np.arange(2)),
        "geometric": (lambda: draw(random.geometric, 0.2, (N,)), stats.geom(0.2).pmf, np.arange(1, 60)),
        "poisson_small": (lambda: draw(random.poisson, 3.5, (N,)), stats.poisson(3.5).pmf, np.arange(30)),
        "poisson_large": (lambda: draw(random.poisson, 40.0, (N,)), stats.poisson(40.0).pmf, np.arange(100)),
        "binomial_inversion": (lambda: draw(random.binomial, 12.0, 0.3, (N,)), stats.binom(12, 0.3).pmf,
                               np.arange(13)),
        "binomial_btrs": (lambda: draw(random.binomial, 200.0, 0.7, (N,)), stats.binom(200, 0.7).pmf,
                          np.arange(201)),
        "categorical": (lambda: draw(random.categorical, np.log(logits_p), shape=(N,)),
                        lambda k: logits_p[k], np.arange(4)),
        "choice_p": (lambda: draw(random.choice, 4, (N,), p=logits_p), lambda k: logits_p[k], np.arange(4)),
    }
    sample, pmf, support = cases[name]
    check_discrete(sample(), pmf, support)


@pytest.mark.slow
def test_multinomial_counts():
    p = np.array([0.2, 0.3, 0.5], np.float32)
    counts = draw(random.multinomial, 20.0, p, shape=(N // 10, 3))
    assert (counts.sum(-1) == 20).all()
    np.testing.assert_allclose(counts.mean(0), 20 * p, atol=0.05)


@pytest.mark.slow
def test_permutation_positions_are_uniform():
    perms = np.stack([np.asarray(random.permutation(random.key(s), 5)) for s in range(2000)])
    assert (np.sort(perms, axis=1) == np.arange(5)).all()
    counts = np.array([(perms[:, 0] == k).sum() for k in range(5)])
    assert stats.chisquare(counts).pvalue > P_MIN


@pytest.mark.slow
def test_multivariate_normal_moments():
    cov = np.array([[2.0, 0.6], [0.6, 1.0]], np.float32)
    mean = np.array([1.0, -2.0], np.float32)
    samples = draw(random.multivariate_normal, mean, cov, (N,))
    np.testing.assert_allclose(samples.mean(0), mean, atol=0.03)
    np.testing.assert_allclose(np.cov(samples.T), cov, atol=0.04)


@pytest.mark.slow
def test_orthogonal_is_orthogonal_and_haar():
    q = np.asarray(random.orthogonal(random.key(0), 4, (2000,)), np.float64)
    np.testing.assert_allclose(q @ np.swapaxes(q, -1, -2), np.broadcast_to(np.eye(4), q.shape), atol=1e-5)
    # Under the Haar measure each entry times sqrt(n) is close to normal; its first moments are exact.
    entries = q[:, 0, 0] * 2
    assert abs(entries.mean()) < 0.1 and abs((entries ** 2).mean() - 1) < 0.1
