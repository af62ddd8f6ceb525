import numpy as np
import pytest

from landscape.nets import data


def test_shipped_sets_load_offline():
    X, y = data.mnist_subset()
    assert X.shape == (5000, 784) and 0 <= X.min() and X.max() <= 1 and y.shape == (5000,)
    X, y = data.digits()
    assert X.shape == (1797, 64)
    X, y = data.diabetes()
    assert X.shape == (442, 10)
    X, y = data.boston_housing()
    assert X.shape == (506, 13)


def test_downsample_averages_blocks():
    img = np.arange(16.0).reshape(1, 16)
    out = data.downsample_images(img, 4, 2)
    np.testing.assert_allclose(out, [[2.5, 4.5, 10.5, 12.5]])
    assert data.downsample_images(np.ones((3, 784)), 28, 10).shape == (3, 100)


def test_whiten_and_standardize():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(500, 4)) @ rng.normal(size=(4, 4))
    Z = data.whiten(X, eps=0.0)
    np.testing.assert_allclose(Z.T @ Z / 500, np.eye(4), atol=1e-8)
    S = data.standardize(X)
    np.testing.assert_allclose(S.std(axis=0), 1.0)


def test_synthetic_is_seeded():
    a = data.synthetic_regression(10, 3, np.random.default_rng(1))
    b = data.synthetic_regression(10, 3, np.random.default_rng(1))
    np.testing.assert_array_equal(a[0], b[0])


def test_bad_input():
    with pytest.raises(ValueError, match="X"):
        data.downsample_images(np.ones((2, 10)), 4, 2)
    with pytest.raises(ValueError, match="side_out"):
        data.downsample_images(np.ones((2, 16)), 4, 5)
    with pytest.raises(ValueError, match="n_samples"):
        data.synthetic_regression(0, 3, np.random.default_rng(0))
    with pytest.raises(ValueError, match="n"):
        data.subsample(np.ones((3, 2)), np.ones(3), 4, np.random.default_rng(0))
