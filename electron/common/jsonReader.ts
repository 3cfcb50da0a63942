/**
 * Strict reading of untrusted JSON (manifests, prompt files, datasets): every failure is a UserError naming the
 * file and the JSON path of the bad field, e.g. `prompts.json: $[2].point_labels[1] must be 0 or 1`.
 */
import { UserError } from './errors.ts';

export type JsonValue = unknown;

export class JsonReader {
  constructor(readonly file: string) {}

  /** Parse text; a syntax error names the file. */
  parse(text: string): JsonValue {
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new UserError(`${this.file}: not valid JSON (${(error as Error).message})`, { cause: error });
    }
  }

  fail(path: string, problem: string): never {
    throw new UserError(`${this.file}: ${path} ${problem}`);
  }

  object(value: JsonValue, path: string): Record<string, JsonValue> {
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      this.fail(path, 'must be an object');
    return value as Record<string, JsonValue>;
  }

  array(value: JsonValue, path: string): JsonValue[] {
    if (!Array.isArray(value)) this.fail(path, 'must be an array');
    return value;
  }

  string(value: JsonValue, path: string): string {
    if (typeof value !== 'string' || value === '') this.fail(path, 'must be a non-empty string');
    return value;
  }

  number(value: JsonValue, path: string): number {
    if (typeof value !== 'number' || !Number.isFinite(value)) this.fail(path, 'must be a number');
    return value;
  }

  integer(value: JsonValue, path: string, min = -Infinity): number {
    if (!Number.isInteger(value) || (value as number) < min) {
      this.fail(path, min === -Infinity ? 'must be an integer' : `must be an integer ≥ ${min}`);
    }
    return value as number;
  }

  boolean(value: JsonValue, path: string): boolean {
    if (typeof value !== 'boolean') this.fail(path, 'must be true or false');
    return value;
  }

  /** A fixed-length array of numbers. */
  numbers(value: JsonValue, path: string, length: number): number[] {
    const list = this.array(value, path);
    if (list.length !== length) this.fail(path, `must hold ${length} numbers`);
    return list.map((v, i) => this.number(v, `${path}[${i}]`));
  }

  /** `undefined` and `null` both mean absent. */
  optional<T>(value: JsonValue, read: (v: JsonValue) => T): T | undefined {
    return value === undefined || value === null ? undefined : read(value);
  }
}
