/**
 * Means over channels as 1×1 convolutions (issue 16). Meta's `LayerNorm2d` (SAM 1 and SAM 2 decoders: the
 * mask-input downscaling and the output upscaling) exports as `ReduceMean(axes=[1])` on NCHW tensors, a strided
 * reduction that onnxruntime's CPU kernel runs ~5× slower than a 1×1 `Conv` with weights 1/C, which computes the
 * same mean: Σ x_c·(1/C) equals (Σ x_c)/C when C is a power of two (every SAM decoder's: 4, 16, 32, 64), up to the
 * order in which the kernels add in float32 (the ViT-B and Hiera-T decoders gave identical outputs). In the SAM
 * 2.1 decoder the two upscaling means were ~14 % of a click, in SAM 1's ~9 %.
 *
 * Only a ReduceMean whose channel count C is certain is replaced: its input is traced back through elementwise
 * ops to 2-D Conv / ConvTranspose weights or rank-4 graph inputs that give C (and every other operand of those ops
 * is known to broadcast within C channels). Anything else stays as exported.
 */
import { type OnnxGraph, type OnnxNode, parseOnnxGraph, rebuildModel } from './onnxGraph.ts';
import type { Field } from './protoFields.ts';
import { concatBytes, lengthField, stringField, varintField } from './protoFields.ts';

/** Ops whose output has the broadcast shape of their inputs. */
const ELEMENTWISE = new Set([
  'Add',
  'Sub',
  'Mul',
  'Div',
  'Pow',
  'Sqrt',
  'Relu',
  'Erf',
  'Gelu',
  'Sigmoid',
  'Tanh',
  'Neg',
  'Abs',
  'Identity',
]);

export interface ChannelMeansEdit {
  readonly bytes: Uint8Array;
  /** ReduceMean nodes replaced. */
  readonly replaced: number;
}

function attribute(node: OnnxNode, name: string) {
  return node.attributes.find((a) => a.name === name);
}

/** `ReduceMean(x, axes=[1], keepdims=1)` of opset < 18 (axes as an attribute), nothing else. */
function isChannelMean(node: OnnxNode): boolean {
  if (node.opType !== 'ReduceMean' || node.domain !== '' || node.inputs.length !== 1) return false;
  const axes = attribute(node, 'axes');
  const keepdims = attribute(node, 'keepdims');
  const known = node.attributes.every((a) => a.name === 'axes' || a.name === 'keepdims');
  return known && axes?.ints.length === 1 && axes.ints[0] === 1 && (!keepdims || keepdims.ints[0] === 1);
}

/**
 * Channel count of a rank-4 NCHW tensor, when the graph makes it certain; undefined otherwise. Rank ≤ 3
 * constants broadcast along the trailing axes, so their channel count is 1 unless they have 3 dims.
 */
