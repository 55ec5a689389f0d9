#!/usr/bin/env python3
"""Write the Keras 3 fixtures for the CRNN front, small layers and merges (issue 10/12).

Why: rnncalc declares Conv2D/Conv3D, the depthwise and separable 1-D convolutions,
2-D/3-D poolings, padding/cropping/up-sampling, the argument-taking activations,
noise layers, UnitNormalization, Dot/Maximum/Minimum and Keras' merge-mask rules
as Keras-exact. Only Keras can say what exact is, so this script asks it:

* ``tests/golden/keras_layer_families.json``: summaries (names, output shapes,
  weights, counts) of every model in :func:`summary_cases`, recorded by the same
  code as ``scripts/make_keras_golden.py`` (imported, not copied), and each
  model's ``to_json()`` (``keras_json``) for the Keras config reader;
* ``tests/golden/numeric_families/``: for every model in :func:`numeric_cases`,
  Keras' weights (``np.savez(path, *model.get_weights())``), inputs and
  inference outputs, written by ``scripts/make_keras_numeric.py``'s ``run_case``;
  a few of them also as ``.keras`` archives (:data:`ARCHIVED`).

Run where Keras is installed (never a dependency of rnncalc)::

    KERAS_BACKEND=torch ~/kerasenv/bin/python scripts/make_keras_layer_families.py
    ... --part summary | numeric        (one part only)
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import sys
import time
import warnings
from pathlib import Path
from typing import Any

os.environ.setdefault("KERAS_BACKEND", "torch")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import make_keras_golden as golden  # noqa: E402
import make_keras_numeric as numeric  # noqa: E402
from make_keras_golden import fl, fn, ly, seq, td  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
SUMMARY_OUT = REPO / "tests" / "golden" / "keras_layer_families.json"
NUMERIC_OUT = REPO / "tests" / "golden" / "numeric_families"

Spec = dict[str, Any]


def bi(inner: Spec, **kwargs: Any) -> Spec:
    return {"Bidirectional": {"layer": inner, **kwargs}}


# ---------------------------------------------------------------------------
# Summary cases: every argument that changes shapes or counts, and refusals
# ---------------------------------------------------------------------------


def summary_cases() -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = []

    def add(case_id: str, spec: Spec, error: bool = False) -> None:
        cases.append({"id": case_id, "spec": spec, "error": "build" if error else False})

    img = [28, 28, 1]
    # -- Conv2D ---------------------------------------------------------------
    add("conv2d_valid", seq([ly("Conv2D", filters=8, kernel_size=3)], shape=img))
    add("conv2d_same", seq([ly("Conv2D", filters=8, kernel_size=3, padding="same")], shape=img))
    add("conv2d_strides2", seq([ly("Conv2D", filters=4, kernel_size=3, strides=2)], shape=img))
    add("conv2d_rect_strides_same_odd", seq([ly(
        "Conv2D", filters=4, kernel_size=[3, 2], strides=[2, 3], padding="same")],
        shape=[7, 9, 3]))
    add("conv2d_dilation2", seq([ly("Conv2D", filters=4, kernel_size=3, dilation_rate=2)],
                                shape=[12, 12, 2]))
    add("conv2d_dilation_tuple", seq([ly("Conv2D", filters=4, kernel_size=3,
                                         dilation_rate=[1, 3])], shape=[12, 12, 2]))
    add("conv2d_groups2", seq([ly("Conv2D", filters=6, kernel_size=3, groups=2)],
                              shape=[8, 8, 4]))
    add("conv2d_no_bias", seq([ly("Conv2D", filters=5, kernel_size=2, use_bias=False)],
                              shape=[6, 6, 3]))
    add("conv2d_channels_first", seq([ly("Conv2D", filters=5, kernel_size=3,
                                         data_format="channels_first")], shape=[3, 10, 12]))
    add("conv2d_channels_first_same_strides", seq([ly(
        "Conv2D", filters=2, kernel_size=[3, 5], strides=2, padding="same",
        data_format="channels_first")], shape=[4, 9, 11]))
    add("conv2d_unknown_spatial", seq([ly("Conv2D", filters=8, kernel_size=3)],
                                      shape=[None, None, 3]))
    add("conv2d_kernel_1x5", seq([ly("Conv2D", filters=3, kernel_size=[1, 5])],
                                 shape=[4, 20, 2]))
    add("conv2d_trainable_false", seq([ly("Conv2D", filters=3, kernel_size=3,
                                          trainable=False)], shape=[6, 6, 2]))
    add("conv2d_relu_batch4", seq([ly("Conv2D", filters=3, kernel_size=3, activation="relu")],
                                  shape=[6, 6, 2], batch_size=4))
    add("conv2d_pointwise", seq([ly("Conv2D", filters=16, kernel_size=1)], shape=[5, 5, 7]))
    add("error_conv2d_rank3", seq([ly("Conv2D", filters=4, kernel_size=3)], shape=[10, 3]),
        True)
    add("error_conv2d_window_too_big", seq([ly("Conv2D", filters=3, kernel_size=3)],
                                           shape=[2, 2, 1]), True)
    add("error_conv2d_channels_not_divisible", seq([ly(
        "Conv2D", filters=4, kernel_size=3, groups=2)], shape=[8, 8, 3]), True)
    add("error_conv2d_strides_and_dilation", seq([ly(
        "Conv2D", filters=4, kernel_size=3, strides=2, dilation_rate=2)], shape=[9, 9, 1]), True)
    add("error_conv2d_filters_not_divisible", seq([ly(
        "Conv2D", filters=5, kernel_size=3, groups=2)], shape=[8, 8, 4]), True)
    add("error_conv2d_causal", seq([ly("Conv2D", filters=4, kernel_size=3, padding="causal")],
                                   shape=[8, 8, 1]), True)
    # -- Conv3D ---------------------------------------------------------------
    add("conv3d_valid", seq([ly("Conv3D", filters=4, kernel_size=3)], shape=[6, 8, 8, 2]))
    add("conv3d_same_strides", seq([ly("Conv3D", filters=4, kernel_size=[2, 3, 3],
                                       strides=[1, 2, 2], padding="same")],
                                    shape=[5, 9, 8, 3]))
    add("conv3d_channels_first", seq([ly("Conv3D", filters=3, kernel_size=2,
                                         data_format="channels_first")], shape=[2, 6, 8, 8]))
    add("conv3d_groups4", seq([ly("Conv3D", filters=8, kernel_size=2, groups=4)],
                              shape=[4, 5, 5, 4]))
    add("conv3d_dilation", seq([ly("Conv3D", filters=2, kernel_size=2, dilation_rate=[1, 2, 2],
                                   use_bias=False)], shape=[4, 7, 7, 1]))
    add("error_conv3d_rank4", seq([ly("Conv3D", filters=4, kernel_size=3)], shape=[8, 8, 3]),
        True)
    # -- SeparableConv1D / DepthwiseConv1D --------------------------------------
    add("sepconv1d_valid", seq([ly("SeparableConv1D", filters=8, kernel_size=3)],
                               shape=[20, 6]))
    add("sepconv1d_multiplier_same", seq([ly("SeparableConv1D", filters=8, kernel_size=5,
                                             depth_multiplier=2, padding="same")],
                                         shape=[20, 6]))
    add("sepconv1d_strides", seq([ly("SeparableConv1D", filters=4, kernel_size=3, strides=2)],
                                 shape=[21, 3]))
    add("sepconv1d_dilation", seq([ly("SeparableConv1D", filters=4, kernel_size=3,
                                      dilation_rate=3)], shape=[21, 3]))
    add("sepconv1d_no_bias", seq([ly("SeparableConv1D", filters=4, kernel_size=2,
                                     use_bias=False)], shape=[10, 5]))
    add("sepconv1d_channels_first", seq([ly("SeparableConv1D", filters=4, kernel_size=3,
                                            data_format="channels_first")], shape=[5, 12]))
    add("sepconv1d_unknown_steps", seq([ly("SeparableConv1D", filters=4, kernel_size=3)],
                                       shape=[None, 5]))
    add("error_sepconv1d_causal", seq([ly("SeparableConv1D", filters=4, kernel_size=3,
                                          padding="causal")], shape=[10, 5]), True)
    add("dwconv1d_valid", seq([ly("DepthwiseConv1D", kernel_size=3)], shape=[20, 4]))
    add("dwconv1d_multiplier3", seq([ly("DepthwiseConv1D", kernel_size=3,
                                        depth_multiplier=3)], shape=[20, 4]))
    add("dwconv1d_same_strides", seq([ly("DepthwiseConv1D", kernel_size=4, strides=3,
                                         padding="same")], shape=[20, 4]))
    add("dwconv1d_dilation", seq([ly("DepthwiseConv1D", kernel_size=3, dilation_rate=2)],
                                 shape=[20, 4]))
    add("dwconv1d_no_bias", seq([ly("DepthwiseConv1D", kernel_size=2, use_bias=False,
                                    depth_multiplier=2)], shape=[9, 3]))
    add("dwconv1d_channels_first", seq([ly("DepthwiseConv1D", kernel_size=3,
                                           data_format="channels_first")], shape=[4, 20]))
    add("error_dwconv1d_rank4", seq([ly("DepthwiseConv1D", kernel_size=3)],
                                    shape=[5, 20, 4]), True)
    add("dwconv2d_multiplier2_same", seq([ly("DepthwiseConv2D", kernel_size=3,
                                             depth_multiplier=2, padding="same")],
                                         shape=[8, 9, 3]))
    add("dwconv2d_strides_channels_first", seq([ly("DepthwiseConv2D", kernel_size=[2, 3],
                                                   strides=2, data_format="channels_first")],
                                               shape=[3, 8, 9]))
    add("sepconv2d_valid", seq([ly("SeparableConv2D", filters=6, kernel_size=3)],
                               shape=[8, 8, 4]))
    add("sepconv2d_multiplier_dilation", seq([ly("SeparableConv2D", filters=5, kernel_size=3,
                                                 depth_multiplier=3, dilation_rate=2,
                                                 use_bias=False)], shape=[9, 9, 2]))
    # -- poolings -----------------------------------------------------------------
    add("maxpool2d_default", seq([ly("MaxPooling2D")], shape=[28, 28, 8]))
    add("maxpool2d_pool3", seq([ly("MaxPooling2D", pool_size=3)], shape=[28, 28, 8]))
    add("maxpool2d_strides1", seq([ly("MaxPooling2D", pool_size=2, strides=1)],
                                  shape=[6, 6, 2]))
    add("maxpool2d_same_odd", seq([ly("MaxPooling2D", padding="same")], shape=[7, 9, 2]))
    add("maxpool2d_rect", seq([ly("MaxPooling2D", pool_size=[2, 1])], shape=[8, 5, 2]))
    add("maxpool2d_channels_first", seq([ly("MaxPooling2D", data_format="channels_first")],
                                        shape=[2, 8, 6]))
    add("maxpool2d_unknown", seq([ly("MaxPooling2D")], shape=[None, 16, 3]))
    add("error_maxpool2d_rank3", seq([ly("MaxPooling2D")], shape=[8, 3]), True)
    add("error_maxpool2d_too_big", seq([ly("MaxPooling2D", pool_size=4)], shape=[3, 8, 1]),
        True)
    add("avgpool2d_pool2", seq([ly("AveragePooling2D", pool_size=2)], shape=[8, 8, 3]))
    add("avgpool2d_strides_same", seq([ly("AveragePooling2D", pool_size=3, strides=2,
                                          padding="same")], shape=[7, 8, 3]))
    add("avgpool2d_channels_first", seq([ly("AveragePooling2D", pool_size=[1, 2],
                                            data_format="channels_first")], shape=[3, 4, 8]))
    add("maxpool3d_default", seq([ly("MaxPooling3D")], shape=[4, 8, 8, 2]))
    add("maxpool3d_same_strides", seq([ly("MaxPooling3D", pool_size=[1, 3, 3],
                                          strides=[1, 2, 2], padding="same")],
                                      shape=[3, 7, 8, 2]))
    add("maxpool3d_channels_first", seq([ly("MaxPooling3D", data_format="channels_first")],
                                        shape=[2, 4, 6, 6]))
    add("avgpool3d_valid", seq([ly("AveragePooling3D", pool_size=2)], shape=[4, 6, 6, 2]))
    add("avgpool3d_same_channels_first", seq([ly("AveragePooling3D", pool_size=[1, 3, 3],
                                                 strides=2, padding="same",
                                                 data_format="channels_first")],
                                             shape=[2, 4, 7, 7]))
    add("globalpool3d", fn({"v": {"shape": [3, 4, 5, 2]}}, [
        fl("GlobalMaxPooling3D", inputs="v", name="gmp"),
        fl("GlobalAveragePooling3D", inputs="v", keepdims=True, name="gap")],
        outputs=["gmp", "gap"]))
    add("globalmaxpool2d", seq([ly("GlobalMaxPooling2D")], shape=[5, 6, 7]))
    add("globalavgpool2d", seq([ly("GlobalAveragePooling2D")], shape=[5, 6, 7]))
    add("globalavgpool2d_keepdims", seq([ly("GlobalAveragePooling2D", keepdims=True)],
                                        shape=[5, 6, 7]))
    add("globalmaxpool2d_channels_first_keepdims", seq([ly(
        "GlobalMaxPooling2D", data_format="channels_first", keepdims=True)], shape=[3, 6, 7]))
    add("globalavgpool2d_channels_first", seq([ly("GlobalAveragePooling2D",
                                                  data_format="channels_first")],
                                              shape=[3, 6, 7]))
    add("error_globalmaxpool2d_rank3", seq([ly("GlobalMaxPooling2D")], shape=[6, 7]), True)
    # -- padding, cropping, up-sampling ---------------------------------------------
    add("zeropad1d_default", seq([ly("ZeroPadding1D")], shape=[10, 3]))
    add("zeropad1d_asym", seq([ly("ZeroPadding1D", padding=[2, 3])], shape=[10, 3]))
    add("zeropad1d_channels_first", seq([ly("ZeroPadding1D", padding=2,
                                            data_format="channels_first")], shape=[3, 10]))
    add("zeropad1d_unknown", seq([ly("ZeroPadding1D", padding=4)], shape=[None, 3]))
    add("zeropad2d_default", seq([ly("ZeroPadding2D")], shape=[6, 7, 2]))
    add("zeropad2d_int", seq([ly("ZeroPadding2D", padding=2)], shape=[6, 7, 2]))
    add("zeropad2d_pairs", seq([ly("ZeroPadding2D", padding=[[1, 2], [3, 4]])],
                               shape=[6, 7, 2]))
    add("zeropad2d_sym", seq([ly("ZeroPadding2D", padding=[1, 2])], shape=[6, 7, 2]))
    add("zeropad2d_channels_first", seq([ly("ZeroPadding2D", padding=[[0, 1], [2, 0]],
                                            data_format="channels_first")], shape=[2, 6, 7]))
    add("error_zeropad2d_rank3", seq([ly("ZeroPadding2D")], shape=[6, 7]), True)
    add("cropping1d_default", seq([ly("Cropping1D")], shape=[10, 3]))
    add("cropping1d_front", seq([ly("Cropping1D", cropping=[2, 0])], shape=[10, 3]))
    add("cropping1d_unknown", seq([ly("Cropping1D", cropping=3)], shape=[None, 3]))
    add("error_cropping1d_everything", seq([ly("Cropping1D", cropping=[5, 5])], shape=[10, 3]),
        True)
    add("upsampling1d_default", seq([ly("UpSampling1D")], shape=[10, 3]))
    add("upsampling1d_size3", seq([ly("UpSampling1D", size=3)], shape=[4, 2]))
    add("upsampling1d_unknown", seq([ly("UpSampling1D", size=2)], shape=[None, 2]))
    add("error_upsampling1d_rank4", seq([ly("UpSampling1D")], shape=[4, 4, 2]), True)
    # -- activations as layers, noise, normalization ----------------------------------
    add("relu_args", seq([ly("Dense", units=4), ly("ReLU", max_value=6.0, negative_slope=0.1,
                                                      threshold=0.5)], shape=[3]))
    add("leaky_relu_default", seq([ly("LeakyReLU")], shape=[5, 3]))
    add("prelu_full", seq([ly("PReLU")], shape=[5, 4]))
    add("prelu_shared_time", seq([ly("PReLU", shared_axes=[1])], shape=[None, 4]))
    add("prelu_image_shared", seq([ly("PReLU", shared_axes=[1, 2])], shape=[6, 6, 3]))
    add("prelu_trainable_false", seq([ly("PReLU", trainable=False)], shape=[3]))
    add("error_prelu_unknown_time", seq([ly("PReLU")], shape=[None, 4]), True)
    add("elu_alpha", seq([ly("ELU", alpha=0.5)], shape=[5, 3]))
    add("softmax_axis1", seq([ly("Softmax", axis=1)], shape=[5, 3]))
    add("softmax_axes", seq([ly("Softmax", axis=[1, 2])], shape=[5, 3]))
    add("noise_layers", seq([ly("GaussianNoise", stddev=0.1), ly("GaussianDropout", rate=0.2),
                             ly("AlphaDropout", rate=0.1), ly("ActivityRegularization", l1=0.01),
                             ly("Identity"), ly("Dense", units=2)], shape=[5, 3]))
    add("error_gaussian_noise_stddev", seq([ly("GaussianNoise", stddev=2.0)], shape=[3]), True)
    add("unit_normalization", seq([ly("UnitNormalization")], shape=[5, 3]))
    add("unit_normalization_axes", seq([ly("UnitNormalization", axis=[1, 2])], shape=[5, 3]))
    add("default_names", seq([ly("Conv2D", filters=2, kernel_size=2), ly("ReLU"),
                              ly("Conv2D", filters=2, kernel_size=2), ly("ReLU"),
                              ly("LeakyReLU"), ly("PReLU"), ly("ELU"), ly("Softmax")],
                             shape=[6, 6, 1]))
    # -- merges -------------------------------------------------------------------
    two = {"a": {"shape": [5, 4]}, "b": {"shape": [5, 4]}}
    add("dot_axes2", fn(two, [fl("Dot", inputs=["a", "b"], axes=2)]))
    add("dot_axes_pair", fn(two, [fl("Dot", inputs=["a", "b"], axes=[1, 1])]))
    add("dot_axes_neg", fn({"a": {"shape": [5, 4]}, "b": {"shape": [4, 6]}},
                           [fl("Dot", inputs=["a", "b"], axes=[-1, 1])]))
    add("dot_vectors", fn({"a": {"shape": [4]}, "b": {"shape": [4]}},
                          [fl("Dot", inputs=["a", "b"], axes=1, normalize=True)]))
    add("dot_vector_matrix", fn({"a": {"shape": [4]}, "b": {"shape": [4, 3]}},
                                [fl("Dot", inputs=["a", "b"], axes=1)]))
    add("error_dot_mismatch", fn({"a": {"shape": [5, 4]}, "b": {"shape": [5, 3]}},
                                 [fl("Dot", inputs=["a", "b"], axes=2)]), True)
    three = {"a": {"shape": [5, 4]}, "b": {"shape": [5, 4]}, "c": {"shape": [5, 4]}}
    add("maximum_two", fn(two, [fl("Maximum", inputs=["a", "b"])]))
    add("minimum_three", fn(three, [fl("Minimum", inputs=["a", "b", "c"])]))
    add("maximum_broadcast", fn({"a": {"shape": [1, 4]}, "b": {"shape": [3, 4]}},
                                [fl("Maximum", inputs=["a", "b"])]))
    add("error_minimum_shapes", fn({"a": {"shape": [5, 4]}, "b": {"shape": [5, 3]}},
                                   [fl("Minimum", inputs=["a", "b"])]), True)
    # -- CRNN and audio stacks ----------------------------------------------------------
    add("crnn_ocr", seq([
        ly("Conv2D", filters=32, kernel_size=3, padding="same", activation="relu"),
        ly("MaxPooling2D", pool_size=2),
        ly("Conv2D", filters=64, kernel_size=3, padding="same", activation="relu"),
        ly("MaxPooling2D", pool_size=2),
        ly("Reshape", target_shape=[32, 512]),
        ly("Dense", units=64, activation="relu"),
        ly("Dropout", rate=0.2),
        bi(ly("LSTM", units=128, return_sequences=True, dropout=0.25)),
        bi(ly("LSTM", units=64, return_sequences=True, dropout=0.25)),
        ly("Dense", units=21, activation="softmax")], shape=[128, 32, 1], name="ocr_model_v1"))
    add("crnn_ocr_batchnorm", seq([
        ly("Conv2D", filters=16, kernel_size=3, padding="same", use_bias=False),
        ly("BatchNormalization"), ly("ReLU"),
        ly("MaxPooling2D", pool_size=[2, 2]),
        ly("Conv2D", filters=32, kernel_size=3, padding="same"),
        ly("MaxPooling2D", pool_size=[1, 2]),
        ly("Reshape", target_shape=[50, 128]),
        bi(ly("GRU", units=32, return_sequences=True)),
        ly("Dense", units=11)], shape=[100, 16, 1]))
    add("crnn_audio_unknown_time", seq([
        ly("Conv2D", filters=16, kernel_size=3, padding="same", activation="relu"),
        ly("MaxPooling2D", pool_size=[1, 2]),
        ly("Reshape", target_shape=[-1, 320]),
        bi(ly("GRU", units=32)),
        ly("Dense", units=10, activation="softmax")], shape=[None, 40, 1]))
    add("crnn_channels_first", seq([
        ly("Conv2D", filters=8, kernel_size=3, data_format="channels_first"),
        ly("MaxPooling2D", data_format="channels_first"),
        ly("Permute", dims=[3, 1, 2]),
        ly("Reshape", target_shape=[7, 40]),
        ly("LSTM", units=16)], shape=[1, 12, 16]))
    add("text_separable_front", seq([
        ly("Embedding", input_dim=1000, output_dim=32),
        ly("SeparableConv1D", filters=32, kernel_size=5, padding="same", activation="relu"),
        ly("MaxPooling1D", pool_size=2),
        ly("DepthwiseConv1D", kernel_size=3, depth_multiplier=2),
        ly("LSTM", units=16)], shape=[40], dtype="int32"))
    add("video_time_distributed_conv", seq([
        td(ly("Conv2D", filters=4, kernel_size=3, activation="relu")),
        td(ly("MaxPooling2D")),
        td(ly("GlobalAveragePooling2D")),
        ly("LSTM", units=8)], shape=[5, 16, 16, 3]))
    add("conv3d_video_front", seq([
        ly("Conv3D", filters=8, kernel_size=[3, 3, 3], padding="same", activation="relu"),
        ly("MaxPooling3D", pool_size=[1, 2, 2]),
        ly("Reshape", target_shape=[6, 8 * 8 * 8]),
        ly("GRU", units=12)], shape=[6, 16, 16, 1]))
    add("temporal_padding_chain", seq([
        ly("ZeroPadding1D", padding=[2, 0]),
        ly("Conv1D", filters=4, kernel_size=3),
        ly("UpSampling1D", size=2),
        ly("Cropping1D", cropping=[1, 2]),
        ly("PReLU", shared_axes=[1]),
        ly("SimpleRNN", units=3)], shape=[10, 2]))
    add("functional_residual_image", fn({"img": {"shape": [16, 16, 3]}}, [
        fl("Conv2D", inputs="img", filters=8, kernel_size=3, padding="same", name="c1"),
        fl("ReLU", inputs="c1", name="r1"),
        fl("Conv2D", inputs="r1", filters=8, kernel_size=3, padding="same", name="c2"),
        fl("Add", inputs=["c1", "c2"], name="sum"),
        fl("ZeroPadding2D", inputs="sum", padding=1, name="pad"),
        fl("MaxPooling2D", inputs="pad", pool_size=3, name="pool"),
        fl("GlobalMaxPooling2D", inputs="pool", name="gmp"),
        fl("Dense", inputs="gmp", units=2, name="out")], outputs=["out"]))
    add("functional_attention_dot", fn({"q": {"shape": [6, 8]}, "v": {"shape": [9, 8]}}, [
        fl("Dot", inputs=["q", "v"], axes=[2, 2], name="scores"),
        fl("Softmax", inputs="scores", name="weights"),
        fl("Dot", inputs=["weights", "v"], axes=[2, 1], name="context"),
        fl("Maximum", inputs=["context", "q"], name="mx"),
        fl("Minimum", inputs=["context", "q"], name="mn"),
        fl("Concatenate", inputs=["mx", "mn"], name="cat"),
        fl("UnitNormalization", inputs="cat", name="unit"),
        fl("LSTM", inputs="unit", units=4, name="lstm")], outputs=["lstm"]))
    return cases


def record_summaries(keras: Any) -> dict[str, Any]:
    cases = summary_cases()
    ids = [c["id"] for c in cases]
    assert len(ids) == len(set(ids)), "duplicate case ids"
    models = []
    for c in cases:
        entry = golden.record(keras, c)
        if "expected" in entry:      # what model.to_json() writes, for the config reader
            keras.backend.clear_session()
            entry["keras_json"] = json.loads(golden.build_model(keras, copy.deepcopy(
                c["spec"])).to_json())
        models.append(entry)
    return {"keras_version": keras.__version__, "backend": keras.backend.backend(),
            "generated_by": "scripts/make_keras_layer_families.py", "models": models}


# ---------------------------------------------------------------------------
# Numeric cases: Keras' inference outputs for Keras' weights
# ---------------------------------------------------------------------------

L, F = numeric.L, numeric.F

# Token inputs whose padding differs between a and b: positions masked in a only,
# in b only, in both, in neither (masks are token != 0).
TOKENS_A = [[1, 2, 0, 3, 0, 4], [0, 4, 5, 0, 6, 0]]
TOKENS_B = [[0, 2, 3, 0, 0, 5], [1, 0, 5, 6, 0, 0]]
TOKENS_C = [[1, 0, 0, 3, 0, 2], [0, 4, 0, 6, 1, 0]]


def _masked_merge(kind: str, after: list[Spec] | None = None, n: int = 2,
                  masked: str = "all", **kwargs: Any) -> tuple[Spec, dict[str, Any]]:
    """Token inputs through Embedding(mask_zero) into a merge (``masked``: all | first)."""
    names = ["a", "b", "c"][:n]
    inputs = {k: {"shape": [6], "dtype": "int32"} for k in names}
    layers = []
    for k in names:
        zero = masked == "all" or k == "a"
        layers.append(F("Embedding", inputs=k, input_dim=8, output_dim=3, mask_zero=zero,
                        name=f"emb_{k}"))
    layers.append(F(kind, inputs=[f"emb_{k}" for k in names], name="merge", **kwargs))
    last = "merge"
    for i, entry in enumerate(after or []):
        (t, kw), = entry.items()
        layers.append(F(t, inputs=last, name=f"after{i}", **kw))
        last = f"after{i}"
    data = dict(zip(names, (TOKENS_A, TOKENS_B, TOKENS_C)))
    return numeric.fn(inputs, layers, outputs=[last]), data


def numeric_cases() -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = []

    def case(cid: str, spec: Spec, *, batch: int = 2, data: Any = None) -> None:
        cases.append({"id": cid, "spec": spec, "batch": batch, "timesteps": 5,
                      "randomize": True, "data": data, "all_masked_row": False, "note": None})

    s = numeric.seq
    case("conv2d_valid_rect", s([6, 7, 3], [L("Conv2D", filters=4, kernel_size=[3, 2])]))
    case("conv2d_same_strides2_odd", s([7, 9, 3], [L("Conv2D", filters=4, kernel_size=3,
                                                      strides=2, padding="same")]))
    case("conv2d_same_even_kernel", s([6, 6, 2], [L("Conv2D", filters=3, kernel_size=4,
                                                     padding="same")]))
    case("conv2d_dilation", s([9, 9, 2], [L("Conv2D", filters=3, kernel_size=3,
                                             dilation_rate=[2, 1])]))
    case("conv2d_groups", s([6, 6, 4], [L("Conv2D", filters=6, kernel_size=3, groups=2,
                                           padding="same")]))
    case("conv2d_channels_first_relu", s([3, 7, 8], [L(
        "Conv2D", filters=4, kernel_size=3, data_format="channels_first", activation="relu")]))
    case("conv3d_valid", s([4, 5, 6, 2], [L("Conv3D", filters=3, kernel_size=[2, 3, 3])]))
    case("conv3d_same_strides_channels_first", s([2, 5, 6, 7], [L(
        "Conv3D", filters=3, kernel_size=3, strides=[1, 2, 2], padding="same",
        data_format="channels_first")]))
    case("sepconv1d_valid", s([9, 4], [L("SeparableConv1D", filters=5, kernel_size=3)]))
    case("sepconv1d_multiplier_same_dilation", s([10, 3], [L(
        "SeparableConv1D", filters=4, kernel_size=3, depth_multiplier=2, padding="same",
        dilation_rate=2, activation="tanh")]))
    case("sepconv1d_channels_first_strides", s([3, 11], [L(
        "SeparableConv1D", filters=2, kernel_size=3, strides=2, data_format="channels_first")]))
    case("dwconv1d_multiplier3", s([9, 4], [L("DepthwiseConv1D", kernel_size=3,
                                              depth_multiplier=3)]))
    case("dwconv1d_same_strides_channels_first", s([4, 10], [L(
        "DepthwiseConv1D", kernel_size=4, strides=3, padding="same",
        data_format="channels_first", depth_multiplier=2)]))
    case("dwconv2d_multiplier2_same", s([6, 7, 3], [L("DepthwiseConv2D", kernel_size=3,
                                                       depth_multiplier=2, padding="same")]))
    case("sepconv2d_strides_channels_first", s([2, 7, 8], [L(
        "SeparableConv2D", filters=3, kernel_size=[3, 2], strides=2, depth_multiplier=2,
        data_format="channels_first", activation="relu")]))
    case("avgpool3d_global3d", numeric.fn({"v": {"shape": [4, 4, 6, 2]}}, [
        F("AveragePooling3D", inputs="v", pool_size=[2, 2, 3], name="ap"),
        F("GlobalMaxPooling3D", inputs="v", name="gmp"),
        F("GlobalAveragePooling3D", inputs="v", data_format="channels_first", name="gap")],
        outputs=["ap", "gmp", "gap"]))
    case("maxpool2d_same_odd", s([7, 9, 2], [L("Dense", units=3),
                                             L("MaxPooling2D", padding="same")]))
    case("maxpool2d_pool3_strides1", s([6, 6, 2], [L("MaxPooling2D", pool_size=3, strides=1)]))
    case("avgpool2d_valid_rect", s([6, 8, 2], [L("AveragePooling2D", pool_size=[2, 4])]))
    case("avgpool2d_same_even_pads", s([6, 6, 2], [L("AveragePooling2D", pool_size=3,
                                                      strides=1, padding="same")]))
    case("maxpool3d_channels_first", s([2, 4, 6, 6], [L("MaxPooling3D",
                                                        data_format="channels_first")]))
    case("global_pool2d", numeric.fn({"x": {"shape": [4, 5, 3]}}, [
        F("GlobalMaxPooling2D", inputs="x", name="gmp"),
        F("GlobalAveragePooling2D", inputs="x", data_format="channels_first", keepdims=True,
          name="gap")], outputs=["gmp", "gap"]))
    case("pad_crop_upsample_1d", s([6, 3], [L("ZeroPadding1D", padding=[2, 1]),
                                            L("Conv1D", filters=2, kernel_size=3),
                                            L("UpSampling1D", size=3),
                                            L("Cropping1D", cropping=[1, 4])]))
    case("zeropad2d_asym_conv", s([5, 6, 2], [L("ZeroPadding2D", padding=[[1, 0], [2, 3]]),
                                              L("Conv2D", filters=2, kernel_size=2)]))
    case("zeropad_channels_first", s([2, 5, 6], [
        L("ZeroPadding2D", padding=[1, 2], data_format="channels_first"),
        L("Reshape", target_shape=[2, 70]),
        L("ZeroPadding1D", padding=[0, 2], data_format="channels_first")]))
    relu_layers = [F("Dense", inputs="x", units=6, name="signed")]
    relu_kwargs = [{}, {"max_value": 0.2}, {"negative_slope": 0.1}, {"threshold": 0.1},
                   {"max_value": 0.3, "negative_slope": 0.2, "threshold": 0.05},
                   {"max_value": 6.0}, {"negative_slope": 0.3, "max_value": 0.25}]
    for i, kw in enumerate(relu_kwargs):
        relu_layers.append(F("ReLU", inputs="signed", name=f"relu{i}", **kw))
    case("relu_variants", numeric.fn({"x": {"shape": [4, 3]}}, relu_layers,
                                     outputs=[f"relu{i}" for i in range(len(relu_kwargs))]))
    case("leaky_elu", numeric.fn({"x": {"shape": [4, 3]}}, [
        F("Dense", inputs="x", units=5, name="signed"),
        F("LeakyReLU", inputs="signed", name="leaky"),
        F("LeakyReLU", inputs="signed", negative_slope=0.05, name="leaky2"),
        F("ELU", inputs="signed", name="elu"),
        F("ELU", inputs="signed", alpha=0.4, name="elu2")],
        outputs=["leaky", "leaky2", "elu", "elu2"]))
    case("prelu_shared", s([4, 3], [L("Dense", units=5), L("PReLU", shared_axes=[1])]))
    case("prelu_full_image", s([3, 4, 2], [L("Dense", units=2), L("PReLU")]))
    case("softmax_axes", numeric.fn({"x": {"shape": [4, 3]}}, [
        F("Softmax", inputs="x", axis=1, name="sm1"),
        F("Softmax", inputs="x", axis=[1, 2], name="sm12")], outputs=["sm1", "sm12"]))
    case("softmax_with_mask", s([5], [L("Embedding", input_dim=10, output_dim=5,
                                        mask_zero=True), L("Softmax")], dtype="int32"),
         batch=5)
    case("noise_layers_identity", s([4, 3], [
        L("GaussianNoise", stddev=0.5), L("GaussianDropout", rate=0.3),
        L("AlphaDropout", rate=0.2), L("ActivityRegularization", l1=0.1, l2=0.1),
        L("Identity"), L("Dense", units=2)]))
    case("unit_normalization", numeric.fn({"x": {"shape": [4, 3]}}, [
        F("UnitNormalization", inputs="x", name="u1"),
        F("UnitNormalization", inputs="x", axis=[1, 2], name="u2")], outputs=["u1", "u2"]))
    case("dot_variants", numeric.fn({"a": {"shape": [5, 4]}, "b": {"shape": [5, 4]},
                                     "v": {"shape": [4]}, "w": {"shape": [4]}}, [
        F("Dot", inputs=["a", "b"], axes=2, name="d2"),
        F("Dot", inputs=["a", "b"], axes=[1, 1], normalize=True, name="d11"),
        F("Dot", inputs=["v", "w"], axes=1, name="dvec"),
        F("Dot", inputs=["v", "a"], axes=[1, 2], name="dva")],
        outputs=["d2", "d11", "dvec", "dva"]))
    case("max_min_three", numeric.fn({"a": {"shape": [3, 4]}, "b": {"shape": [3, 4]},
                                      "c": {"shape": [1, 4]}}, [
        F("Maximum", inputs=["a", "b", "c"], name="mx"),
        F("Minimum", inputs=["a", "b", "c"], name="mn")], outputs=["mx", "mn"]))
    case("merge_mixed_rank", numeric.fn({"a": {"shape": [4]}, "b": {"shape": [3, 4]}}, [
        F("Add", inputs=["a", "b"], name="add"),
        F("Multiply", inputs=["b", "a"], name="mul")], outputs=["add", "mul"]))
    # -- Keras 3 merge-mask rules (issue 12) ---------------------------------------------
    for kind in ("Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum",
                 "Concatenate"):
        spec, data = _masked_merge(kind)
        case(f"mask_{kind.lower()}_both", spec, data=data)
        spec, data = _masked_merge(kind, after=[L("LSTM", units=2, return_sequences=True)])
        case(f"mask_{kind.lower()}_both_lstm", spec, data=data)
        spec, data = _masked_merge(kind, masked="first",
                                   after=[L("GlobalAveragePooling1D")])
        case(f"mask_{kind.lower()}_first_only", spec, data=data)
    for kind in ("Multiply", "Maximum", "Add"):
        spec, data = _masked_merge(kind, n=3, after=[L("GRU", units=2,
                                                       return_sequences=True)])
        case(f"mask_{kind.lower()}_three", spec, data=data)
    spec, data = _masked_merge("Dot", axes=2)
    case("mask_dot_drops_mask", spec, data=data)
    # -- CRNN stacks ---------------------------------------------------------------
    case("crnn_ocr_small", s([16, 8, 1], [
        L("Conv2D", filters=4, kernel_size=3, padding="same", activation="relu"),
        L("MaxPooling2D", pool_size=2),
        L("Conv2D", filters=6, kernel_size=3, padding="same", activation="relu"),
        L("MaxPooling2D", pool_size=[2, 2]),
        L("Reshape", target_shape=[4, 12]),
        L("Dense", units=8, activation="relu"),
        L("Bidirectional", layer=L("LSTM", units=4, return_sequences=True)),
        L("Dense", units=5, activation="softmax")]))
    case("crnn_audio_channels_first", s([1, 6, 10], [
        L("Conv2D", filters=3, kernel_size=3, padding="same",
          data_format="channels_first"),
        L("MaxPooling2D", pool_size=[1, 2], data_format="channels_first"),
        L("Permute", dims=[2, 1, 3]),
        L("Reshape", target_shape=[6, 15]),
        L("Bidirectional", layer=L("GRU", units=3, return_sequences=True)),
        L("GlobalMaxPooling1D")]))
    case("video_td_conv_lstm", s([3, 6, 6, 2], [
        L("TimeDistributed", layer=L("Conv2D", filters=3, kernel_size=3)),
        L("TimeDistributed", layer=L("GlobalAveragePooling2D")),
        L("LSTM", units=3)]))
    return cases


def record_numeric(keras: Any, out_dir: Path, only: set[str] | None) -> None:
    import torch

    torch.set_num_threads(1)
    out_dir.mkdir(parents=True, exist_ok=True)
    cases = numeric_cases()
    ids = [c["id"] for c in cases]
    assert len(ids) == len(set(ids)), "duplicate case ids"
    index_path = out_dir / "index.json"
    old = {}
    if only and index_path.exists():
        old = {m["id"]: m for m in json.loads(index_path.read_text())["models"]}
    models = []
    for c in cases:
        if only and c["id"] not in only:
            if c["id"] in old:
                models.append(old[c["id"]])
            continue
        models.append(numeric.run_case(keras, copy.deepcopy(c), out_dir))
        print(f"{c['id']}: ok", file=sys.stderr)
    index = {"keras_version": keras.__version__, "backend": keras.backend.backend(),
             "torch_version": torch.__version__.split("+")[0],
             "generated_by": "scripts/make_keras_layer_families.py", "atol": numeric.ATOL,
             "models": models}
    index_path.write_text(json.dumps(index, indent=1, sort_keys=True) + "\n")
    print(f"{len(models)} numeric models -> {out_dir}", file=sys.stderr)


# Numeric models also saved as .keras archives (config.json + model.weights.h5), so
# rnncalc's archive reader runs them with their own weights.
ARCHIVED = ("crnn_ocr_small", "sepconv1d_multiplier_same_dilation", "dwconv1d_multiplier3",
            "prelu_shared", "mask_multiply_three", "mask_maximum_both_lstm", "dot_variants",
            "conv3d_same_strides_channels_first", "zeropad2d_asym_conv")


def record_archives(keras: Any, out_dir: Path) -> None:
    import numpy as np

    by_id = {c["id"]: c for c in numeric_cases()}
    for cid in ARCHIVED:
        model = numeric.build_model(keras, copy.deepcopy(by_id[cid]["spec"]))
        with np.load(out_dir / f"{cid}.weights.npz") as saved:
            model.set_weights([saved[f"arr_{i}"] for i in range(len(saved.files))])
        model.save(out_dir / f"{cid}.keras")
        print(f"{cid}.keras: saved", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=("summary", "numeric", "archives", "all"),
                        default="all")
    parser.add_argument("--only", action="append", default=[], help="numeric model id")
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore")
    import keras

    start = time.time()
    if args.part in ("summary", "all"):
        doc = record_summaries(keras)
        SUMMARY_OUT.write_text(golden.dump(doc), encoding="utf-8")
        n_err = sum("error" in m for m in doc["models"])
        print(f"{len(doc['models'])} summary models ({n_err} refused) -> {SUMMARY_OUT}",
              file=sys.stderr)
    if args.part in ("numeric", "all"):
        record_numeric(keras, NUMERIC_OUT, set(args.only) or None)
    if args.part in ("archives", "all"):
        record_archives(keras, NUMERIC_OUT)
    print(f"done in {time.time() - start:.1f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
