// Child process for the durability test: accepts masks in a loop, one transaction each (annotation + its review
// event), and prints each annotation id only after its COMMIT returned ("acknowledged"). The parent kills it.
import { addAnnotation } from '../../../../electron/store/annotations.ts';
import { openProject } from '../../../../electron/store/projectDb.ts';
import { reviewAnnotation } from '../../../../electron/store/reviews.ts';
import { inTransaction } from '../../../../electron/store/types.ts';
import { encodeMask } from '../../../../electron/common/rle.ts';

const [file, imageId] = [process.argv[2]!, Number(process.argv[3])];
const project = openProject(file);
const width = 64;
const height = 48;
for (let i = 0; ; i++) {
  const data = new Uint8Array(width * height);
  for (let p = i % 97; p < data.length; p += 1 + (i % 13)) data[p] = 1;
  const id = inTransaction(project.db, () => {
    const id = addAnnotation(project.db, {
      imageId,
      mask: encodeMask({ width, height, data }),
      source: 'manual',
      status: 'draft',
      author: 'writer',
      timing: { activeMs: i, clicks: i % 7 },
    });
    reviewAnnotation(project.db, { annotationId: id, reviewer: 'writer', toStatus: 'accepted' });
    return id;
  });
  process.stdout.write(`${id}\n`);
}