function channelResolver(graph: OnnxGraph) {
  const producer = new Map<string, OnnxNode>();
  for (const n of graph.nodes) for (const o of n.outputs) producer.set(o, n);
  const memo = new Map<string, number | undefined>();
  /** Channels a constant of these dims broadcasts to in an NCHW op, or undefined when it does not fit. */
  const constantChannels = (dims: readonly number[]) =>
    dims.length > 4 ? undefined : dims.length >= 3 ? dims[dims.length - 3] : 1;
  const channels = (name: string, depth: number): number | undefined => {
    if (memo.has(name)) return memo.get(name);
    const dims = graph.initializers.get(name);
    if (dims) return constantChannels(dims);
    const node = producer.get(name);
    const input = graph.inputShapes.get(name);
    let c: number | undefined;
    if (input) c = input.length === 4 ? input[1] : undefined;
    else if (!node || node.domain !== '' || depth > 16) c = undefined;
    else if (node.opType === 'Constant') {
      const value = node.attributes.find((a) => a.name === 'value')?.tensorDims;
      c = value ? constantChannels(value) : undefined;
    } else if (node.opType === 'Conv' || node.opType === 'ConvTranspose') {
      const w = graph.initializers.get(node.inputs[1] ?? '');
      const group = attribute(node, 'group')?.ints[0] ?? 1;
      if (w?.length === 4) c = node.opType === 'Conv' ? w[0] : w[1]! * group;
    } else if (isChannelMean(node)) c = channels(node.inputs[0]!, depth + 1) === undefined ? undefined : 1;
    else if (ELEMENTWISE.has(node.opType)) {
      const each = node.inputs.filter(Boolean).map((i) => channels(i, depth + 1));
      const known = each.filter((x): x is number => x !== undefined);
      const max = Math.max(...known);
      // Broadcasting: every operand has the output's channel count or 1.
      const fits = known.length === each.length && known.every((x) => x === max || x === 1);
      // An elementwise op needs one rank-4 operand from a convolution to be NCHW at all.
      c = fits && each.length > 0 && node.inputs.some((i) => rank4(i, depth + 1)) ? max : undefined;
    }
    memo.set(name, c);
    return c;
  };
  /** The tensor comes out of a 2-D convolution, possibly through elementwise ops and channel means. */
  const rank4 = (name: string, depth: number): boolean => {
    const input = graph.inputShapes.get(name);
    if (input) return input.length === 4;
    const node = producer.get(name);
    if (!node || depth > 16) return false;
    if (node.opType === 'Conv' || node.opType === 'ConvTranspose')
      return graph.initializers.get(node.inputs[1] ?? '')?.length === 4;
    if (isChannelMean(node) || ELEMENTWISE.has(node.opType))
      return node.inputs.some((i) => i && rank4(i, depth + 1));
    return false;
  };
  return (name: string) => (rank4(name, 0) ? channels(name, 0) : undefined);
}

function weightName(c: number): string {
  return `sam_annotate/channel_mean_${c}`;
}

/** TensorProto{dims [1, C, 1, 1], data_type FLOAT, name, raw_data 1/C…} as a graph initializer field. */
function meanWeights(c: number): Uint8Array {
  const values = new Float32Array(c).fill(1 / c);
  const raw = new Uint8Array(values.buffer);
  const tensor = concatBytes([
    ...[1, c, 1, 1].map((d) => varintField(1, d)),
    varintField(2, 1), // FLOAT
    stringField(8, weightName(c)),
    lengthField(9, raw),
  ]);
  return lengthField(5, tensor);
}

/** NodeProto{input [x, W], output, name, op_type Conv} in place of the ReduceMean. */
function convNode(node: OnnxNode, c: number, index: number): Uint8Array {
  return lengthField(
    1,
    concatBytes([
      stringField(1, node.inputs[0]!),
      stringField(1, weightName(c)),
      stringField(2, node.outputs[0]!),
      stringField(3, `sam_annotate/channel_mean_as_conv_${index}`),
      stringField(4, 'Conv'),
    ]),
  );
}

/**
 * The model with every channel mean whose C is certain computed as a 1×1 Conv; undefined when there is none.
 * Throws GraphEditError (protoFields.ts) on a graph it cannot read.
 */
export function channelMeansAsConv(model: Uint8Array): ChannelMeansEdit | undefined {
  const graph = parseOnnxGraph(model);
  const resolve = channelResolver(graph);
  const replace = new Map<Field, Uint8Array>();
  const sizes = new Set<number>();
  for (const node of graph.nodes) {
    if (!isChannelMean(node) || node.outputs.length !== 1) continue;
    const c = resolve(node.inputs[0]!);
    if (!c || !Number.isInteger(c) || c < 1) continue;
    if (graph.initializers.has(weightName(c))) continue; // already edited
    replace.set(node.field, convNode(node, c, replace.size));
    sizes.add(c);
  }
  if (replace.size === 0) return undefined;
  return {
    bytes: rebuildModel(graph, { replace, append: [...sizes].map(meanWeights) }),
    replaced: replace.size,
  };
}
