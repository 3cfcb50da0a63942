#!/usr/bin/python3
"""Dynamic int8 quantization of an ONNX graph's MatMul / Gemm weights (issue 15, `sam-annotate convert --quantize`).

The same rewrite onnxruntime's `quantize_dynamic` does in its IntegerOps mode, in plain `onnx` + numpy (this
machine's Python has no onnxruntime): every MatMul / Gemm whose second input B [K, N] is a float32 initializer
becomes

    A ─ DynamicQuantizeLinear ─ A_q (uint8), a_scale, a_zero ─┐
    B_q (int8 initializer), 0 ───────────────────────────────── MatMulInteger ─ Cast(float) ─ Mul ─ (Add bias) ─ Y
    a_scale ─ Mul(b_scale) ─────────────────────────────────────────────────────────────────┘

or, with `op="dynamic-quantize-matmul"`, one com.microsoft DynamicQuantizeMatMul(A, B_q, b_scale, 0, bias)
(an onnxruntime CPU contrib kernel). onnxruntime's graph optimizer fuses the first form into the second, so
both run the same kernel; the first is plain ONNX.

Weights are symmetric (zero point 0): per output column (`per_channel`, one scale per N) or one scale per
tensor. `reduce_range` keeps them in [-63, 63] (7 bits), as onnxruntime does for MatMul: x86 CPUs without VNNI
multiply uint8 × int8 pairs with VPMADDUBSW, whose int16 sum saturates for full-range weights. Activations are
quantized per call by DynamicQuantizeLinear (uint8, asymmetric, range from the tensor's min/max).

Left in float32: Conv (dynamic Conv quantization is slow), MatMuls of two activations (attention), weights with
fewer than `min_inner` rows (SAM's prompt encoder multiplies 2-D coordinates by a [2, 128] Gaussian matrix:
quantizing coordinates to 8 bits moves the positional encoding's phase by up to ~0.05 rad × frequency; those
products are tiny anyway). Graph inputs, outputs and every kept tensor name stay as they were.

    /usr/bin/python3 native-models/sam_tools/quantize.py SRC.onnx DST.onnx [--per-tensor] [--full-range]
prints one summary line; `--report FILE` writes the JSON report (quantized / skipped nodes, bytes).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPS = ("matmul-integer", "dynamic-quantize-matmul")
MS_DOMAIN = "com.microsoft"
# protobuf's hard limit for one serialized message; larger models keep their weights in a .data file.
PROTOBUF_LIMIT = 2**31 - 1


@dataclass
class QuantizeOptions:
    per_channel: bool = True
    reduce_range: bool = True
    op: str = "matmul-integer"
    min_inner: int = 16


@dataclass
class QuantizeReport:
    quantized: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    weight_bytes_before: int = 0
    weight_bytes_after: int = 0

    def as_json(self) -> dict:
        return {
            "quantized": len(self.quantized),
            "quantized_nodes": self.quantized,
            "skipped": self.skipped,
            "weight_bytes_before": self.weight_bytes_before,
            "weight_bytes_after": self.weight_bytes_after,
        }


def quantize_weight(w: np.ndarray, per_channel: bool, reduce_range: bool) -> tuple[np.ndarray, np.ndarray]:
    """B [K, N] float32 → (B_q [K, N] int8, scale float32 [N] or scalar []), B ≈ B_q × scale, zero point 0."""
    qmax = 63 if reduce_range else 127
    peak = np.abs(w).max(axis=0) if per_channel else np.abs(w).max()
    scale = (np.where(peak > 0, peak, 1.0) / qmax).astype(np.float32)
    q = np.clip(np.rint(w / scale), -qmax, qmax).astype(np.int8)
    return q, np.asarray(scale, dtype=np.float32)


class _Names:
    """Fresh tensor / node names that collide with nothing in the graph."""

    def __init__(self, graph: onnx.GraphProto):
        self.used = {i.name for i in graph.initializer} | {i.name for i in graph.input}
        for node in graph.node:
            self.used.update(node.output)
            self.used.add(node.name)

    def fresh(self, base: str) -> str:
        name, i = base, 1
        while name in self.used:
            name, i = f"{base}_{i}", i + 1
        self.used.add(name)
        return name


def _consumers(graph: onnx.GraphProto) -> dict[str, int]:
    """How many node inputs (subgraphs included) and graph outputs read each tensor name."""
    counts: dict[str, int] = {}

    def visit(g: onnx.GraphProto) -> None:
        for node in g.node:
            for name in node.input:
                counts[name] = counts.get(name, 0) + 1
            for attr in node.attribute:
                for sub in [attr.g] if attr.HasField("g") else list(attr.graphs):
                    visit(sub)
        for out in g.output:
            counts[out.name] = counts.get(out.name, 0) + 1

    visit(graph)
    return counts


def _attr(node: onnx.NodeProto, name: str, default):
    for a in node.attribute:
        if a.name == name:
            return helper.get_attribute_value(a)
    return default


def _weight_of(node: onnx.NodeProto, inits: dict[str, onnx.TensorProto]) -> tuple[np.ndarray | None, str]:
    """The node's B as [K, N] float32 (Gemm's transB applied), or None and why it stays float."""
    if len(node.input) < 2 or node.input[1] not in inits:
        return None, "B is not a constant initializer"
    tensor = inits[node.input[1]]
    if tensor.data_type != TensorProto.FLOAT:
        return None, f"B is {TensorProto.DataType.Name(tensor.data_type)}, not FLOAT"
    if len(tensor.dims) != 2:
        return None, f"B has {len(tensor.dims)} dimensions, not 2"
    if node.op_type == "Gemm":
        if _attr(node, "transA", 0) or _attr(node, "alpha", 1.0) != 1.0 or _attr(node, "beta", 1.0) != 1.0:
            return None, "Gemm with transA, alpha or beta"
        if len(node.input) > 2 and node.input[2] and node.input[2] not in inits:
            return None, "Gemm bias C is not a constant initializer"
    w = numpy_helper.to_array(tensor)
    if node.op_type == "Gemm" and _attr(node, "transB", 0):
        w = w.T
    return np.ascontiguousarray(w), ""


def quantize_model(model: onnx.ModelProto, options: QuantizeOptions | None = None) -> QuantizeReport:
    """Rewrite `model` in place (module doc); weights must be loaded (onnx.load's default). Returns the report."""
    options = options or QuantizeOptions()
    if options.op not in OPS:
        raise ValueError(f"op must be one of {', '.join(OPS)}, not {options.op}")
    graph = model.graph
    if any(n.op_type in ("MatMulInteger", "DynamicQuantizeMatMul", "DynamicQuantizeLinear") for n in graph.node):
        raise ValueError("the graph is already quantized (it has MatMulInteger / DynamicQuantize* nodes)")
    inits = {i.name: i for i in graph.initializer}
    names = _Names(graph)
    report = QuantizeReport()
    quantized_weights: dict[str, tuple[str, str, str]] = {}  # B name (+transB) → B_q, b_scale, b_zero
    new_nodes: list[onnx.NodeProto] = []
    new_inits: list[onnx.TensorProto] = []
    for node in graph.node:
        if node.op_type not in ("MatMul", "Gemm"):
            new_nodes.append(node)
            continue
        label = node.name or node.output[0]
        w, why = _weight_of(node, inits)
        if w is not None and w.shape[0] < options.min_inner:
            w, why = None, f"K = {w.shape[0]} < {options.min_inner} (positional-encoding-sized product)"
        if w is None:
            report.skipped[label] = why
            new_nodes.append(node)
            continue
        key = node.input[1] + ("/T" if node.op_type == "Gemm" and _attr(node, "transB", 0) else "")
        if key not in quantized_weights:
            q, scale = quantize_weight(w, options.per_channel, options.reduce_range)
            base = node.input[1]
            b_q, b_scale, b_zero = names.fresh(f"{base}_quantized"), names.fresh(f"{base}_scale"), names.fresh(
                f"{base}_zero_point")
            new_inits += [numpy_helper.from_array(q, b_q), numpy_helper.from_array(scale, b_scale),
                          numpy_helper.from_array(np.zeros((), np.int8), b_zero)]
            quantized_weights[key] = (b_q, b_scale, b_zero)
            report.weight_bytes_before += w.size * 4
            report.weight_bytes_after += q.size + scale.size * 4
        b_q, b_scale, b_zero = quantized_weights[key]
        bias = node.input[2] if node.op_type == "Gemm" and len(node.input) > 2 and node.input[2] else None
        new_nodes += _rewrite(node, b_q, b_scale, b_zero, bias, options.op, names)
        report.quantized.append(label)
    del graph.node[:]
    graph.node.extend(new_nodes)
    graph.initializer.extend(new_inits)
    # fp32 weights nothing reads any more (every reader was rewritten) leave the file.
    readers = _consumers(graph)
    kept = [i for i in graph.initializer if readers.get(i.name, 0) > 0]
    del graph.initializer[:]
    graph.initializer.extend(kept)
    if options.op == "dynamic-quantize-matmul" and report.quantized and not any(
            o.domain == MS_DOMAIN for o in model.opset_import):
        model.opset_import.append(helper.make_opsetid(MS_DOMAIN, 1))
    return report


def _rewrite(node, b_q, b_scale, b_zero, bias, op, names: _Names) -> list[onnx.NodeProto]:
    """The nodes that replace one MatMul / Gemm; the last writes the node's own output name."""
    a, out, base = node.input[0], node.output[0], node.name or node.output[0]
    if op == "dynamic-quantize-matmul":
        inputs = [a, b_q, b_scale, b_zero] + ([bias] if bias else [])
        return [helper.make_node("DynamicQuantizeMatMul", inputs, [out], names.fresh(f"{base}_quant"),
                                 domain=MS_DOMAIN)]
    a_q, a_scale, a_zero = (names.fresh(f"{a}_quantized"), names.fresh(f"{a}_scale"), names.fresh(f"{a}_zero_point"))
    acc, acc_f, scales = names.fresh(f"{out}_int32"), names.fresh(f"{out}_int32_float"), names.fresh(f"{out}_scales")
    product = names.fresh(f"{out}_unbiased") if bias else out
    nodes = [
        helper.make_node("DynamicQuantizeLinear", [a], [a_q, a_scale, a_zero], names.fresh(f"{base}_quantize_a")),
        helper.make_node("MatMulInteger", [a_q, b_q, a_zero, b_zero], [acc], names.fresh(f"{base}_quant")),
        helper.make_node("Cast", [acc], [acc_f], names.fresh(f"{base}_cast"), to=TensorProto.FLOAT),
        helper.make_node("Mul", [a_scale, b_scale], [scales], names.fresh(f"{base}_scales_mul")),
        helper.make_node("Mul", [acc_f, scales], [product], names.fresh(f"{base}_output_scale_mul")),
    ]
    if bias:
        nodes.append(helper.make_node("Add", [product, bias], [out], names.fresh(f"{base}_bias_add")))
    return nodes


def quantize_file(src: Path, dst: Path, options: QuantizeOptions | None = None) -> dict:
    """Quantize the ONNX file `src` (external data beside it is read) into `dst`, whose folder must exist (a
    caller that removed it meanwhile gets an error, not a recreated folder). Weights go to `<dst>.data` when
    `src` kept its weights outside or the result would pass protobuf's 2 GB limit."""
    model = onnx.load(str(src), load_external_data=False)
    external = any(i.data_location == TensorProto.EXTERNAL for i in model.graph.initializer)
    if external:
        onnx.load_external_data_for_model(model, str(src.parent))
    report = quantize_model(model, options)
    payload = sum(len(i.raw_data) or i.ByteSize() for i in model.graph.initializer)
    data_file = None
    if external or payload > PROTOBUF_LIMIT - 64 * 2**20:
        data_file = dst.name + ".data"
        if (dst.parent / data_file).exists():
            os.remove(dst.parent / data_file)  # save_model appends to an existing data file
        onnx.save_model(model, str(dst), save_as_external_data=True, all_tensors_to_one_file=True,
                        location=data_file, size_threshold=1024)
    else:
        onnx.save_model(model, str(dst))
    return {**report.as_json(), "external_data": data_file}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="MatMul/Gemm-only dynamic int8 quantization of an ONNX file.")
    parser.add_argument("src", type=Path)
    parser.add_argument("dst", type=Path)
    parser.add_argument("--per-tensor", action="store_true", help="one weight scale per tensor (default: per column)")
    parser.add_argument("--full-range", action="store_true", help="8-bit weights (default 7: no VPMADDUBSW overflow)")
    parser.add_argument("--op", choices=OPS, default="matmul-integer")
    parser.add_argument("--min-inner", type=int, default=16, help="leave products with fewer rows K in float32")
    parser.add_argument("--report", type=Path, help="also write the JSON report to this file")
    args = parser.parse_args(argv)
    options = QuantizeOptions(per_channel=not args.per_tensor, reduce_range=not args.full_range, op=args.op,
                              min_inner=args.min_inner)
    try:
        report = quantize_file(args.src, args.dst, options)
    except (ValueError, OSError, onnx.checker.ValidationError) as error:
        print(f"error: {args.src}: {error}", file=sys.stderr)
        return 1
    if args.report:
        args.report.write_text(json.dumps(report))
    print(f"{args.dst}: {report['quantized']} MatMul/Gemm quantized, {len(report['skipped'])} left in float32")
    return 0


if __name__ == "__main__":
    sys.exit(main())
