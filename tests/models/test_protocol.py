"""The protocol every model follows (``keras_gans.models.adversarial.AdversarialModel``):
players and optimizers, compile preparation and its saved config, the task, previews and
training-only state, the same for noise-to-data, image-to-image and multi-domain models."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import keras_gans as kg
from keras_gans import cli, export
from keras_gans.models.adversarial import AdversarialModel


def _tables(seed=0):
    rng = np.random.default_rng(seed)
    table = {"x": rng.normal(size=40).astype("float32"), "c": np.array(["u", "v"] * 20)}
    return {"a": table, "b": dict(table)}


SMALL = {
    "gan": lambda: kg.models.GAN(data_shape=(2,)),
    "cyclegan": lambda: kg.models.CycleGAN(data_shape=(16, 16, 1), filters=2, num_blocks=1,
                                           discriminator_layers=1, pool_size=2),
    "simgan": lambda: kg.models.SimGAN(data_shape=(16, 16, 1), filters=2, num_blocks=1,
                                       buffer_size=2),
    "srgan": lambda: kg.models.SRGAN(data_shape=(16, 16, 3), filters=2, num_blocks=1,
                                     discriminator_filters=2, content_loss="pixel"),
    "radialgan": lambda: kg.models.RadialGAN(_tables(), latent_dim=3, hidden_units=(4,)),
}


@pytest.mark.parametrize("name", sorted(kg.models.VARIANTS))
def test_every_variant_derives_from_the_one_base(name):
    assert issubclass(kg.models.VARIANTS[name], AdversarialModel)


@pytest.mark.parametrize("name", sorted(SMALL))
def test_compile_builds_each_players_optimizer_for_its_own_networks(name):
    model = SMALL[name]()
    model.compile()
    for optimizer_name in model.players:
        optimizer = getattr(model, optimizer_name)
        assert optimizer.built
        own = {id(v) for net in model.player_networks(optimizer_name)
               for v in net.trainable_variables}
        assert {id(v) for v in optimizer._trainable_variables} == own
    assert model.optimizer is getattr(model, model.step_optimizer or next(iter(model.players)))
    assert model.step_counter is model.optimizer.iterations


@pytest.mark.parametrize("name", sorted(SMALL))
def test_one_optimizer_object_for_two_players_is_refused(name):
    model = SMALL[name]()
    shared = keras.optimizers.Adam()
    first, second = list(model.players)[:2]
    with pytest.raises(ValueError, match="two different optimizer objects"):
        model.compile(**{first: shared, second: shared})


@pytest.mark.parametrize("name", sorted(SMALL))
def test_compile_config_round_trips(name):
    model = SMALL[name]()
    model.compile()
    config = model.get_compile_config()
    assert set(model.players) <= set(config)
    again = SMALL[name]()
    again.compile_from_config(config)
    assert again.get_compile_config() == config


def test_radialgan_gets_loss_scaling_under_mixed_float16():
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        model = SMALL["radialgan"]()
    finally:
        keras.mixed_precision.set_global_policy("float32")
    model.compile()
    assert isinstance(model.d_optimizer, keras.optimizers.LossScaleOptimizer)
    assert isinstance(model.g_optimizer, keras.optimizers.LossScaleOptimizer)


@pytest.mark.parametrize("name", ["cyclegan", "simgan"])
def test_training_only_state_is_dropped_with_the_same_outputs(name):
    model = SMALL[name]()
    shipped = model.without_training_state()
    assert shipped is not model
    assert all(shipped.get_config()[k] == v for k, v in model.training_only.items())
    x = np.random.default_rng(0).uniform(-1, 1, (2, 16, 16, 1)).astype("float32")
    np.testing.assert_array_equal(model.apply(x), shipped.apply(x))
    assert shipped.without_training_state() is shipped


def test_a_model_without_training_only_state_is_shipped_as_it_is():
    model = SMALL["gan"]()
    assert model.without_training_state() is model


@pytest.mark.parametrize("name", sorted(SMALL))
def test_fit_refuses_empty_data(name):
    model = SMALL[name]()
    model.compile()
    with pytest.raises(ValueError, match="empty"):
        model.fit(tf.data.Dataset.range(0), epochs=1, verbose=0)


def test_the_task_says_what_the_model_takes_and_returns(tmp_path):
    gan, srgan = SMALL["gan"](), SMALL["srgan"]()
    assert (gan.task, gan.needs_inputs, gan.example_shape) == ("generate", False, (2,))
    assert (srgan.task, srgan.needs_inputs, srgan.example_shape) == ("upscale", True, (4, 4, 3))
    assert srgan.describe_task() == {"task": "upscale", "input_shape": [4, 4, 3],
                                     "output_shape": [16, 16, 3]}
    with pytest.raises(ValueError, match="generates from noise"):
        gan.apply(np.zeros((1, 2), "float32"))
    with pytest.raises(ValueError, match="pass `inputs`"):
        srgan.save_preview(str(tmp_path / "x.png"))
    low = np.zeros((2, 4, 4, 3), "float32")
    assert srgan.save_preview(str(tmp_path / "pairs.png"), inputs=low).endswith("pairs.png")
    assert gan.save_preview(str(tmp_path / "points.png"), n=10).endswith("points.png")


def test_tables_and_domains_are_options_of_the_models_that_have_them():
    radial = SMALL["radialgan"]()
    assert radial.makes_tables and radial.table_options() == {"domain": "a"}
    with pytest.raises(ValueError, match="its domains: a, b"):
        radial.table_options("c")
    with pytest.raises(ValueError, match="RadialGAN option"):
        SMALL["gan"]().table_options("a")


@pytest.mark.parametrize("name", ["cyclegan", "radialgan"])
def test_ema_and_export_refuse_models_without_a_noise_generator(name):
    model = SMALL[name]()
    assert not model.supports_ema and not model.has_ema
    with pytest.raises(TypeError, match="no generator of noise"):
        model.enable_ema()
    with pytest.raises(ValueError, match="only noise-to-image GANs export"):
        export.export(model, "unused")


@pytest.mark.parametrize("build", [
    lambda: kg.models.CGAN(data_shape=(8, 8, 1), latent_dim=4, num_classes=3),
    lambda: kg.models.BigGAN(data_shape=(16, 16, 1), latent_dim=8, num_classes=3, ch=2),
], ids=["cgan", "biggan"])
def test_a_class_conditional_generator_exports_with_labels(build, tmp_path):
    model = build()
    assert model.label_classes == 3
    reloaded = tf.saved_model.load(export.export(model, str(tmp_path / "saved")))
    z = model.latent_vectors(4, seed=0)
    labels = np.array([0, 1, 2, 1])
    served = reloaded.signatures["from_latent"](z=tf.constant(z),
                                                labels=tf.constant(labels, tf.int64))
    np.testing.assert_allclose(served["images"].numpy(), model.generate(z=z, labels=labels),
                               rtol=1e-5, atol=1e-5)
    by_seed = reloaded.signatures["serving_default"](
        seeds=tf.constant([7, 7, 7], tf.int64), labels=tf.constant([0, 0, 2], tf.int64))
    images = by_seed["images"].numpy()
    np.testing.assert_array_equal(images[0], images[1])  # same seed and label, same image
    assert not np.allclose(images[0], images[2])         # the label changes it


def test_a_table_model_refuses_export_and_names_the_way_to_sample_it():
    table = {"x": np.linspace(-1, 1, 40).astype("float32"), "c": np.array(["u", "v"] * 20)}
    model = kg.models.TabularGAN(table, latent_dim=4)
    assert model.label_classes is None
    with pytest.raises(ValueError, match="keras-gans sample NAME -o rows.csv"):
        export.export(model, "unused")


@pytest.mark.parametrize("verb", ["eval", "export"])
def test_the_cli_refuses_image_to_image_presets_in_one_line(verb, tmp_path, capsys):
    extra = ["--out", str(tmp_path / "x")] if verb == "export" else []
    assert cli.main([verb, "srgan", *extra]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "\n" not in err and "SRGAN" in err


@pytest.mark.parametrize("name", sorted(SMALL))
def test_summary_line_names_the_class(name):
    model = SMALL[name]()
    assert model.summary_line().startswith(type(model).__name__[:5])
    assert "parameters" in model.summary_line()


def test_every_variant_registers_itself_and_takes_the_data_shape():
    import inspect

    from keras_gans.models import registry

    assert registry.variants() == kg.models.VARIANTS
    assert kg.models.get("WGAN_GP") is kg.models.get("wgangp") is kg.models.WGANGP
    for cls in kg.models.VARIANTS.values():
        if not cls.makes_tables:  # the table models are built from their tables' columns
            assert "data_shape" in inspect.signature(cls.__init__).parameters, cls
    with pytest.raises(ValueError, match="Known variants: acgan, biggan"):
        kg.models.get("nope")


@pytest.mark.parametrize("variant, reason", [("radialgan", "built from its tables' columns"),
                                             ("simgan", "takes images as input")])
def test_train_variant_refuses_what_it_cannot_build_in_one_line(variant, reason, capsys):
    assert cli.main(["train", variant, "--out", "unused"]) == 2
    err = capsys.readouterr().err.strip()
    assert reason in err and "\n" not in err
