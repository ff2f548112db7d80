"""AttentionMaps: validation; rollout, flow, value- and gradient-weighted attention checked against their definitions
by hand, against networkx, and on known truth."""

from __future__ import annotations

import itertools
import warnings

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
        (lambda: iw.AttentionMaps(np.ones((1, 1, 3, 4)) / 4, list("abc")), ValueError,
         r"received shape \(1, 1, 3, 4\)"),
        (lambda: iw.AttentionMaps(np.ones((1, 1, 3, 3)) / 3, list("ab")), ValueError,
         r"tokens must have 3 entries \(one per token\); received 2"),
        (lambda: iw.AttentionMaps(np.full((1, 1, 2, 2), np.nan), list("ab")), ValueError, "must be finite"),
        (lambda: iw.AttentionMaps(-np.ones((1, 1, 2, 2)), list("ab")), ValueError, "must be non-negative"),
        (lambda: iw.AttentionMaps(HALF, "ab"), TypeError, "tokens must be a sequence of str"),
        (lambda: iw.AttentionMaps(HALF, list("ab"), special=[1, 0]), ValueError,
         "special must be 2 bools"),
        (lambda: iw.AttentionMaps(HALF, list("ab")).rollout(head="median"), ValueError,
         "head must be one of 'mean', 'max', 'min'; received 'median'"),
        (lambda: iw.AttentionMaps(HALF, list("ab")).rollout(residual=1.5), ValueError,
         r"residual must be a number in \[0, 1\]; received 1.5"),
        (lambda: iw.AttentionMaps(HALF, list("ab")).flow(residual=-1), ValueError,
         r"residual must be a number in \[0, 1\]; received -1"),
        (lambda: iw.AttentionMaps(HALF, list("ab")).flow(layers=[1]), ValueError,
         r"layers must be indices in 0..0; received \[1\]"),
        (lambda: iw.AttentionMaps(HALF, list("ab")).flow(queries=[True]), ValueError,
         r"queries must be indices in 0..1; received \[True\]"),
        (lambda: iw.AttentionMaps(HALF, list("ab"), value_norms=np.ones((1, 2))), ValueError,
         r"value_norms must have shape \(n_layers, n_heads, n_tokens\) = \(1, 1, 2\); received \(1, 2\)"),
        (lambda: iw.AttentionMaps(HALF, list("ab"), value_norms=-np.ones((1, 1, 2))), ValueError,
         "value_norms must be non-negative"),
        (lambda: iw.AttentionMaps(HALF, list("ab"), value_norms=[[["a", "b"]]]), TypeError,
         "value_norms must be a numeric array"),
        (lambda: iw.AttentionMaps(HALF, list("ab"), value_products=np.ones((1, 2, 2, 2))), ValueError,
         r"value_products must have shape \(n_layers, n_tokens, n_heads, n_heads\) = \(1, 2, 1, 1\)"),
        (lambda: iw.AttentionMaps(HALF, list("ab"), attention_gradients=np.ones((1, 1, 2, 3))), ValueError,
         r"attention_gradients must have shape \(n_layers, n_heads, n_tokens, n_tokens\) = \(1, 1, 2, 2\)"),
        (lambda: iw.AttentionMaps(HALF, list("ab")).value_weighted(head="mean"), ValueError,
         "head must be 'each' or 'sum'; received 'mean'"),
        (lambda: iw.AttentionMaps(HALF, list("ab")).value_weighted(), ValueError,
         r"value_weighted\(head='each'\) needs value_norms.*iw.attention\(model, tokenizer, text\)"),
        (lambda: iw.AttentionMaps(HALF, list("ab"), value_norms=np.ones((1, 1, 2))).value_weighted("sum"),
         ValueError, "needs value_products"),
        (lambda: iw.AttentionMaps(HALF, list("ab")).gradient_weighted(), ValueError,
         r"gradient_weighted\(target=None\) needs the model"),
        (lambda: iw.AttentionMaps(HALF, list("ab")).gradient_weighted(target=1.5), TypeError,
         "target must be an int, a callable"),
    ],
    ids=["3-d", "not square", "token count", "nan", "negative", "tokens a str", "special not bool", "head fusion",
         "residual", "flow residual", "flow layers", "flow queries", "value norms shape", "value norms negative",
         "value norms str", "value products shape", "gradients shape", "value head", "no value norms",
         "no value products", "no model", "target type"],
)  # fmt: skip
def test_bad_input(call, error, message):
    with pytest.raises(error, match=message):
        call()


HALF = np.full((1, 1, 2, 2), 0.5)


