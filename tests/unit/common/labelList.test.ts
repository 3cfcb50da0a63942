import { describe, expect, it } from 'vitest';
import { parseLabelList } from '../../../electron/common/labelList.ts';

describe('parseLabelList (issue 17: import labels)', () => {
  it('reads one name per line (labels.txt, classes.txt): trimmed, blank lines and a BOM ignored, repeats reported', () => {
    expect(parseLabelList('\uFEFFcat\r\n dog \n\n\ncat\nbird\n', 'labels.txt')).toEqual({
      names: ['cat', 'dog', 'bird'],
      repeated: ['cat'],
    });
  });

  it('reads a COCO categories block, a bare array of categories, or an array of names', () => {
    const coco = JSON.stringify({
      images: [],
      categories: [
        { id: 3, name: 'car' },
        { id: 1, name: 'bus' },
      ],
    });
    expect(parseLabelList(coco, 'instances.json').names).toEqual(['car', 'bus']);
    expect(parseLabelList('[{"name":"a"},{"name":"b"}]', 'c.json').names).toEqual(['a', 'b']);
    expect(parseLabelList('["x", "y", "x"]', 'n.json')).toEqual({ names: ['x', 'y'], repeated: ['x'] });
  });

  it('names the file and the problem for bad input', () => {
    expect(() => parseLabelList('{"categories": [', 'bad.json')).toThrow(/^bad\.json: not valid JSON/);
    expect(() => parseLabelList('{"images": []}', 'i.json')).toThrow(/i\.json: expected a "categories" list/);
    expect(() => parseLabelList('{"categories": [{"id": 1}]}', 'c.json')).toThrow(
      /c\.json: \.categories\[0\]\.name is missing or not a string/,
    );
    expect(() => parseLabelList('\n  \n', 'empty.txt')).toThrow(/empty\.txt: no labels in it/);
    expect(() => parseLabelList('x'.repeat(201), 'long.txt')).toThrow(
      /long\.txt: label 1 is longer than 200/,
    );
  });
});
