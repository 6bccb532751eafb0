"""Every jaxlike.random sampler returns what jax.random returns for the same key, shape and dtype.

Each case is one function run on both libraries (`R` is jax.random or jaxlike.random), with
64-bit mode off and on. Integer and boolean samples must be equal; float samples equal to
float rounding. Keys vary by hypothesis; shapes and dtypes are fixed per case, because each new
signature costs an XLA compile on both sides.
"""
import jax
import jax.random as jr
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import jaxlike
import jaxlike.random as random
from testing_utils import assert_same

seeds = st.integers(0, 2 ** 32 - 1)
examples = settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

LOGITS = np.log(np.array([[0.1, 0.2, 0.3, 0.4], [0.4, 0.3, 0.2, 0.1], [0.25, 0.25, 0.25, 0.25]], np.float32))
ALPHAS = np.array([0.02, 0.4, 1.0, 3.5, 80.0], np.float32)
LAMS = np.array([0.0, 0.7, 4.0, 9.9, 10.0, 33.0, 2500.0], np.float32)
COV = np.array([[2.0, 0.3, 0.1], [0.3, 1.0, -0.2], [0.1, -0.2, 0.5]], np.float32)
WEIGHTS = np.array([0.1, 0.0, 0.5, 0.15, 0.25], np.float32)
POPULATION = np.arange(24, dtype=np.float32).reshape(4, 6)

# Which modes run by default; the rest run with -m slow (every case costs an XLA compile per mode and library).
BOTH, X32, SLOW = "both", "x32", "slow"

# name -> (function of (R, key), default modes).
CASES = {
    "uniform": (lambda R, k: R.uniform(k, (3, 5)), BOTH),
    "uniform_bounds": (lambda R, k: R.uniform(k, (2, 3), minval=np.array([-1.0, 0.0, 2.0]), maxval=5.0), X32),
    "uniform_f16": (lambda R, k: R.uniform(k, (9,), np.float16, -2.0, 2.0), X32),
    "uniform_bf16": (lambda R, k: R.uniform(k, (9,), jax.numpy.bfloat16), BOTH),
    "normal": (lambda R, k: R.normal(k, (3, 5)), BOTH),
    "normal_f16": (lambda R, k: R.normal(k, (9,), np.float16), SLOW),
    "normal_complex": (lambda R, k: R.normal(k, (4,), np.complex64), X32),
    "randint": (lambda R, k: R.randint(k, (3, 5), -10, 1000), BOTH),
    "randint_uint8_full": (lambda R, k: R.randint(k, (9,), 0, 256, np.uint8), BOTH),
    "randint_int8_clipped": (lambda R, k: R.randint(k, (9,), -300, 300, np.int8), SLOW),
    "randint_bounds": (lambda R, k: R.randint(k, (2, 3), np.array([0, 5, 9]), np.array([[3], [9]])), SLOW),
    "bernoulli": (lambda R, k: R.bernoulli(k, 0.3, (7,)), BOTH),
    "bernoulli_p": (lambda R, k: R.bernoulli(k, np.array([0.1, 0.5, 0.9], np.float32)), X32),
    "bernoulli_high": (lambda R, k: R.bernoulli(k, 1e-6, (7,), mode="high"), X32),
    "gumbel": (lambda R, k: R.gumbel(k, (7,)), X32),
    "gumbel_high": (lambda R, k: R.gumbel(k, (7,), mode="high"), SLOW),
    "categorical": (lambda R, k: R.categorical(k, LOGITS), BOTH),
    "categorical_axis0": (lambda R, k: R.categorical(k, LOGITS, axis=0, shape=(2, 4)), SLOW),
    "exponential": (lambda R, k: R.exponential(k, (7,)), BOTH),
    "laplace": (lambda R, k: R.laplace(k, (7,)), X32),
    "logistic": (lambda R, k: R.logistic(k, (7,)), X32),
    "cauchy": (lambda R, k: R.cauchy(k, (7,)), X32),
    "maxwell": (lambda R, k: R.maxwell(k, (7,)), X32),
    "double_sided_maxwell": (lambda R, k: R.double_sided_maxwell(k, 1.0, 2.0, (7,)), SLOW),
    "rademacher": (lambda R, k: R.rademacher(k, (7,)), X32),
    "weibull_min": (lambda R, k: R.weibull_min(k, 2.0, 1.5, (7,)), X32),
    "pareto": (lambda R, k: R.pareto(k, np.array([1.0, 2.5, 4.0], np.float32)), X32),
    "geometric": (lambda R, k: R.geometric(k, 0.2, (7,)), X32),
    "rayleigh": (lambda R, k: R.rayleigh(k, 2.0, (7,)), X32),
    "wald": (lambda R, k: R.wald(k, np.array([0.5, 1.0, 3.0], np.float32)), SLOW),
    "lognormal": (lambda R, k: R.lognormal(k, 0.5, (7,)), X32),
    "triangular": (lambda R, k: R.triangular(k, 0.0, 1.0, 3.0, (7,)), X32),
    "truncated_normal": (lambda R, k: R.truncated_normal(k, -1.0, np.array([0.5, 2.0, 5.0], np.float32)), BOTH),
    "permutation_int": (lambda R, k: R.permutation(k, 10), BOTH),
    "permutation_rows": (lambda R, k: R.permutation(k, POPULATION, axis=1), X32),
    "permutation_independent": (lambda R, k: R.permutation(k, POPULATION, axis=1, independent=True), X32),
    "choice": (lambda R, k: R.choice(k, 10, (5,)), X32),
    "choice_no_replace": (lambda R, k: R.choice(k, POPULATION, (3,), replace=False, axis=1), X32),
    "choice_p": (lambda R, k: R.choice(k, 5, (6,), p=WEIGHTS), BOTH),
    "choice_p_no_replace": (lambda R, k: R.choice(k, 5, (3,), replace=False, p=WEIGHTS), X32),
    "categorical_no_replace": (lambda R, k: R.categorical(k, LOGITS[0], shape=(3,), replace=False), X32),
    "poisson": (lambda R, k: R.poisson(k, LAMS), X32),
    "gamma": (lambda R, k: R.gamma(k, ALPHAS), BOTH),
    "loggamma": (lambda R, k: R.loggamma(k, ALPHAS), SLOW),
    "beta": (lambda R, k: R.beta(k, 0.5, np.array([0.3, 2.0, 9.0], np.float32)), SLOW),
    "dirichlet": (lambda R, k: R.dirichlet(k, ALPHAS[1:4], (2,)), SLOW),
    "chisquare": (lambda R, k: R.chisquare(k, 3.0, (5,)), SLOW),
    "f": (lambda R, k: R.f(k, 3.0, 7.0, (5,)), SLOW),
    "t": (lambda R, k: R.t(k, 4.0, (5,)), SLOW),
    "generalized_normal": (lambda R, k: R.generalized_normal(k, 1.5, (5,)), SLOW),
    "ball": (lambda R, k: R.ball(k, 3, 1.5, (4,)), SLOW),
    "binomial": (lambda R, k: R.binomial(k, np.array([0, 3, 20, 90, 5000], np.float32), 0.35), SLOW),
    "multinomial": (lambda R, k: R.multinomial(k, 40.0, np.array([0.2, 0.3, 0.5], np.float32)), SLOW),
    "multivariate_normal": (lambda R, k: R.multivariate_normal(k, np.zeros(3, np.float32), COV, (4,)), X32),
    "multivariate_normal_eigh": (lambda R, k: R.multivariate_normal(k, np.ones(3, np.float32), COV, (2,),
                                                                    method="eigh"), SLOW),
    "orthogonal": (lambda R, k: R.orthogonal(k, 3, (2,), m=4), X32),
}

