/**
 * A label list to import as categories (issue 17): a text file with one name per line (labelme's labels.txt,
 * YOLO's classes.txt), or a JSON file with a COCO `categories` block (or a bare array of such objects or names).
 * Names are trimmed; empty lines are skipped; repeated names inside the list are reported, not duplicated.
 */
import { UserError, quoteForMessage, shortenForMessage } from './errors.ts';

export interface LabelList {
  readonly names: readonly string[];
  /** Names given more than once in the list (kept once). */
  readonly repeated: readonly string[];
}

const MAX_NAME = 200;

export function parseLabelList(text: string, fileName: string): LabelList {
  const where = shortenForMessage(fileName);
  const body = text.replace(/^\uFEFF/, '');
  const trimmed = body.trimStart();
  const raw =
    trimmed.startsWith('{') || trimmed.startsWith('[') ? jsonNames(trimmed, where) : body.split(/\r?\n/);
  const names: string[] = [];
  const repeated: string[] = [];
  raw.forEach((value, i) => {
    const name = value.trim();
    if (!name) return;
    if (name.length > MAX_NAME)
      throw new UserError(
        `${where}: label ${i + 1} is longer than ${MAX_NAME} characters: ${quoteForMessage(name)}`,
      );
    if (names.includes(name)) repeated.push(name);
    else names.push(name);
  });
  if (!names.length)
    throw new UserError(`${where}: no labels in it (one name per line, or a COCO "categories" list)`);
  return { names, repeated };
}

function jsonNames(text: string, where: string): string[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new UserError(
      `${where}: not valid JSON (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  const list = Array.isArray(data) ? data : (data as { categories?: unknown }).categories;
  const path = Array.isArray(data) ? '' : '.categories';
  if (!Array.isArray(list)) throw new UserError(`${where}: expected a "categories" list (COCO) or an array`);
  return list.map((entry: unknown, i) => {
    const name = typeof entry === 'string' ? entry : (entry as { name?: unknown } | null)?.name;
    if (typeof name !== 'string')
      throw new UserError(`${where}: ${path}[${i}].name is missing or not a string`);
    return name;
  });
}
