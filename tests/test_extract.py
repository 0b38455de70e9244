"""Extraction from live Keras models (SPEC §3)."""
from __future__ import annotations

import json

import keras
import pytest
from keras import layers

from net2vis_widget.extract import extract


def test_every_layer_call_is_a_node_and_a_shared_layer_gives_two():
    inputs = keras.Input((16,), name="x")
    shared = layers.Dense(4, name="shared")
    outputs = layers.Add(name="add")([shared(inputs), shared(inputs)])
    network = extract(keras.Model(inputs, outputs))
    assert [n.id for n in network.nodes] == ["x", "shared", "shared#1", "add"]
    assert network.by_id["shared"].params == 16 * 4 + 4
    assert network.by_id["shared#1"].params == 0  # the same weights: counted once
    assert network.by_id["shared#1"].settings["weights"] == "shared with its first call"


def test_edges_keep_the_order_of_the_consuming_layers_inputs():
    a, b = keras.Input((4, 4, 2), name="a"), keras.Input((4, 4, 3), name="b")
    joined = layers.Concatenate(name="join")([b, a])
    network = extract(keras.Model([a, b], joined))
    into_join = sorted((e.index, e.source) for e in network.edges if e.target == "join")
    assert into_join == [(0, "b"), (1, "a")]


def test_shapes_drop_the_batch_axis_and_take_the_input_size_where_unknown():
    inputs = keras.Input((None, None, 3), name="image")
    outputs = layers.Conv2D(8, 3, name="conv")(inputs)
    conv = extract(keras.Model(inputs, outputs), input_size=(16, 16, 3)).by_id["conv"]
    assert conv.input_shapes == ((16, 16, 3),)
    assert conv.output_shapes == ((14, 14, 8),)


def test_nested_models_are_expanded_with_their_name_as_scope():
    block = keras.Sequential([keras.Input((8, 8, 4)), layers.Conv2D(4, 3, padding="same"),
                              layers.ReLU()], name="block")
    inputs = keras.Input((8, 8, 4), name="x")
    outputs = layers.Flatten(name="flat")(block(block(inputs)))
    network = extract(keras.Model(inputs, outputs))
    assert [n.type for n in network.nodes] == ["Input", "Conv2D", "ReLU", "Conv2D", "ReLU",
                                               "Flatten"]
    assert [n.scope for n in network.nodes][1:5] == [("block",)] * 4
    assert len({n.id for n in network.nodes}) == 6
    assert [(e.source, e.target) for e in network.edges][0][0] == "x"
    assert network.edges[-1].target == "flat"


def test_config_is_json_safe_and_keeps_the_main_settings():
    inputs = keras.Input((8, 8, 3))
    outputs = layers.Conv2D(5, (3, 3), strides=2, activation="relu", name="conv")(inputs)
    config = extract(keras.Model(inputs, outputs)).by_id["conv"].config
    json.dumps(config)
    assert config["filters"] == 5 and config["strides"] == [2, 2]
    assert config["activation"] == "relu" and config["kernel_initializer"] == "GlorotUniform"


def test_custom_layer_classes_keep_their_class_name():
    class Scale(layers.Layer):
        def call(self, x):
            return x * 2.0

    inputs = keras.Input((4,))
    network = extract(keras.Model(inputs, Scale(name="scale")(inputs)))
    assert network.by_id["scale"].type == "Scale"


def test_a_sequential_model_with_an_input_is_extracted():
    model = keras.Sequential([keras.Input((10,)), layers.Dense(3), layers.Dense(2)])
    assert [n.type for n in extract(model).nodes] == ["Input", "Dense", "Dense"]


def test_not_a_model_is_refused_with_a_type_error():
    with pytest.raises(TypeError, match="expected a keras.Model"):
        extract({"layers": []})


def test_an_unbuilt_sequential_model_is_refused_naming_the_fix():
    with pytest.raises(ValueError, match=r"not built.*model\.build"):
        extract(keras.Sequential([layers.Dense(3)]))


class ResidualNet(keras.Model):
    """A subclassed model with a residual ``+`` and a functional activation."""

    def __init__(self):
        super().__init__(name="residual_subclass")
        self.conv1 = layers.Conv2D(8, 3, padding="same", name="conv1")
        self.conv2 = layers.Conv2D(8, 3, padding="same", name="conv2")
        self.pool = layers.GlobalAveragePooling2D(name="pool")
        self.head = layers.Dense(3, name="head")

    def call(self, x):
        y = self.conv1(x)
        y = self.conv2(keras.activations.relu(y)) + y
        return self.head(self.pool(y))


def test_a_subclassed_model_draws_the_layers_its_call_uses():
    net = ResidualNet()
    net(keras.ops.ones((2, 16, 16, 3)))
    network = extract(net)
    assert network.name == "residual_subclass"
    assert [n.type for n in network.nodes] == ["Input", "Conv2D", "ReLU", "Conv2D", "Add",
                                               "GlobalAveragePooling2D", "Dense"]
    add = next(n.id for n in network.nodes if n.type == "Add")
    assert sorted(network.feeds[add]) == ["conv1", "conv2"]  # the residual: two inputs
    assert network.by_id["conv1"].input_shapes == ((16, 16, 3),)
    assert network.by_id["conv1"].params == 3 * 3 * 3 * 8 + 8


def test_an_unbuilt_subclassed_model_is_refused_naming_the_fix():
    with pytest.raises(ValueError, match="not built: call it on a batch or call model.build"):
        extract(ResidualNet())


def test_a_subclassed_model_branching_on_values_is_refused_naming_the_fix():
    class Branching(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = layers.Dense(2)

        def call(self, x):
            return self.dense(x) if float(keras.ops.sum(x)) > 0 else x

    net = Branching()
    net(keras.ops.ones((1, 3)))
    with pytest.raises(ValueError, match="cannot be drawn: its call.. does not run on symbolic"):
        extract(net)

def test_a_keras_model_built_for_any_size_draws_at_the_input_size_given():
    model = keras.applications.VGG19(weights=None, include_top=False)
    network = extract(model, input_size=(224, 224, 3))
    shapes = [n.output_shapes[0] for n in network.nodes]
    assert shapes[0] == (224, 224, 3) and shapes[-1] == (7, 7, 512)
    assert model.input_shape == (None, None, None, 3)  # the user's model is as it was


def test_a_saved_keras_file_takes_an_input_size_like_the_model_itself(tmp_path):
    path = tmp_path / "vgg.keras"
    keras.applications.VGG19(weights=None, include_top=False).save(path)
    network = extract(str(path), input_size=(64, 64, 3))
    assert network.nodes[-1].output_shapes == ((2, 2, 512),)