PARAMS = []
for _name, (_fn, _tier) in CASES.items():
    PARAMS.append(pytest.param(_name, False, id=f"{_name}-x32", marks=[pytest.mark.slow] if _tier == SLOW else []))
    PARAMS.append(pytest.param(_name, True, id=f"{_name}-x64", marks=[pytest.mark.slow] if _tier != BOTH else []))


@pytest.fixture
def mode(request):
    from testing_utils import x64_mode
    with x64_mode(request.param):
        yield request.param


def _assert_samples_equal(ours, theirs, name):
    if np.asarray(theirs).dtype.kind in "biu":
        assert_same(ours, theirs, err_msg=name)
    else:  # float rounding: a few ulps of the dtype
        assert_same(ours, theirs, rtol=_RTOL.get(np.asarray(theirs).dtype.name, 2e-6), atol=1e-6, err_msg=name)


_RTOL = {"float64": 1e-13, "complex128": 1e-13, "float16": 2e-3, "bfloat16": 1e-2}


@pytest.mark.parametrize("name,mode", PARAMS, indirect=["mode"])
@examples
@given(seed=seeds)
def test_sampler_matches_jax(name, mode, seed):
    fn = CASES[name][0]
    typed = seed % 2 == 0  # typed keys and raw uint32[2] keys alike
    ours_key = random.key(seed) if typed else random.PRNGKey(seed)
    jax_key = jr.key(seed) if typed else jr.PRNGKey(seed)
    _assert_samples_equal(fn(random, ours_key), fn(jr, jax_key), name)


# Batched keys: jit(vmap(sampler)) over split keys.
VMAPPED = ["uniform", "normal", "randint", "categorical", "permutation_int"]  # gamma: the next test
VMAPPED_SLOW = ["gamma", "bernoulli_p", "choice_p", "poisson", "exponential", "truncated_normal", "binomial",
                "dirichlet"]


@pytest.mark.parametrize("name", VMAPPED + [pytest.param(n, marks=pytest.mark.slow) for n in VMAPPED_SLOW])
def test_jit_vmap_over_split_keys(name):
    fn = CASES[name][0]
    ours = jaxlike.jit(jaxlike.vmap(lambda k: fn(random, k)))(random.split(random.key(11), 3))
    theirs = jax.jit(jax.vmap(lambda k: fn(jr, k)))(jr.split(jr.key(11), 3))
    _assert_samples_equal(ours, theirs, name)


def test_vmap_over_parameters_and_keys():
    alphas = np.array([0.5, 2.0, 9.0], np.float32)
    ours = jaxlike.vmap(lambda k, a: random.gamma(k, a, (2,)))(random.split(random.PRNGKey(2), 3), alphas)
    theirs = jax.vmap(lambda k, a: jr.gamma(k, a, (2,)))(jr.split(jr.PRNGKey(2), 3), alphas)
    _assert_samples_equal(ours, theirs, "vmapped gamma")
    bounds = np.array([1.0, 10.0, 100.0], np.float32)
    ours = jaxlike.vmap(lambda hi: random.uniform(random.PRNGKey(2), (4,), maxval=hi))(bounds)
    theirs = jax.vmap(lambda hi: jr.uniform(jr.PRNGKey(2), (4,), maxval=hi))(bounds)
    _assert_samples_equal(ours, theirs, "vmapped bounds")


def test_default_dtypes_follow_x64(x64):
    key, jkey = random.key(0), jr.key(0)
    assert random.uniform(key, (3, 5)).dtype == jr.uniform(jkey, (3, 5)).dtype
    assert random.randint(key, (3, 5), -10, 1000).dtype == jr.randint(jkey, (3, 5), -10, 1000).dtype
    assert random.bits(key, (3, 5)).dtype == jr.bits(jkey, (3, 5)).dtype
