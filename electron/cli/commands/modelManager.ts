/**
 * `sam-annotate models list | add | download | remove | default`: the model manager (electron/models) on the
 * command line. `models DIR` (describe one folder) stays in models.ts, which dispatches here.
 */
import { UserError, describeError } from '../../common/errors.ts';
import { describeSpeed } from '../../common/modelSpeed.ts';
import type { ModelRecommendation } from '../../ipc/contract.ts';
import { CATALOG, findCatalogEntry } from '../../models/catalog.ts';
import {
  type MachineSpeed,
  SpeedStore,
  type SpeedView,
  machineSpeed,
  speedView,
} from '../../models/speed.ts';
import { hasTorch } from '../../models/torchCheck.ts';
import { openModelFolder } from '../../inference/modelFolder.ts';
import { recommendations } from '../../services/modelManager.ts';
import { displayUrl } from '../../models/download.ts';
import { abilitiesLabel, familyLabel } from '../../common/modelFamily.ts';
import { converterForType } from '../../models/families.ts';
import { installModel, planFromCatalog, planFromUrls } from '../../models/install.ts';
import { openRegistry } from '../../models/defaultModel.ts';
import { BUILTIN_NAME, type ModelEntry, type ModelRegistry } from '../../models/registry.ts';
import { UsageError, parseFlags } from '../args.ts';
import { Progress } from '../progress.ts';
import { SERVICE_FLAGS, serviceFrom } from '../serviceFlags.ts';

export const SUBCOMMANDS = ['list', 'add', 'download', 'remove', 'default', 'speed'] as const;

export const MANAGER_HELP = `Manage installed models (in $SAM_ANNOTATE_DATA, else ~/.local/share/sam-annotate):
  sam-annotate models list [--json] [--load]
      every model: the built-in demo, installed ones, added folders; family (SAM 1, SAM 2.1), layout, what it
      supports (box prompts, refinement from the previous mask, Meta's single-mask token), size, default, and
      its speed on this computer: measured on its real work when known, else estimated from the benchmark.
      --load also loads each into onnxruntime and shows the execution provider.
  sam-annotate models speed [--again] [--json]
      this computer's speed (a few seconds' benchmark on the built-in demo model, kept in the data folder's
      speed.json; --again measures again), the catalog's estimated times per image and per click, and the
      models suggested here: the fastest good one and the most accurate one usable here.
  sam-annotate models download NAME [--name N] [--sha256 HEX] [--default]
  sam-annotate models download URL… --name N [--sha256 HEX]… [--type vit_b|…|sam2.1_hiera_t|…] [--default]
      download a model from the catalog (sam-annotate models download, without a name, lists it) or from
      URLs: two .onnx files (an encoder and a decoder, any layout "models DIR" accepts) or one .pth / .pt
      checkpoint with its --type (SAM 1 vit_*, SAM 2 / 2.1 sam2*_hiera_*), which is converted here (needs Python with torch and onnx). Interrupted downloads resume when the same
      command runs again; --sha256 (one per file, in order) checks each file.
  sam-annotate models add DIR [--name N] [--copy] [--default]
      register an existing model folder (checked first); --copy copies it into the data folder.
  sam-annotate models remove NAME
      forget a model; installed copies are deleted, added folders stay where they are.
  sam-annotate models default [NAME]
      show or set the model used when --model is not given (otherwise: the first installed real model, else the
      built-in demo model).
Catalog downloads come from SAM_ANNOTATE_MODEL_MIRROR/<name>/<file> when that variable is set (a local mirror).`;

