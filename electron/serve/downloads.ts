/**
 * Exports a browser may download (issue 17: in serve mode exports are written on the server). Only what an export
 * just wrote is offered: the server registers the export's output under a random id after `exportProject`
 * succeeds, and the download route takes that id, never a path. A folder export is sent as a store-only ZIP.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type http from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { planZip, writeZip } from '../node/zipWriter.ts';

/** The newest exports kept downloadable (older ids stop working). */
const KEEP = 20;

export class ExportDownloads {
  private readonly outputs = new Map<string, string>();

  /** Offer this export's output (the path the export wrote); returns its id. */
  register(output: string): string {
    const id = randomBytes(18).toString('base64url');
    this.outputs.set(id, path.resolve(output));
    while (this.outputs.size > KEEP) this.outputs.delete(this.outputs.keys().next().value!);
    return id;
  }

  /** Send the export of `id`: a file as it is, a folder as `<name>.zip`. False when the id is unknown. */
  async send(id: string, response: http.ServerResponse, headers: http.OutgoingHttpHeaders): Promise<boolean> {
    const output = this.outputs.get(id);
    if (!output) return false;
    const info = await stat(output);
    const base = path.basename(output);
    if (info.isDirectory()) {
      const plan = await planZip(output);
      response.writeHead(200, {
        ...headers,
        'content-type': 'application/zip',
        'content-length': plan.size,
        'content-disposition': attachment(`${base}.zip`),
      });
      await writeZip(plan, response);
      response.end();
      return true;
    }
    response.writeHead(200, {
      ...headers,
      'content-type': base.endsWith('.json') ? 'application/json' : 'application/octet-stream',
      'content-length': info.size,
      'content-disposition': attachment(base),
    });
    await pipeline(createReadStream(output), response);
    return true;
  }
}

/** RFC 6266: an ASCII fallback and the UTF-8 name. */
function attachment(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}
