/** `sam-annotate boxes-to-masks`: masks for the box-only annotations of a project (imported detections). */
import path from 'node:path';
import { boxesToMasks } from '../../services/boxesToMasks.ts';
import { resolveModelDir } from '../../models/defaultModel.ts';
import { openProject, userName } from '../../store/projectDb.ts';
import { UsageError, parseFlags } from '../args.ts';
import { Progress } from '../progress.ts';
import { SERVICE_FLAGS, SERVICE_HELP, serviceFrom } from '../serviceFlags.ts';

export const summary = 'turn the box-only annotations of a project into masks (SAM with the box, twice)';

export const help = `Usage: sam-annotate boxes-to-masks FILE.samproj [--model DIR] [--author NAME]

For every annotation that has a box but no mask (e.g. detections imported from COCO), runs SAM with the box,
then again with the box and the best mask's logits (the SA paper's extra pass), and stores the mask in place of
the box: source semi-auto, the box kept as its prompt, the model's predicted IoU and stability score. Category and
status stay. One transaction per image: an interrupted run leaves whole images converted; run it again to finish.

  --model DIR|NAME  model folder or installed model (default: the default model); it must take box prompts
  --author NAME     recorded as the editor (default: the user name)
${SERVICE_HELP}`;

const FLAGS = { model: { type: 'string' }, author: { type: 'string' }, ...SERVICE_FLAGS } as const;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags('boxes-to-masks', argv, FLAGS, true);
  const [file, extra] = positionals;
  if (!file || extra)
    throw new UsageError(
      'boxes-to-masks: expected one project FILE (see: sam-annotate boxes-to-masks --help)',
    );
  const model = await resolveModelDir(values.model);
  if (!model) throw new UsageError('boxes-to-masks: no model; pass --model DIR');
  if (model.note) console.error(`sam-annotate: note: ${model.note}`);
  const project = openProject(file, { log: (line) => console.error(line) });
  const service = serviceFrom(values);
  try {
    await service.loadModel(model.dir);
    const bar = new Progress('boxes → masks');
    const report = await boxesToMasks(project, service, {
      author: values.author ?? userName(),
      onProgress: (done, total) => bar.update(done, total),
    });
    bar.end();
    for (const m of report.missingImages)
      console.error(`image file missing: ${m} (its boxes are left as they are)`);
    if (report.empty.length)
      console.error(
        `no mask for ${report.empty.length} boxes (left as boxes): annotation ids ${report.empty.map((e) => e.annotationId).join(', ')}`,
      );
    console.error(
      `${report.converted} of ${report.boxes} boxes → masks in ${report.images} images of ${path.basename(project.file)}`,
    );
    return 0;
  } finally {
    await service.close();
    project.close();
  }
}