function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(2)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${Math.round(bytes / 1e3)} kB`;
}

/** The benchmark (run now if this app version has none), the speed view and the suggestions. */
export async function speedReport(
  registry: ModelRegistry,
  options: { again?: boolean; recommend?: boolean } = {},
): Promise<{
  machine: MachineSpeed | null;
  problem: string | null;
  view: SpeedView;
  /** Empty unless `recommend` (checking for torch costs a Python start). */
  recommendations: ModelRecommendation[];
  entries: ModelEntry[];
}> {
  const store = new SpeedStore(registry.dataDir);
  let machine: MachineSpeed | null = null;
  let problem: string | null = null;
  try {
    machine = await machineSpeed(store, registry.builtinDir, { rerun: options.again });
  } catch (error) {
    problem = `the speed of this computer could not be measured: ${describeError(error)}`;
  }
  const [entries, data] = await Promise.all([registry.list(), store.read()]);
  const view = speedView(CATALOG, data, machine, BUILTIN_NAME);
  const names = new Set(entries.map((e) => e.name));
  const recs = options.recommend ? recommendations(view, names, await hasTorch()) : [];
  return { machine, problem, view, recommendations: recs, entries };
}

/** Each suggestion in one line: what, how big, how fast here, how to install it. */
export function recommendationLines(recs: readonly ModelRecommendation[]): string[] {
  const role = {
    fastest: 'fastest good model',
    accurate: 'most accurate usable here',
    both: 'fastest good and most accurate',
  };
  return recs.map(
    (r) =>
      `  ${r.name} (${role[r.role]}; ~${formatBytes(r.approxBytes)} download${r.speed ? `; ${describeSpeed(r.speed)}` : ''}): ` +
      (r.installed
        ? `installed; sam-annotate models default ${r.name}`
        : `sam-annotate models download ${r.name} --default`),
  );
}

/** The encoder sha256 of each entry that has measured times (to tell them from an older file's). */
async function encoderShas(registry: ModelRegistry, entries: readonly ModelEntry[], view: SpeedView) {
  const shas = new Map<string, string>();
  for (const e of entries) {
    if (e.problem || !view.hasTimes(e.name)) continue;
    const folder = await openModelFolder(e.dir, registry.hashes).catch(() => undefined);
    if (folder) shas.set(e.name, folder.encoderSha256);
  }
  return shas;
}

function entryJson(e: ModelEntry, provider?: string | null) {
  return {
    name: e.name,
    dir: e.dir,
    source: e.source,
    family: e.family,
    family_label: familyLabel(e.family, e.layout),
    variant: e.variant,
    layout: e.layout,
    capabilities: e.capabilities,
    input_size: e.inputSize,
    bytes: e.bytes,
    demo: e.demo,
    default: e.isDefault,
    description: e.description,
    problem: e.problem,
    ...(provider !== undefined ? { provider } : {}),
  };
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

async function list(argv: string[]): Promise<number> {
  const { values } = parseFlags('models list', argv, {
    json: { type: 'boolean' },
    load: { type: 'boolean' },
    ...SERVICE_FLAGS,
  } as const);
  const registry = openRegistry();
  // Suggestions only where they are printed: on an install without a real model.
  const real = (await registry.list()).some((e) => !e.demo && !e.problem);
  const report = await speedReport(registry, { recommend: !real && !values.json });
  const entries = report.entries;
  const shas = await encoderShas(registry, entries, report.view);
  const speedOf = (e: ModelEntry) => report.view.figuresFor(e.name, shas.get(e.name));
  const providers = new Map<string, string | null>();
  if (values.load) {
    const service = serviceFrom(values);
    try {
      for (const e of entries) {
        if (e.problem) {
          providers.set(e.name, null);
          continue;
        }
        const info = await service.loadModel(e.dir);
        const same = info.encoder.provider === info.decoder.provider;
        providers.set(
          e.name,
          same ? info.encoder.provider : `${info.encoder.provider}/${info.decoder.provider}`,
        );
      }
    } finally {
      await service.close();
    }
  }
  if (values.json) {
    const rows = entries.map((e) => ({
      ...entryJson(e, values.load ? (providers.get(e.name) ?? null) : undefined),
      speed: speedOf(e),
    }));
    console.log(JSON.stringify(rows, null, 2));
    return 0;
  }
  const header = ['', 'NAME', 'SOURCE', 'FAMILY', 'LAYOUT', 'SUPPORTS', 'INPUT', 'SIZE', 'SPEED HERE'];
  if (values.load) header.push('PROVIDER');
  header.push('NOTES');
  const rows = [header];
  for (const e of entries) {
    const notes = [e.demo ? 'demo model' : '', e.problem ? `unusable: ${e.problem}` : '']
      .filter(Boolean)
      .join('; ');
    const row = [
      e.isDefault ? '*' : '',
      e.name,
      e.source,
      [familyLabel(e.family, e.layout), e.variant].filter(Boolean).join(' '),
      e.layout ?? '-',
      abilitiesLabel(e.capabilities),
      e.inputSize ? String(e.inputSize) : '-',
      formatBytes(e.bytes),
      speedText(speedOf(e)),
    ];
    if (values.load) row.push(providers.get(e.name) ?? '-');
    row.push(notes);
    rows.push(row);
  }
  console.log(table(rows));
  console.log('\n* = default model (used when --model is not given)');
  if (report.problem) console.log(report.problem);
  if (!entries.some((e) => !e.demo && !e.problem)) {
    console.log(
      'Only the built-in demo model is installed (demo: cannot segment real photos; offline fallback).\n' +
        (report.recommendations.length
          ? `Suggested for this computer:\n${recommendationLines(report.recommendations).join('\n')}`
          : 'Install a real SAM: sam-annotate models download (lists the catalog)'),
    );
  }
  return 0;
}

const speedText = (s: Parameters<typeof describeSpeed>[0] | null) => (s ? describeSpeed(s) : '-');

async function speed(argv: string[]): Promise<number> {
  const { values } = parseFlags('models speed', argv, {
    again: { type: 'boolean' },
    json: { type: 'boolean' },
  } as const);
  const report = await speedReport(openRegistry(), { again: values.again, recommend: true });
  if (values.json) {
    const catalog = CATALOG.map((e) => ({
      name: e.name,
      quality: e.quality,
      speed: report.view.estimateFor(e.name),
    }));
    console.log(
      JSON.stringify(
        {
          machine: report.machine,
          problem: report.problem,
          catalog,
          recommendations: report.recommendations,
        },
        null,
        2,
      ),
    );
    return report.machine ? 0 : 1;
  }
  if (!report.machine) throw new UserError(report.problem!);
  const m = report.machine;
  console.log(
    `This computer (measured ${m.measuredAt} on the built-in demo model, ${m.builtin.encoderGmacs.toFixed(2)} + ` +
      `${m.builtin.decoderGmacs.toFixed(3)} GMAC in ${m.builtin.encodeMs.toFixed(0)} + ${m.builtin.clickMs.toFixed(1)} ms): ` +
      `encoder ${m.encoderGmacPerSecond.toFixed(1)} GMAC/s, decoder ${m.decoderGmacPerSecond.toFixed(1)} GMAC/s\n`,
  );
  const rows = [['NAME', 'QUALITY', 'KIND', 'SIZE', 'SPEED HERE']];
  for (const e of CATALOG) {
    const bytes = e.files.reduce((a, f) => a + f.approxBytes, 0);
    rows.push([
      e.name,
      `${e.quality}/5`,
      e.kind,
      `~${formatBytes(bytes)}`,
      speedText(report.view.figuresFor(e.name)),
    ]);
  }
  console.log(table(rows));
  console.log(
    report.recommendations.length
      ? `\nSuggested for this computer:\n${recommendationLines(report.recommendations).join('\n')}`
      : '\nNo catalog model is suggested here (none of quality 3 or more installs without Python).',
  );
  return 0;
}

async function add(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(
    'models add',
    argv,
    { name: { type: 'string' }, copy: { type: 'boolean' }, default: { type: 'boolean' } } as const,
    true,
  );
  if (positionals.length !== 1) throw new UsageError('models add: give one model folder');
  const registry = openRegistry();
  const entry = await registry.add(positionals[0]!, { name: values.name, copy: values.copy });
  if (values.default) await registry.setDefault(entry.name);
  console.error(
    `${values.copy ? 'installed' : 'added'} ${entry.name} (${entry.layout} layout, ${formatBytes(entry.bytes)}) at ${entry.dir}` +
      (values.default ? '; it is now the default model' : ''),
  );
  return 0;
}

function catalogListing(): string {
  const rows = [['NAME', 'FAMILY', 'KIND', 'LAYOUT', 'SIZE', 'CHECKSUM', 'TITLE']];
  for (const e of CATALOG) {
    const bytes = e.files.reduce((a, f) => a + f.approxBytes, 0);
    const checksum = e.files.every((f) => f.sha256)
      ? 'sha256'
      : e.files.every((f) => f.md5)
        ? 'md5'
        : 'unverified';
    rows.push([
      e.name,
      familyLabel(e.family, e.layout),
      e.kind,
      e.layout,
      `~${formatBytes(bytes)}`,
      checksum,
      e.title,
    ]);
  }
  return `${table(rows)}\n\nmd5: Meta's published checkpoints, checked against the MD5 their names start with. "unverified": the catalog has no\nchecksum for these files (it was written offline); the folder is still checked, and --sha256 HEX checks the bytes.`;
}

