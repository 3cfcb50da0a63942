/**
 * Which catalog models to suggest on this machine (issue 15): pure, from each entry's quality rank, download
 * size and the speed figures of speed.ts.
 *
 * Rules:
 * - Only entries this machine can install: ONNX pairs always; checkpoints (converted here) only when Python with
 *   torch and onnx is present. Entries needing no Python are preferred: a checkpoint is suggested only when no
 *   ONNX entry qualifies for that slot.
 * - "Fastest good model": quality ≥ GOOD_QUALITY, the lowest estimated seconds per image (then the smaller
 *   download).
 * - "Most accurate": the highest quality (also ≥ GOOD_QUALITY) whose seconds per image stay
 *   ≤ USABLE_ENCODE_SECONDS here (then the faster); when none does, none is suggested for that slot. When it is the same entry as the fastest good
 *   one, it is suggested once, as both.
 * Before the benchmark (no speed figures) the fastest is ranked by MACs alone (the same order) and no "most
 * accurate" is suggested: whether it is usable here is not known yet.
 */

export const GOOD_QUALITY = 3;
/** The longest wait per image the "most accurate" suggestion accepts (seconds, on this machine). */
export const USABLE_ENCODE_SECONDS = 10;

export interface RecommendCandidate {
  readonly name: string;
  readonly kind: string;
  readonly quality: number;
  readonly approxBytes: number;
  readonly encoderGmacs: number;
  /** Seconds per image and ms per click here; null before the benchmark. */
  readonly speed: { readonly encodeSeconds: number; readonly clickMs: number } | null;
}

export type RecommendationRole = 'fastest' | 'accurate' | 'both';

export interface Recommendation<C extends RecommendCandidate = RecommendCandidate> {
  readonly role: RecommendationRole;
  readonly entry: C;
}

export const needsPython = (c: Pick<RecommendCandidate, 'kind'>) => c.kind === 'checkpoint';

/** Seconds per image, or the MACs as a stand-in for ordering when there is no benchmark. */
const cost = (c: RecommendCandidate) => c.speed?.encodeSeconds ?? c.encoderGmacs;

function byCostThenSize(a: RecommendCandidate, b: RecommendCandidate): number {
  return cost(a) - cost(b) || a.approxBytes - b.approxBytes;
}

/** The best of `candidates` by `pick`, looking at ONNX entries first and at checkpoints only if none fits. */
function preferNoPython<C extends RecommendCandidate>(
  candidates: readonly C[],
  pick: (pool: readonly C[]) => C | undefined,
): C | undefined {
  return pick(candidates.filter((c) => !needsPython(c))) ?? pick(candidates.filter(needsPython));
}

export function recommend<C extends RecommendCandidate>(
  entries: readonly C[],
  machine: { readonly hasTorch: boolean },
): Array<Recommendation<C>> {
  const installable = entries.filter((c) => !needsPython(c) || machine.hasTorch);
  const fastest = preferNoPython(
    installable,
    (pool) => pool.filter((c) => c.quality >= GOOD_QUALITY).sort(byCostThenSize)[0],
  );
  const accurate = preferNoPython(
    installable,
    (pool) =>
      pool
        .filter((c) => c.quality >= GOOD_QUALITY && c.speed && c.speed.encodeSeconds <= USABLE_ENCODE_SECONDS)
        .sort((a, b) => b.quality - a.quality || byCostThenSize(a, b))[0],
  );
  if (fastest && accurate && fastest.name === accurate.name) return [{ role: 'both', entry: fastest }];
  const out: Array<Recommendation<C>> = [];
  if (fastest) out.push({ role: 'fastest', entry: fastest });
  if (accurate) out.push({ role: 'accurate', entry: accurate });
  return out;
}
