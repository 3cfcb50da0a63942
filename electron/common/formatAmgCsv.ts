/**
 * `metadata.csv` of Meta's `scripts/amg.py` (binary-mask output: one `<i>.png` per mask plus this file), byte for
 * byte: the same header, values as Python's `str()` prints them, rows joined by "\n" without a final newline.
 * bbox is SAM's convention (see formatSa1b.ts), ints; point and scores are floats.
 */
import type { Sa1bAnnotation } from './formatSa1b.ts';

export const AMG_CSV_HEADER =
  'id,area,bbox_x0,bbox_y0,bbox_w,bbox_h,point_input_x,point_input_y,predicted_iou,stability_score,crop_box_x0,crop_box_y0,crop_box_w,crop_box_h';

export function amgCsv(annotations: readonly Sa1bAnnotation[]): string {
  const rows = annotations.map((a, i) =>
    [
      String(i),
      String(a.area),
      ...a.bbox.map(pythonNumber),
      ...a.point_coords[0]!.map(pythonFloat),
      pythonFloat(a.predicted_iou),
      pythonFloat(a.stability_score),
      ...a.crop_box.map(pythonNumber),
    ].join(','),
  );
  return [AMG_CSV_HEADER, ...rows].join('\n');
}

/** Python's `str(int)` for integers, `str(float)` otherwise. */
export function pythonNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : pythonFloat(value);
}

/**
 * Python's `str(float)` (`repr`): the shortest digits that round-trip (as JavaScript's), written in positional
 * notation with at least one decimal ("300.0") when 1e-4 ≤ |x| < 1e16, else as "1.5e-05" / "1e+16".
 */
export function pythonFloat(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const [mantissa, exp] = value.toExponential().split('e') as [string, string];
  const exponent = Number(exp);
  const sign = mantissa.startsWith('-') ? '-' : '';
  const digits = mantissa.replace('-', '').replace('.', '');
  if (exponent < -4 || exponent >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  const point = exponent + 1; // digits before the decimal point
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}.0`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}
