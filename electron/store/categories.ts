/**
 * Categories (labels) of a project. Names are unique; colours are `#rrggbb`; `position` orders them (migration
 * 0080) while ids stay stable (COCO category ids).
 */
import { UserError, quoteForMessage } from '../common/errors.ts';
import { sql } from './statements.ts';
import { inTransaction, type ReadableDB, type WritableDB } from './types.ts';

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
  return sql(db, `SELECT ${COLUMNS} FROM categories ORDER BY position, id`).all() as CategoryRow[];
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
    `INSERT INTO categories (name, supercategory, color, created_at, position)
     VALUES (?, ?, ?, ?, (SELECT coalesce(max(position), 0) + 1 FROM categories))`,
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

/** Put the categories in this order: `ids` must list every category once. One transaction. */
export function reorderCategories(db: WritableDB, ids: readonly number[]): void {
  const known = listCategories(db).map((c) => c.id);
  const given = new Set(ids);
  if (given.size !== ids.length || ids.length !== known.length || known.some((id) => !given.has(id)))
    throw new UserError(
      `reorder categories: expected each of the ${known.length} category ids once, got [${ids.join(', ')}]`,
    );
  const set = sql(db, 'UPDATE categories SET position = ? WHERE id = ?');
  inTransaction(db, () => ids.forEach((id, i) => set.run(i + 1, id)));
}

/**
 * Delete a category in one transaction. Its masks move to `reassignTo` (recorded as an edit by `author`); without
 * a target a category that masks use is refused, naming how many use it. Returns the number of masks moved.
 */
export function deleteCategory(
  db: WritableDB,
  id: number,
  reassignTo: number | null,
  author: string,
  now = Date.now(),
): number {
  return inTransaction(db, () => {
    const row = sql(db, `SELECT ${COLUMNS} FROM categories WHERE id = ?`).get(id) as CategoryRow | undefined;
    if (!row) throw new UserError(`no category with id ${id}`);
    const used = (
      sql(db, 'SELECT count(*) AS n FROM annotations WHERE category_id = ?').get(id) as { n: number }
    ).n;
    if (reassignTo === id)
      throw new UserError(`category ${quoteForMessage(row.name)}: cannot move its masks to itself`);
    if (reassignTo !== null && !sql(db, 'SELECT 1 FROM categories WHERE id = ?').get(reassignTo))
      throw new UserError(
        `no category with id ${reassignTo} to move the masks of ${quoteForMessage(row.name)} to`,
      );
    if (used && reassignTo === null)
      throw new UserError(
        `category ${quoteForMessage(row.name)} is used by ${used} mask${used === 1 ? '' : 's'}: choose a category to move them to`,
      );
    if (used)
      sql(
        db,
        'UPDATE annotations SET category_id = ?, updated_by = ?, updated_at = ? WHERE category_id = ?',
      ).run(reassignTo, author, now, id);
    sql(db, 'DELETE FROM categories WHERE id = ?').run(id);
    return used;
  });
}

/** Add the names not there yet, in order, in one transaction; the others are reported as skipped. */
export function importCategoryNames(
  db: WritableDB,
  names: readonly string[],
): { added: CategoryRow[]; skipped: string[] } {
  return inTransaction(db, () => {
    const added: CategoryRow[] = [];
    const skipped: string[] = [];
    for (const raw of names) {
      const name = raw.trim();
      if (findCategoryByName(db, name)) skipped.push(name);
      else added.push(addCategory(db, { name }));
    }
    return { added, skipped };
  });
}
