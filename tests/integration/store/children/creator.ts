// Child process for the create race (issue 18, item 7): says "ready", creates the project when the parent writes
// "go" on stdin and prints "created PROJECT_ID" or "failed MESSAGE". A winner keeps the project open until
// "finish", then writes one category, closes and exits: a loser that deleted the winner's file would make that
// write land in an unlinked file.
import { createInterface } from 'node:readline';
import { addCategory } from '../../../../electron/store/categories.ts';
import { type Project, createProject, projectMeta } from '../../../../electron/store/projectDb.ts';

const file = process.argv[2]!;
let project: Project | undefined;
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (line === 'go') {
    try {
      project = createProject(file);
      process.stdout.write(`created ${projectMeta(project.reader, 'project_id')}\n`);
    } catch (error) {
      process.stdout.write(`failed ${(error as Error).message}\n`);
      process.exit(0);
    }
  } else if (line === 'finish' && project) {
    addCategory(project.db, { name: `written after the race by ${process.pid}` });
    project.close();
    process.stdout.write('finished\n');
    process.exit(0);
  }
});
process.stdout.write('ready\n');
