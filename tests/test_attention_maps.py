"""AttentionMaps: validation, and rollout checked against its definition by hand and on known truth."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import interpretwidgets as iw


def softmax_rows(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def test_rollout_by_hand_two_layers_two_tokens():
    # layer 0: token 1 attends half to each; layer 1: token 0 attends mostly to token 1
    a0 = np.array([[1.0, 0.0], [0.5, 0.5]])
    a1 = np.array([[0.2, 0.8], [0.0, 1.0]])
    maps = iw.AttentionMaps(np.stack([a0, a1])[:, None], ["[CLS]", "hello"])
    # 0.5·A + 0.5·I: layer 0 → [[1, 0], [0.25, 0.75]]; layer 1 → [[0.6, 0.4], [0, 1]]
    # after layer 1: [[0.6, 0.4], [0, 1]] @ [[1, 0], [0.25, 0.75]] = [[0.7, 0.3], [0.25, 0.75]]
    rollout = maps.rollout()
    np.testing.assert_allclose(rollout[0], [[1.0, 0.0], [0.25, 0.75]])
    np.testing.assert_allclose(rollout[1], [[0.7, 0.3], [0.25, 0.75]])
    # no residual: the attention maps multiplied as they are
    np.testing.assert_allclose(maps.rollout(residual=0.0)[1], a1 @ a0)


def test_rollout_is_the_sum_over_paths_of_the_product_of_weights():
    rng = np.random.default_rng(0)
    attentions = softmax_rows(rng.normal(size=(3, 4, 3, 3)))
    maps = iw.AttentionMaps(attentions, ["a", "b", "c"])
    for head, fuse in (("mean", np.mean), ("max", np.max), ("min", np.min)):
        steps = 0.6 * fuse(attentions, axis=1) + 0.4 * np.eye(3)
        steps /= steps.sum(axis=-1, keepdims=True)
        expected = np.zeros((3, 3))
        for i, j in itertools.product(range(3), repeat=2):
            # every path i = k3 → k2 → k1 → k0 = j through the layers, top to bottom
            for k2, k1 in itertools.product(range(3), repeat=2):
                expected[i, j] += steps[2][i, k2] * steps[1][k2, k1] * steps[0][k1, j]
        rollout = maps.rollout(head=head, residual=0.4)
        np.testing.assert_allclose(rollout[-1], expected, rtol=1e-12)
        np.testing.assert_allclose(rollout.sum(axis=-1), 1.0)


def test_rollout_finds_the_token_every_layer_reads():
    # known truth: in every layer and head, every token attends only to token 2
    attentions = np.zeros((4, 2, 5, 5))
    attentions[..., 2] = 1.0
    rollout = iw.AttentionMaps(attentions, list("abcde")).rollout(residual=0.0)
    np.testing.assert_allclose(rollout[-1], np.tile(np.eye(5)[2], (5, 1)))
    # with the residual stream, token 2 still gets the most of every row after a few layers
    assert (iw.AttentionMaps(attentions, list("abcde")).rollout()[-1].argmax(axis=1) == 2).all()


def test_special_tokens_and_repr():
    maps = iw.AttentionMaps(np.full((1, 1, 4, 4), 0.25), ["[CLS]", "hi", "</s>", "<|endoftext|>"])
    assert maps.special.tolist() == [True, False, True, True]
    assert (maps.n_layers, maps.n_heads, maps.n_tokens) == (1, 1, 4)
    assert repr(maps) == "AttentionMaps(layers=1, heads=1, tokens=4, method='attention')"
    given = iw.AttentionMaps(np.full((1, 1, 2, 2), 0.5), ["x", "y"], special=[False, True])
    assert given.special.tolist() == [False, True]


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: iw.AttentionMaps(np.ones((2, 3, 3)), list("abc")), ValueError,
         r"shape \(n_layers, n_heads, n_tokens, n_tokens\).*received shape \(2, 3, 3\)"),
        (lambda: iw.AttentionMaps(np.ones((1, 1, 3, 4)), list("abc")), ValueError, r"received shape \(1, 1, 3, 4\)"),
        (lambda: iw.AttentionMaps(np.ones((1, 1, 3, 3)), list("ab")), ValueError,
         r"tokens must have 3 entries \(one per token\); received 2"),
        (lambda: iw.AttentionMaps(np.full((1, 1, 2, 2), np.nan), list("ab")), ValueError, "must be finite"),
        (lambda: iw.AttentionMaps(-np.ones((1, 1, 2, 2)), list("ab")), ValueError, "must be non-negative"),
        (lambda: iw.AttentionMaps(np.ones((1, 1, 2, 2)), "ab"), TypeError, "tokens must be a sequence of str"),
        (lambda: iw.AttentionMaps(np.ones((1, 1, 2, 2)), list("ab"), special=[1, 0]), ValueError,
         "special must be 2 bools"),
        (lambda: iw.AttentionMaps(np.ones((1, 1, 2, 2)), list("ab")).rollout(head="median"), ValueError,
         "head must be one of 'mean', 'max', 'min'; received 'median'"),
        (lambda: iw.AttentionMaps(np.ones((1, 1, 2, 2)), list("ab")).rollout(residual=1.5), ValueError,
         r"residual must be a number in \[0, 1\]; received 1.5"),
    ],
    ids=["3-d", "not square", "token count", "nan", "negative", "tokens a str", "special not bool", "head fusion",
         "residual"],
)  # fmt: skip
def test_bad_input(call, error, message):
    with pytest.raises(error, match=message):
        call()
