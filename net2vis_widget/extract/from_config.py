"""A ``transformers`` configuration (a ``config.json``, the folder holding it, or a config
object) → the model it names, built on the meta device, and example inputs that its main input
implies. No weights are read, nothing is fetched, and no code that comes with a model runs."""
from __future__ import annotations

import inspect
import json
import os

import torch
import transformers

TOKENS = 16  # token ids of the example text
DECODER_TOKENS = 4  # and of the decoder's, in an encoder–decoder
AUDIO_SAMPLES = 16_000  # one second of 16 kHz audio


def model_and_inputs(source, input_size=None) -> tuple[torch.nn.Module, dict]:
    """The model ``source`` configures, without weights, and its example inputs (the main
    one at ``input_size`` where given, with the batch axis)."""
    config = source if isinstance(source, transformers.PretrainedConfig) else read(source)
    architecture = (getattr(config, "architectures", None) or [None])[0]
    model_class = getattr(transformers, architecture or "", None)
    try:
        with torch.device("meta"):
            model = (model_class(config) if isinstance(model_class, type)
                     else transformers.AutoModel.from_config(config))
    except Exception as error:  # noqa: BLE001 - one line naming the model and the problem
        name = architecture or f"the base model of {config.model_type!r}"
        raise ValueError(f"cannot build {name} from its config: "
                         f"{str(error).strip().splitlines()[0]}") from None
    return model.eval(), example_inputs(model, config, input_size)


def read(source) -> transformers.PretrainedConfig:
    """The config in a ``.json`` file, or in the ``config.json`` of a folder."""
    path = os.fspath(source)
    if os.path.isdir(path):
        path = os.path.join(path, "config.json")
    try:
        with open(path, encoding="utf-8") as file:
            data = json.load(file)
    except OSError as error:
        raise ValueError(f"{path}: cannot read the config ({error.strerror})") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"{path}: not a JSON config ({error})") from None
    model_type = data.get("model_type") if isinstance(data, dict) else None
    if not isinstance(model_type, str):
        raise ValueError(f"{path}: not a transformers config (it names no model_type)")
    if model_type not in transformers.CONFIG_MAPPING:
        if "auto_map" in data:
            raise ValueError(f"{path}: model_type {model_type!r} needs the code that comes with "
                             "the model (its auto_map); net2vis runs no such code")
        raise ValueError(f"{path}: unknown model_type {model_type!r} (transformers "
                         f"{transformers.__version__} knows "
                         f"{len(transformers.CONFIG_MAPPING.keys())} others)")
    return transformers.CONFIG_MAPPING[model_type].from_dict(data)


def example_inputs(model, config, size=None) -> dict:
    """Inputs for one example: token ids, an image at the config's size, audio, decoder ids;
    those of a multimodal model's other towers too."""
    accepted = inspect.signature(model.forward).parameters
    main = model.main_input_name
    vision = getattr(config, "vision_config", None) or config
    side = getattr(vision, "image_size", 224)
    height, width = side if isinstance(side, (list, tuple)) else (side, side)
    default = {"input_ids": (1, TOKENS),
               "pixel_values": (1, getattr(vision, "num_channels", 3), height, width),
               "input_features": (1, getattr(config, "num_mel_bins", 80),
                                  2 * getattr(config, "max_source_positions", 1500)),
               "input_values": (1, AUDIO_SAMPLES)}
    wanted = [main]
    if "pixel_values" in accepted and main != "pixel_values" and hasattr(config, "vision_config"):
        wanted.append("pixel_values")
    if "input_ids" in accepted and main != "input_ids" and hasattr(config, "text_config"):
        wanted.append("input_ids")
    inputs = {name: _tensor(name, size if name == main and size else default.get(name))
              for name in wanted}
    if getattr(config, "is_encoder_decoder", False) and "decoder_input_ids" in accepted:
        inputs["decoder_input_ids"] = _tensor("input_ids", (1, DECODER_TOKENS))
    if "use_cache" in accepted:
        inputs["use_cache"] = False  # one pass: no cache for the next token to fill
    return inputs


def _tensor(name: str, size) -> torch.Tensor:
    if size is None:
        raise ValueError(f"no example size for the input {name!r}: pass input_size")
    if name.endswith("_ids"):
        return torch.ones(size, dtype=torch.long)
    return torch.zeros(size)
