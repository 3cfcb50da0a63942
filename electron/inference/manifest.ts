/**
 * `manifest.json`: the model contract written beside the ONNX files at export time (native-models/README.md has
 * the schema). Parsed strictly here; checked against the graphs when a folder is opened (modelFolder.ts).
 */
import { type JsonValue, JsonReader } from '../common/jsonReader.ts';
import type { TensorSignature } from './layouts/signature.ts';

export interface ManifestFile {
  readonly path: string;
  readonly sha256?: string;
  readonly bytes?: number;
  readonly inputs?: readonly TensorSignature[];
  readonly outputs?: readonly TensorSignature[];
  /** Weights stored outside the graph file (ONNX external data). */
  readonly external_data?: ReadonlyArray<{ readonly path: string; readonly sha256?: string }>;
}

export interface ModelManifest {
  readonly format_version: number;
  readonly name: string;
  readonly family: string;
  readonly variant?: string;
  readonly layout?: string;
  readonly input_size: number;
  readonly pixel_mean: readonly [number, number, number];
  readonly pixel_std: readonly [number, number, number];
  readonly mask_threshold: number;
  readonly demo: boolean;
  readonly files: {
    readonly encoder: ManifestFile;
    readonly decoder: ManifestFile;
    /** Optional batch decoder for automatic mask generation (native-models export.py --batch-decoder). */
    readonly decoder_batch?: ManifestFile;
  };
  readonly description?: string;
}

export const MANIFEST_FORMAT_VERSION = 1;

function readSignatures(r: JsonReader, value: JsonValue, path: string): TensorSignature[] | undefined {
  return r.optional(value, (v) =>
    r.array(v, path).map((item, i) => {
      const o = r.object(item, `${path}[${i}]`);
      const shape = r.array(o.shape, `${path}[${i}].shape`);
      if (!shape.every((d) => typeof d === 'number' || typeof d === 'string')) {
        r.fail(`${path}[${i}].shape`, 'must be an array of numbers and names');
      }
      return {
        name: r.string(o.name, `${path}[${i}].name`),
        type: r.string(o.dtype ?? o.type, `${path}[${i}].dtype`),
        shape: shape as Array<number | string>,
      };
    }),
  );
}

function readLocated(
  r: JsonReader,
  o: Record<string, JsonValue>,
  path: string,
): { path: string; sha256?: string } {
  const sha256 = r.optional(o.sha256, (v) => r.string(v, `${path}.sha256`));
  if (sha256 !== undefined && !/^[0-9a-f]{64}$/.test(sha256))
    r.fail(`${path}.sha256`, 'must be 64 hex digits');
  const relative = r.string(o.path, `${path}.path`);
  if (relative.includes('..') || relative.startsWith('/'))
    r.fail(`${path}.path`, 'must stay inside the model folder');
  return { path: relative, sha256 };
}

function readFileEntry(r: JsonReader, value: JsonValue, path: string): ManifestFile {
  const o = r.object(value, path);
  const external = r.optional(o.external_data, (v) =>
    r.array(v, `${path}.external_data`).map((e, i) => {
      const at = `${path}.external_data[${i}]`;
      return readLocated(r, r.object(e, at), at);
    }),
  );
  return {
    ...readLocated(r, o, path),
    bytes: r.optional(o.bytes, (v) => r.number(v, `${path}.bytes`)),
    inputs: readSignatures(r, o.inputs, `${path}.inputs`),
    outputs: readSignatures(r, o.outputs, `${path}.outputs`),
    external_data: external,
  };
}

export function parseManifest(file: string, text: string): ModelManifest {
  const r = new JsonReader(file);
  const root = r.object(r.parse(text), '$');
  const version = r.integer(root.format_version, '$.format_version', 1);
  if (version > MANIFEST_FORMAT_VERSION) {
    r.fail(
      '$.format_version',
      `is ${version}; this version of SAM Annotate reads up to ${MANIFEST_FORMAT_VERSION}`,
    );
  }
  const files = r.object(root.files, '$.files');
  const inputSize = r.integer(root.input_size, '$.input_size', 16);
  if (inputSize % 16 !== 0) r.fail('$.input_size', 'must be a multiple of 16');
  const triple = (v: JsonValue, path: string) => r.numbers(v, path, 3) as [number, number, number];
  return {
    format_version: version,
    name: r.string(root.name, '$.name'),
    family: r.string(root.family, '$.family'),
    variant: r.optional(root.variant, (v) => r.string(v, '$.variant')),
    layout: r.optional(root.layout, (v) => r.string(v, '$.layout')),
    input_size: inputSize,
    pixel_mean: triple(root.pixel_mean, '$.pixel_mean'),
    pixel_std: triple(root.pixel_std, '$.pixel_std'),
    mask_threshold: r.optional(root.mask_threshold, (v) => r.number(v, '$.mask_threshold')) ?? 0,
    demo: root.demo === true,
    description: typeof root.description === 'string' ? root.description : undefined,
    files: {
      encoder: readFileEntry(r, files.encoder, '$.files.encoder'),
      decoder: readFileEntry(r, files.decoder, '$.files.decoder'),
      decoder_batch: r.optional(files.decoder_batch, (v) => readFileEntry(r, v, '$.files.decoder_batch')),
    },
  };
}
