import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { listCategories } from '../../../electron/store/categories.ts';
import { openProject, projectMeta } from '../../../electron/store/projectDb.ts';
import { closeLater, tempDir } from '../../helpers/projects.ts';
import { child, exited, waitForLine } from './spawn.ts';

const CHILDREN = 6;
const ROUNDS = 4;

/** Issue 18, item 7: processes creating the same project at once. */
describe('creating one project from several processes at once', () => {
  it('exactly one succeeds, the others say it already exists, and the winner keeps everything it writes', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const dir = tempDir();
      const file = path.join(dir, 'race.samproj');
      const creators = Array.from({ length: CHILDREN }, () => child('creator.ts', [file], 'pipe'));
      try {
        await Promise.all(creators.map((c) => waitForLine(c, /^ready$/)));
        const outcomes = creators.map((c) => waitForLine(c, /^(created|failed) /));
        for (const c of creators) c.stdin!.write('go\n');
        const lines = await Promise.all(outcomes);

        const winners = creators.filter((_, i) => lines[i]!.startsWith('created '));
        const failures = lines.filter((l) => l.startsWith('failed '));
        expect(winners, lines.join('\n')).toHaveLength(1);
        for (const failure of failures)
          expect(failure).toMatch(
            new RegExp(
              `^failed ${escape(file)}: already exists \\((created by another process\\?|open it instead)`,
            ),
          );
        const projectId = lines.find((l) => l.startsWith('created '))!.slice('created '.length);

        const winner = winners[0]!;
        const finished = waitForLine(winner, /^finished$/);
        winner.stdin!.write('finish\n');
        await finished;
        await Promise.all(creators.map(exited));

        const project = closeLater(openProject(file));
        expect(projectMeta(project.reader, 'project_id')).toBe(projectId);
        expect(listCategories(project.reader).map((c) => c.name)).toEqual([
          `written after the race by ${winner.pid}`,
        ]);
        expect(project.db.pragma('integrity_check', { simple: true })).toBe('ok');
        project.close();
        // The losers left no temp files behind.
        expect(readdirSync(dir)).toEqual(['race.samproj']);
      } finally {
        for (const c of creators) c.kill('SIGKILL');
        await Promise.all(creators.map(exited));
      }
    }
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
