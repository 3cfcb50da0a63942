/**
 * No import cycles in renderer/ and electron/common (issue 17): a cycle is a hub in disguise (the annotator and
 * its commands used to import each other). Type-only imports count too — they are the ones that creep in.
 * Walks the relative imports of every .ts / .svelte file and fails naming each cycle's files.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findCycles, importsOf } from './importGraph.ts';

const root = resolve(import.meta.dirname, '../../..');

/**
 * Edges left out of the check, each with its reason. Remove an entry when its edge is gone (a test says so).
 */
const KNOWN_EDGES: readonly (readonly [string, string])[] = [];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|svelte)$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

function graphOf(dirs: readonly string[]): Map<string, string[]> {
  const files = dirs.flatMap((d) => sourceFiles(join(root, d)));
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const targets = importsOf(readFileSync(file, 'utf8'))
      .filter((s) => s.startsWith('.'))
      .map((s) => resolve(dirname(file), s))
      .filter((t) => known.has(t));
    graph.set(
      relative(root, file),
      [...new Set(targets)].map((t) => relative(root, t)),
    );
  }
  return graph;
}

function withoutKnownEdges(graph: Map<string, string[]>): Map<string, string[]> {
  for (const [from, to] of KNOWN_EDGES) {
    const targets = graph.get(from) ?? [];
    if (!targets.includes(to)) throw new Error(`${from} no longer imports ${to}: remove it from KNOWN_EDGES`);
    graph.set(
      from,
      targets.filter((t) => t !== to),
    );
  }
  return graph;
}

describe('import graph', () => {
  it('finds the imports of a module, type-only and re-exports included', () => {
    const source = [
      "import { a } from './a.ts';",
      "import type { B } from '../b.ts';",
      "export { c } from './c.ts';",
      "export * from './d.ts';",
      "import './e.ts';",
      "const f = await import('./f.ts');",
      'import {',
      '  g,',
      "} from './g.ts';",
      "// import { no } from './comment.ts';",
    ].join('\n');
    expect(importsOf(source)).toEqual([
      './a.ts',
      '../b.ts',
      './c.ts',
      './d.ts',
      './e.ts',
      './f.ts',
      './g.ts',
    ]);
  });

  it('reports a cycle and only the cycle', () => {
    const graph = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a', 'd']],
      ['d', []],
      ['e', ['e']],
    ]);
    expect(findCycles(graph).map((c) => [...c].sort())).toEqual([['a', 'b', 'c'], ['e']]);
  });

  it('renderer/ and electron/common have no import cycles', () => {
    const graph = withoutKnownEdges(graphOf(['renderer', 'electron/common']));
    expect(graph.size).toBeGreaterThan(50);
    expect(findCycles(graph).map((cycle) => cycle.join(' → '))).toEqual([]);
  });
});
