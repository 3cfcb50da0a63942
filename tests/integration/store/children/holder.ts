// Child process for the "open elsewhere" tests: opens a project (read-only with a second argument "read"), says
// "ready", then holds it until killed.
import { openProject } from '../../../../electron/store/projectDb.ts';

const project = openProject(process.argv[2]!, { readOnly: process.argv[3] === 'read' });
process.stdout.write('ready\n');
setInterval(() => project.db.prepare('SELECT 1').get(), 1000);
