/**
 * Prompt sets for one image, in the form of the conformance data's `prompts` (Meta's predictor arguments):
 * `[{ name, point_coords: [[x, y], …] | null, point_labels: [1|0, …] | null, box: [x0, y0, x1, y1] | null,
 *     multimask_output: bool, mask_input_from: { prompt: <earlier name>, candidate: N } | null }]`
 * or an object with such a `prompts` array, or the conformance `index.json` itself (`images` keyed by name, each
 * with a `file` and `prompts`: the entry whose file is the image's is used). Coordinates are original-image pixels.
 */
import { imageBox, imagePoint } from '../common/frames.ts';
import { type JsonValue, JsonReader } from '../common/jsonReader.ts';
import type { PointPrompt } from '../common/prompts.ts';

export interface PromptSet {
  readonly name: string;
  readonly points: readonly PointPrompt[];
  readonly box?: ReturnType<typeof imageBox>;
  readonly multimask: boolean;
  readonly maskInputFrom?: { readonly prompt: string; readonly candidate: number };
}

/** The prompt array and its JSON path, from any of the accepted shapes. */
function locatePrompts(
  r: JsonReader,
  root: JsonValue,
  imageName: string | undefined,
): { list: JsonValue[]; base: string } {
  if (Array.isArray(root)) return { list: root, base: '$' };
  const o = r.object(root, '$');
  if (o.images === undefined) return { list: r.array(o.prompts, '$.prompts'), base: '$.prompts' };
  const images = r.object(o.images, '$.images');
  const match = Object.entries(images).find(([, v]) => r.object(v, '$.images').file === imageName);
  if (!match) r.fail('$.images', `has no entry whose "file" is ${imageName ?? 'the image'}`);
  return {
    list: r.array(r.object(match[1], `$.images.${match[0]}`).prompts, `$.images.${match[0]}.prompts`),
    base: `$.images.${match[0]}.prompts`,
  };
}

/** `imageName` (the image's file name) selects the entry of a conformance-style index. */
export function parsePromptSets(file: string, text: string, imageName?: string): PromptSet[] {
  const r = new JsonReader(file);
  const { list, base } = locatePrompts(r, r.parse(text), imageName);
  const names = new Set<string>();
  return list.map((item: JsonValue, i) => {
    const at = `${base}[${i}]`;
    const o = r.object(item, at);
    const name = r.string(o.name, `${at}.name`);
    if (names.has(name)) r.fail(`${at}.name`, `"${name}" is used twice`);
    const coords = r.optional(o.point_coords, (v) => r.array(v, `${at}.point_coords`)) ?? [];
    const labels = r.optional(o.point_labels, (v) => r.array(v, `${at}.point_labels`)) ?? [];
    if (coords.length !== labels.length)
      r.fail(`${at}.point_labels`, `must have one label per point (${coords.length})`);
    const points = coords.map((c, j) => {
      const [x, y] = r.numbers(c, `${at}.point_coords[${j}]`, 2) as [number, number];
      const label = labels[j];
      if (label !== 0 && label !== 1)
        r.fail(`${at}.point_labels[${j}]`, 'must be 1 (positive) or 0 (negative)');
      return { point: imagePoint(x, y), label } as PointPrompt;
    });
    const box = r.optional(o.box, (v) => {
      const [x0, y0, x1, y1] = r.numbers(v, `${at}.box`, 4) as [number, number, number, number];
      if (!(x1 >= x0 && y1 >= y0)) r.fail(`${at}.box`, 'must be [x0, y0, x1, y1] with x1 ≥ x0 and y1 ≥ y0');
      return imageBox(x0, y0, x1, y1);
    });
    if (points.length === 0 && !box) r.fail(at, 'needs point_coords or a box');
    const multimask = r.optional(o.multimask_output, (v) => r.boolean(v, `${at}.multimask_output`)) ?? true;
    const maskInputFrom = r.optional(o.mask_input_from, (v) => {
      const m = r.object(v, `${at}.mask_input_from`);
      const prompt = r.string(m.prompt, `${at}.mask_input_from.prompt`);
      if (!names.has(prompt))
        r.fail(`${at}.mask_input_from.prompt`, `"${prompt}" is not an earlier prompt set`);
      return { prompt, candidate: r.integer(m.candidate, `${at}.mask_input_from.candidate`, 0) };
    });
    names.add(name);
    return { name, points, box, multimask, maskInputFrom };
  });
}
