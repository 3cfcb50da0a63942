/** Categories (labels) of a project. Names are unique; colours are `#rrggbb`. */
import { UserError } from '../common/errors.ts';
import { sql } from './statements.ts';
import type { ReadableDB, WritableDB } from './types.ts';

export interface CategoryRow {
  id: number;
  name: string;
  supercategory: string;
  color: string;
  createdAt: number;
}

export interface NewCategory {
  name: string;
  supercategory?: string;
  color?: string;
}

const COLUMNS = 'id, name, supercategory, color, created_at AS createdAt';

export function listCategories(db: ReadableDB): CategoryRow[] {
  return sql(db, `SELECT ${COLUMNS} FROM categories ORDER BY id`).all() as CategoryRow[];
}

export function findCategoryByName(db: ReadableDB, name: string): CategoryRow | undefined {
  return sql(db, `SELECT ${COLUMNS} FROM categories WHERE name = ?`).get(name) as CategoryRow | undefined;
}

export function addCategory(db: WritableDB, category: NewCategory, now = Date.now()): CategoryRow {
  const name = category.name.trim();
  if (!name) throw new UserError('a category needs a name');
  if (findCategoryByName(db, name)) throw new UserError(`category "${name}" already exists`);
  const color = (category.color ?? defaultColor(name)).toLowerCase();
  if (!/^#[0-9a-f]{6}$/.test(color))
    throw new UserError(`category "${name}": colour ${color} is not #rrggbb`);
  const result = sql(
    db,
    'INSERT INTO categories (name, supercategory, color, created_at) VALUES (?, ?, ?, ?)',
  ).run(name, category.supercategory ?? '', color, now);
  return {
    id: Number(result.lastInsertRowid),
    name,
    supercategory: category.supercategory ?? '',
    color,
    createdAt: now,
  };
}

/** The category of that name, created if missing. */
export function ensureCategory(
  db: WritableDB,
  category: NewCategory,
): { row: CategoryRow; created: boolean } {
  const existing = findCategoryByName(db, category.name.trim());
  return existing ? { row: existing, created: false } : { row: addCategory(db, category), created: true };
}

/** A stable, distinct-enough colour for a name: hue from a string hash, fixed saturation and lightness. */
export function defaultColor(name: string): string {
  let hash = 2166136261;
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 16777619) >>> 0;
  const hue = hash % 360;
  const s = 0.65;
  const l = 0.5;
  const c = (1 - Math.abs(2 * l - 1)) * s;
  const x = c * (1 - Math.abs(((hue / 60) % 2) - 1));
  const m = l - c / 2;
  const [r, g, b] =
    hue < 60
      ? [c, x, 0]
      : hue < 120
        ? [x, c, 0]
        : hue < 180
          ? [0, c, x]
          : hue < 240
            ? [0, x, c]
            : hue < 300
              ? [x, 0, c]
              : [c, 0, x];
  return `#${[r, g, b]
    .map((v) =>
      Math.round((v + m) * 255)
        .toString(16)
        .padStart(2, '0'),
    )
    .join('')}`;
}

/** Rename, recolour or re-parent a category. */
export function updateCategory(
  db: WritableDB,
  id: number,
  patch: NewCategory | Partial<NewCategory>,
): CategoryRow {
  const current = sql(db, `SELECT ${COLUMNS} FROM categories WHERE id = ?`).get(id) as
    CategoryRow | undefined;
  if (!current) throw new UserError(`no category with id ${id}`);
  const name = (patch.name ?? current.name).trim();
  if (!name) throw new UserError('a category needs a name');
  const clash = findCategoryByName(db, name);
  if (clash && clash.id !== id) throw new UserError(`category "${name}" already exists`);
  const color = (patch.color ?? current.color).toLowerCase();
  if (!/^#[0-9a-f]{6}$/.test(color))
    throw new UserError(`category "${name}": colour ${color} is not #rrggbb`);
  const supercategory = patch.supercategory ?? current.supercategory;
  sql(db, 'UPDATE categories SET name = ?, color = ?, supercategory = ? WHERE id = ?').run(
    name,
    color,
    supercategory,
    id,
  );
  return { ...current, name, color, supercategory };
}
