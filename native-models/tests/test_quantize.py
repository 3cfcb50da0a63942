"""sam_tools/quantize.py: which nodes the int8 rewrite replaces, what it stores, and that a rewritten product stays
within the quantization error bound of the float32 one (evaluated in numpy by the ONNX operator definitions)."""

from __future__ import annotations

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from sam_tools.quantize import QuantizeOptions, quantize_file, quantize_model, quantize_weight

K, N, M = 64, 24, 10


def _graph_model(rng: np.random.Generator) -> onnx.ModelProto:
    """x [M, K] → MatMul(w) → h → Gemm(g, transB, bias) → y; coords × a [2, N] weight (small K); h × hᵀ (no weight)."""
    w = rng.standard_normal((K, N)).astype(np.float32) * 0.1
    g = rng.standard_normal((N, N)).astype(np.float32) * 0.2  # Gemm B stored as [N_out, K_in] with transB=1
    bias = rng.standard_normal(N).astype(np.float32)
    pe = rng.standard_normal((2, N)).astype(np.float32)
    nodes = [
        helper.make_node("MatMul", ["x", "w"], ["h"], "linear"),
        helper.make_node("Gemm", ["h", "g", "bias"], ["y"], "gemm", transB=1),
        helper.make_node("MatMul", ["coords", "pe"], ["pos"], "positional"),
        helper.make_node("Transpose", ["h"], ["hT"], "t"),
        helper.make_node("MatMul", ["h", "hT"], ["attn"], "attention"),
    ]
    graph = helper.make_graph(
        nodes, "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [M, K]),
         helper.make_tensor_value_info("coords", TensorProto.FLOAT, [M, 2])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [M, N]),
         helper.make_tensor_value_info("pos", TensorProto.FLOAT, [M, N]),
         helper.make_tensor_value_info("attn", TensorProto.FLOAT, [M, M])],
        [numpy_helper.from_array(w, "w"), numpy_helper.from_array(g, "g"), numpy_helper.from_array(bias, "bias"),
         numpy_helper.from_array(pe, "pe")],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def _dynamic_quantize_linear(x: np.ndarray):
    """ONNX DynamicQuantizeLinear, as the operator spec defines it (uint8, range including 0)."""
    lo, hi = min(0.0, float(x.min())), max(0.0, float(x.max()))
    scale = np.float32((hi - lo) / 255)
    zero = np.uint8(np.clip(np.rint(-lo / scale), 0, 255))
    return np.clip(np.rint(x / scale) + zero, 0, 255).astype(np.uint8), scale, zero


def _run(model: onnx.ModelProto, feeds: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """A numpy interpreter for the ops these graphs use; every tensor by name."""
    env = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer} | dict(feeds)
    for node in model.graph.node:
        a = [env[n] if n else None for n in node.input]
        attrs = {x.name: helper.get_attribute_value(x) for x in node.attribute}
        if node.op_type == "MatMul":
            out = [a[0] @ a[1]]
        elif node.op_type == "Gemm":
            b = a[1].T if attrs.get("transB") else a[1]
            out = [a[0] @ b + (a[2] if len(a) > 2 else 0)]
        elif node.op_type == "Transpose":
            out = [a[0].T]
        elif node.op_type == "DynamicQuantizeLinear":
            out = list(_dynamic_quantize_linear(a[0]))
        elif node.op_type == "MatMulInteger":
            out = [(a[0].astype(np.int32) - a[2].astype(np.int32)) @ (a[1].astype(np.int32) - a[3].astype(np.int32))]
        elif node.op_type == "Cast":
            out = [a[0].astype(np.float32)]
        elif node.op_type == "Mul":
            out = [np.multiply(a[0], a[1], dtype=np.float32)]
        elif node.op_type == "Add":
            out = [a[0] + a[1]]
        else:
            raise AssertionError(f"unexpected op {node.op_type}")
        env.update(zip(node.output, out))
    return env


@pytest.fixture
def model():
    return _graph_model(np.random.default_rng(0))


def test_replaces_weight_products_only(model):
    report = quantize_model(model)
    onnx.checker.check_model(model)
    ops = [n.op_type for n in model.graph.node]
    assert sorted(report.quantized) == ["gemm", "linear"]
    assert set(report.skipped) == {"positional", "attention"}
    assert ops.count("MatMulInteger") == 2 and ops.count("DynamicQuantizeLinear") == 2
    assert ops.count("MatMul") == 2 and "Gemm" not in ops  # positional + attention stay float
    assert [i.name for i in model.graph.input] == ["x", "coords"]
    assert [o.name for o in model.graph.output] == ["y", "pos", "attn"]
    inits = {i.name: i for i in model.graph.initializer}
    assert "w" not in inits and "g" not in inits  # float weights nothing reads any more are gone
    assert inits["pe"].data_type == TensorProto.FLOAT and inits["bias"].data_type == TensorProto.FLOAT
    assert inits["w_quantized"].data_type == TensorProto.INT8 and list(inits["w_quantized"].dims) == [K, N]
    assert inits["g_quantized"].data_type == TensorProto.INT8 and list(inits["g_quantized"].dims) == [N, N]
    assert inits["w_scale"].data_type == TensorProto.FLOAT and list(inits["w_scale"].dims) == [N]  # per column
    assert report.weight_bytes_after < report.weight_bytes_before / 3