async function download(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(
    'models download',
    argv,
    {
      name: { type: 'string' },
      sha256: { type: 'string', multiple: true },
      type: { type: 'string' },
      default: { type: 'boolean' },
    } as const,
    true,
  );
  if (positionals.length === 0) {
    console.log(catalogListing());
    return 0;
  }
  const sha256 = (values.sha256 ?? []).map((h) => {
    if (!/^[0-9a-fA-F]{64}$/.test(h)) throw new UsageError(`--sha256 ${h}: expected 64 hex digits`);
    return h.toLowerCase();
  });
  if (values.type) {
    try {
      converterForType(values.type);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }
  const isUrl = (s: string) => /^https?:\/\//i.test(s);
  let plan;
  if (positionals.every(isUrl)) {
    if (!values.name) throw new UsageError('models download URL…: give --name for the new model');
    plan = planFromUrls(values.name, positionals, sha256, values.type);
  } else {
    if (positionals.length !== 1)
      throw new UsageError(
        'models download: give one catalog name, or URLs (see: sam-annotate models --help)',
      );
    const entry = findCatalogEntry(positionals[0]!);
    if (!entry) {
      throw new UserError(
        `no catalog model named ${positionals[0]} (known: ${CATALOG.map((e) => e.name).join(', ')}); or give URLs`,
      );
    }
    plan = planFromCatalog(entry, values.name ?? entry.name, sha256);
  }
  const registry = openRegistry();
  let progress: Progress | undefined;
  const entry = await installModel(registry, plan, {
    onFileStart(file, i, count) {
      progress = new Progress(`downloading ${file.path} (${i + 1}/${count})`);
      console.error(`${displayUrl(file.url)} → ${file.path}`);
    },
    onProgress(done, total) {
      if (total !== undefined) progress?.update(done, total);
    },
    onFileDone(file, result, verified) {
      progress?.end();
      const resumed = result.resumedFrom ? `, resumed at ${formatBytes(result.resumedFrom)}` : '';
      console.error(
        `  ${file.path}: ${formatBytes(result.bytes)}${resumed}, sha256 ${result.sha256} ` +
          (verified ? `(${verified} verified)` : '(not verified: no checksum known; pass --sha256 to check)'),
      );
    },
    onConvert() {
      console.error('converting the checkpoint to ONNX (this takes a few minutes)…');
    },
  });
  if (values.default) await registry.setDefault(entry.name);
  console.error(
    `installed ${entry.name} (${entry.layout} layout, ${formatBytes(entry.bytes)}) at ${entry.dir}` +
      (values.default ? '; it is now the default model' : ''),
  );
  return 0;
}

async function remove(argv: string[]): Promise<number> {
  const { positionals } = parseFlags('models remove', argv, {}, true);
  if (positionals.length !== 1) throw new UsageError('models remove: give one model name');
  const { deleted } = await openRegistry().remove(positionals[0]!);
  console.error(
    `removed ${positionals[0]}${deleted ? ` (deleted ${deleted})` : ' (its folder was left in place)'}`,
  );
  return 0;
}

async function setDefault(argv: string[]): Promise<number> {
  const { positionals } = parseFlags('models default', argv, {}, true);
  const registry = openRegistry();
  if (positionals.length === 0) {
    const entry = await registry.defaultModel();
    console.log(`${entry.name}\t${entry.dir}${entry.demo ? '\t(demo model)' : ''}`);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('models default: give one model name');
  const entry = await registry.setDefault(positionals[0]!);
  console.error(`default model: ${entry.name} (${entry.dir})`);
  return 0;
}

export function runManager(sub: (typeof SUBCOMMANDS)[number], argv: string[]): Promise<number> {
  switch (sub) {
    case 'list':
      return list(argv);
    case 'add':
      return add(argv);
    case 'download':
      return download(argv);
    case 'remove':
      return remove(argv);
    case 'default':
      return setDefault(argv);
    case 'speed':
      return speed(argv);
  }
}
