/** Name, element type and shape of one graph input or output, as onnxruntime or the ONNX header reports it. */
export interface TensorSignature {
  readonly name: string;
  /** 'float32', 'int64', …; 'non-tensor' for sequences and maps. */
  readonly type: string;
  /** Numbers for fixed dimensions, strings for symbolic ones; empty when unknown. */
  readonly shape: ReadonlyArray<number | string>;
}

export interface GraphSignature {
  readonly inputs: readonly TensorSignature[];
  readonly outputs: readonly TensorSignature[];
}

/** One ONNX file of a model folder and its signature. */
export interface ModelGraph {
  readonly file: string;
  readonly graph: GraphSignature;
  /** ONNX external-data files the graph's weights live in, relative to the graph file. */
  readonly externalFiles?: readonly string[];
}

export function formatSignature(s: TensorSignature): string {
  return `${s.name}: ${s.type}[${s.shape.join(',')}]`;
}

export function formatGraph(g: GraphSignature): string {
  return `inputs (${g.inputs.map(formatSignature).join('; ')}) → outputs (${g.outputs.map(formatSignature).join('; ')})`;
}