def test_rewritten_products_stay_within_the_quantization_bound(model):
    rng = np.random.default_rng(1)
    feeds = {"x": rng.standard_normal((M, K)).astype(np.float32), "coords": rng.random((M, 2), np.float32)}
    w = numpy_helper.to_array(next(i for i in model.graph.initializer if i.name == "w"))
    reference = _run(model, feeds)
    quantize_model(model)
    got = _run(model, feeds)
    # One product: |x·w − x_q·w_q| ≤ Σ_k |x_k| δw + |w_k| δx + δx δw, δ = half a quantization step.
    _, w_scale = quantize_weight(w, per_channel=True, reduce_range=True)
    x = feeds["x"]
    _, x_scale, _ = _dynamic_quantize_linear(x)
    dx, dw = x_scale / 2, w_scale / 2
    bound = np.abs(x) @ np.broadcast_to(dw, w.shape) + dx * np.abs(w).sum(axis=0) + K * dx * dw
    error = np.abs(got["h"] - x @ w)  # "h": the output of the rewritten MatMul, by its own name
    assert np.all(error <= bound * 1.0001)
    assert error.max() > 0  # the rewrite really is quantized
    np.testing.assert_array_equal(got["pos"], reference["pos"])  # small-K product untouched
    assert np.abs(got["y"] - reference["y"]).max() < 0.05 * np.abs(reference["y"]).max()


def test_weight_quantization_is_symmetric_per_column():
    w = np.array([[1.0, -0.5], [-2.0, 0.3], [0.5, 0.0]], np.float32)
    q, scale = quantize_weight(w, per_channel=True, reduce_range=True)
    np.testing.assert_allclose(scale, [2.0 / 63, 0.5 / 63])
    assert q.dtype == np.int8 and q[1, 0] == -63 and q[1, 1] == 38 and q[2, 1] == 0
    q, scale = quantize_weight(w, per_channel=False, reduce_range=False)
    assert scale.shape == () and np.isclose(scale, 2.0 / 127) and q[1, 0] == -127
    q, scale = quantize_weight(np.zeros((2, 2), np.float32), per_channel=True, reduce_range=True)
    assert np.all(q == 0) and np.all(scale > 0)  # an all-zero column gets a harmless scale, not a division by 0


def test_shared_weight_is_quantized_once():
    w = numpy_helper.from_array(np.ones((K, N), np.float32), "w")
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["a", "w"], ["y1"]), helper.make_node("MatMul", ["b", "w"], ["y2"])], "g",
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, [1, K]) for n in "ab"],
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, [1, N]) for n in ("y1", "y2")], [w])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    quantize_model(model)
    onnx.checker.check_model(model)
    assert [i.name for i in model.graph.initializer].count("w_quantized") == 1
    assert len(model.graph.initializer) == 3  # w_quantized, w_scale, w_zero_point


def test_contrib_op_form(model):
    quantize_model(model, QuantizeOptions(op="dynamic-quantize-matmul"))
    fused = [n for n in model.graph.node if n.op_type == "DynamicQuantizeMatMul"]
    assert len(fused) == 2 and all(n.domain == "com.microsoft" for n in fused)
    assert list(next(n for n in fused if n.output[0] == "y").input) == ["h", "g_quantized", "g_scale",
                                                                       "g_zero_point", "bias"]
    assert any(o.domain == "com.microsoft" for o in model.opset_import)


def test_refuses_a_quantized_graph(model):
    quantize_model(model)
    with pytest.raises(ValueError, match="already quantized"):
        quantize_model(model)


def test_external_data_model_keeps_its_weights_outside(tmp_path, model):
    src = tmp_path / "src" / "encoder.onnx"
    src.parent.mkdir()
    onnx.save_model(model, str(src), save_as_external_data=True, all_tensors_to_one_file=True,
                    location="encoder.onnx.data", size_threshold=0)
    dst = tmp_path / "out" / "encoder.onnx"
    dst.parent.mkdir()
    report = quantize_file(src, dst)
    assert report["external_data"] == "encoder.onnx.data" and (dst.parent / "encoder.onnx.data").is_file()
    header = onnx.load(str(dst), load_external_data=False)
    assert any(i.data_location == TensorProto.EXTERNAL for i in header.graph.initializer)
    loaded = onnx.load(str(dst))
    onnx.checker.check_model(loaded)
    assert [o.name for o in loaded.graph.output] == ["y", "pos", "attn"]
    assert report["quantized"] == 2
