/**
 * Strict reading of untrusted JSON (manifests, prompt files, datasets): every failure is a UserError naming the
 * file and the JSON path of the bad field, e.g. `prompts.json: $[2].point_labels[1] must be 0 or 1`.
 */
import { UserError, quoteForMessage } from './errors.ts';

export type JsonValue = unknown;

const WHY = '(a \\ud800–\\udfff escape without its pair), which is not Unicode text';
const LONE_SURROGATE = `has a lone surrogate ${WHY}`;
const LONE_SURROGATE_KEY = `has a lone surrogate in a key ${WHY}`;

/** `String.prototype.isWellFormed` (ES2024; Node 20, Chromium 111) without needing the ES2024 lib typings. */
const isWellFormed = (s: string): boolean => (s as string & { isWellFormed(): boolean }).isWellFormed();

/** `.name` for identifier-like keys, else `["odd key"]` (shortened). */
function memberPath(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${quoteForMessage(key, 40)}]`;
}

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

  /** A finite number within [min, max]; the message echoes the value and the range. */
  numberIn(value: JsonValue, path: string, min: number, max: number): number {
    const n = this.number(value, path);
    if (n < min || n > max) this.fail(path, `is ${n}, outside [${min}, ${max}]`);
    return n;
  }

  /**
   * Refuse a string (or object key) anywhere in `value` that holds a lone UTF-16 surrogate (JSON `"\ud800"`):
   * it is not Unicode text, and SQLite would store it as invalid UTF-8 that other readers (Python's sqlite3)
   * cannot decode (issue 18). Iterative, so any nesting depth JSON.parse accepts is fine.
   */
  requireWellFormedStrings(value: JsonValue, path = '$'): void {
    interface Visit {
      value: JsonValue;
      parent?: Visit;
      key?: string | number;
    }
    const pathOf = (v: Visit): string => {
      const keys: (string | number)[] = [];
      for (let at: Visit | undefined = v; at?.key !== undefined; at = at.parent) keys.push(at.key);
      return keys
        .reverse()
        .reduce<string>((p, k) => p + (typeof k === 'number' ? `[${k}]` : memberPath(k)), path);
    };
    // strings are checked where they are met; only containers go on the stack (a path is built on failure)
    const check = (item: JsonValue, parent: Visit | undefined, key: string | number | undefined): void => {
      if (typeof item === 'string') {
        if (!isWellFormed(item)) this.fail(pathOf({ value: item, parent, key }), LONE_SURROGATE);
      } else if (typeof item === 'object' && item !== null) stack.push({ value: item, parent, key });
    };
    const stack: Visit[] = [];
    check(value, undefined, undefined);
    for (let visit = stack.pop(); visit; visit = stack.pop()) {
      const v = visit.value;
      if (Array.isArray(v)) {
        for (let i = v.length - 1; i >= 0; i--) check(v[i], visit, i);
      } else {
        const record = v as Record<string, JsonValue>;
        const keys = Object.keys(record);
        for (const key of keys) if (!isWellFormed(key)) this.fail(pathOf(visit), LONE_SURROGATE_KEY);
        for (let i = keys.length - 1; i >= 0; i--) check(record[keys[i]!], visit, keys[i]);
      }
    }
  }

  /** `undefined` and `null` both mean absent. */
  optional<T>(value: JsonValue, read: (v: JsonValue) => T): T | undefined {
    return value === undefined || value === null ? undefined : read(value);
  }
}