def test_rows_that_do_not_sum_to_one_warn():
    with pytest.warns(UserWarning, match=r"rows should sum to 1 .* 2 of 2 do not, e.g. layer 0, head 0, query 0 sums "
                      "to 2"):  # fmt: skip
        iw.AttentionMaps(np.ones((1, 1, 2, 2)), list("ab"))
    causal = np.tril(np.ones((3, 3))) / np.arange(1, 4)[:, None]
    masked = np.array([[0.5, 0.5, 0.0], [0.5, 0.5, 0.0], [0.0, 0.0, 0.0]])  # a padded query: a row of zeros
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        iw.AttentionMaps(np.stack([causal, masked])[:, None], list("abc"))
        iw.AttentionMaps(np.full((1, 1, 2, 2), 0.5 + 1e-3), list("ab"))  # float16-sized rounding


def test_flow_by_hand_two_layers_two_tokens():
    a0 = np.array([[1.0, 0.0], [0.5, 0.5]])
    a1 = np.array([[0.2, 0.8], [0.0, 1.0]])
    maps = iw.AttentionMaps(np.stack([a0, a1])[:, None], ["[CLS]", "hello"])
    flow = maps.flow(residual=0.0)
    np.testing.assert_allclose(flow[0], a0, atol=1e-8)  # one edge from each input to each token after layer 0
    # to [CLS] after layer 1 from [CLS]: via [CLS] min(1, 0.2) + via hello min(0.5, 0.8) = 0.7 (rollout: 0.6);
    # from hello: only via hello, min(0.5, 0.8) = 0.5; to hello: only via hello (a1[1, 0] = 0), min(0.5, 1) = 0.5
    np.testing.assert_allclose(flow[1], [[0.7, 0.5], [0.5, 0.5]], atol=1e-8)
    assert maps.rollout(residual=0.0)[1, 0, 0] == pytest.approx(0.6)


def layered_graph(steps):
    import networkx as nx

    graph = nx.DiGraph()
    n_layers, n, _ = steps.shape
    for layer, i, j in itertools.product(range(n_layers), range(n), range(n)):
        graph.add_edge((layer, j), (layer + 1, i), capacity=steps[layer, i, j])
    return graph


@pytest.mark.parametrize(("n_tokens", "n_layers", "head", "residual"), [(4, 2, "mean", 0.5), (6, 3, "max", 0.3)])
def test_flow_equals_networkx_maximum_flow_per_pair(n_tokens, n_layers, head, residual):
    import networkx as nx

    rng = np.random.default_rng(n_tokens)
    attentions = softmax_rows(2 * rng.normal(size=(n_layers, 3, n_tokens, n_tokens)))
    maps = iw.AttentionMaps(attentions, [f"t{i}" for i in range(n_tokens)])
    steps = maps._residual_steps(head, residual)
    graph = layered_graph(steps)
    expected = np.array([[[nx.maximum_flow_value(graph, (0, j), (layer + 1, i)) for j in range(n_tokens)]
                          for i in range(n_tokens)] for layer in range(n_layers)])  # fmt: skip
    flow = maps.flow(head=head, residual=residual)
    # the documented bound on rounding capacities to integers: (l + 1)·n² / 2**29 after layer l
    bound = (np.arange(1, n_layers + 1) * n_tokens**2 / 2**29)[:, None, None]
    assert (np.abs(flow - expected) <= bound).all()
    np.testing.assert_allclose(flow, expected, atol=1e-7)
    # never above 1: the sink's incoming capacities are a row of Â, which sums to 1 (up to the rounding)
    assert (flow <= 1 + bound).all() and (flow >= 0).all()


def test_flow_through_the_only_path():
    # known truth: every token reads only token 2 in layer 0, so all flow after it comes from token 2
    attentions = np.zeros((3, 1, 5, 5))
    attentions[0, 0, :, 2] = 1.0
    attentions[1:] = softmax_rows(np.random.default_rng(0).normal(size=(2, 1, 5, 5)))
    flow = iw.AttentionMaps(attentions, list("abcde")).flow(residual=0.0)
    np.testing.assert_allclose(flow[:, :, 2], 1.0, atol=1e-7)
    np.testing.assert_allclose(np.delete(flow, 2, axis=2), 0.0, atol=1e-7)
    # a bottleneck: in layer 1 everything goes through token 0, which got 1/5 of each input in layer 0
    attentions = np.full((2, 1, 5, 5), 0.2)
    attentions[1] = 0.0
    attentions[1, 0, :, 0] = 1.0
    flow = iw.AttentionMaps(attentions, list("abcde")).flow(residual=0.0)
    np.testing.assert_allclose(flow[1], 0.2, atol=1e-7)


def test_flow_of_a_subset_equals_the_full_flow_there():
    rng = np.random.default_rng(3)
    maps = iw.AttentionMaps(softmax_rows(rng.normal(size=(3, 2, 6, 6))), list("abcdef"))
    full = maps.flow()
    part = maps.flow(layers=[2], queries=[0, 4])
    np.testing.assert_array_equal(part[2, [0, 4]], full[2, [0, 4]])
    assert np.isnan(part[:2]).all() and np.isnan(part[2, [1, 2, 3, 5]]).all()
    assert np.isfinite(maps.flow(layers=1, queries=np.int64(3))[1, 3]).all()


def test_value_weighted_by_hand():
    attentions = np.array([[[[0.5, 0.5], [0.25, 0.75]]]])
    maps = iw.AttentionMaps(attentions, ["a", "b"], value_norms=[[[2.0, 4.0]]])
    # α_ij · ‖f(x_j)‖: [[0.5·2, 0.5·4], [0.25·2, 0.75·4]]
    np.testing.assert_allclose(maps.value_weighted(), [[[[1.0, 2.0], [0.5, 3.0]]]])


def test_value_weighted_sum_is_the_norm_of_the_layer_output_by_hand():
    # two heads; f^0(x_a) = (1, 0), f^1(x_a) = (0, 1), f^0(x_b) = f^1(x_b) = (1, 0)
    f = np.array([[[1.0, 0.0], [1.0, 0.0]], [[0.0, 1.0], [1.0, 0.0]]])  # (heads, tokens, hidden)
    alpha = np.array([[[0.5, 0.5], [1.0, 0.0]], [[0.5, 0.5], [0.0, 1.0]]])  # (heads, q, k)
    maps = iw.AttentionMaps(alpha[None], ["a", "b"], value_norms=np.linalg.norm(f, axis=-1)[None],
                            value_products=np.einsum("hje,gje->jhg", f, f)[None])  # fmt: skip
    # (q=a, k=a): 0.5·(1, 0) + 0.5·(0, 1) → √0.5, where the heads' norms add to 1; (a, b): 0.5·(1,0) + 0.5·(1,0) → 1
    # (b, a): 1·(1, 0) + 0·(0, 1) → 1; (b, b): 0·(1, 0) + 1·(1, 0) → 1
    np.testing.assert_allclose(maps.value_weighted("sum"), [[[np.sqrt(0.5), 1.0], [1.0, 1.0]]])
    np.testing.assert_allclose(maps.value_weighted().sum(axis=1), [[[1.0, 1.0], [1.0, 1.0]]])


def test_gradient_weighted_from_precomputed_gradients_by_hand():
    attentions = np.array([[[[0.5, 0.5], [0.25, 0.75]]]])
    gradients = np.array([[[[1.0, -2.0], [4.0, 0.0]]]])
    maps = iw.AttentionMaps(attentions, ["a", "b"], attention_gradients=gradients)
    np.testing.assert_allclose(maps.gradient_weighted(), [[[[0.5, -1.0], [1.0, 0.0]]]])
    with pytest.raises(ValueError, match=r"target=1\) needs the model: these maps hold precomputed gradients for "
                       "the default target only"):  # fmt: skip
        maps.gradient_weighted(1)


def test_a_models_float16_or_float32_weights_are_kept_as_they_are_and_maps_computed_in_float32():
    rng = np.random.default_rng(3)
    weights = softmax_rows(rng.standard_normal((3, 4, 40, 40)) * 2)
    f = rng.standard_normal((3, 4, 40, 6))  # (layers, heads, tokens, hidden)
    products = np.einsum("lhje,lgje->ljhg", f, f)
    exact = iw.AttentionMaps(weights, [f"t{i}" for i in range(40)], value_products=products)
    for dtype, rtol in ((np.float32, 1e-5), (np.float16, 5e-3)):
        stored = weights.astype(dtype)
        maps = iw.AttentionMaps(stored, exact.tokens, value_products=products)
        assert maps.attentions is stored  # no copy: a long text's weights are the largest thing in memory
        assert maps.dtype == np.float32
        for name, computed in (("mean", maps.fused("mean")), ("rollout", maps.rollout()),
                               ("value_weighted", maps.value_weighted("sum"))):  # fmt: skip
            reference = {"mean": exact.fused("mean"), "rollout": exact.rollout(),
                         "value_weighted": exact.value_weighted("sum")}[name]  # fmt: skip
            assert computed.dtype == np.float32, name
            np.testing.assert_allclose(computed, reference, rtol=rtol, atol=rtol * np.abs(reference).max())
    with pytest.raises(ValueError, match=r"finite.*index \(2, 1, 0, 5\)"):
        bad = weights.astype(np.float16)
        bad[2, 1, 0, 5] = np.inf
        iw.AttentionMaps(bad, exact.tokens)
