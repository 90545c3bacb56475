/**
 * The network-scale benchmarks' place in `npm run bench`: their selectors (each also part of
 * `all`) and their own sections of results/summary.md, kept apart from the older selections.
 */
export const SCALE_BENCHMARKS = ['cost', 'reads', 'burst', 'network'] as const;
export type ScaleBenchmark = (typeof SCALE_BENCHMARKS)[number];

const isScale = (word: string): word is ScaleBenchmark =>
  (SCALE_BENCHMARKS as readonly string[]).includes(word);

/**
 * Splits the words (arguments and BENCH_ONLY) into the scale benchmarks chosen and the words left
 * for the other selections. `only` is true when nothing but scale benchmarks was asked for, so the
 * default selection (http) does not run too.
 */
export function scaleSelection(
  args: readonly string[],
  onlyVariable: string | undefined,
): { chosen: Set<ScaleBenchmark>; args: string[]; only: string | undefined; alone: boolean } {
  const words = (list: readonly string[]) => list.map((w) => w.trim()).filter(Boolean);
  const all = [...words(args), ...words((onlyVariable ?? '').split(','))];
  const chosen = new Set<ScaleBenchmark>();
  for (const w of all) {
    const word = w.toLowerCase();
    if (word === 'all') SCALE_BENCHMARKS.forEach((s) => chosen.add(s));
    else if (isScale(word)) chosen.add(word);
  }
  const keep = (w: string) => !isScale(w.trim().toLowerCase());
  const restArgs = words(args).filter(keep);
  const restOnly = words((onlyVariable ?? '').split(',')).filter(keep);
  return {
    chosen,
    args: restArgs,
    only: restOnly.length ? restOnly.join(',') : undefined,
    alone: chosen.size > 0 && restArgs.length === 0 && restOnly.length === 0,
  };
}

/** Puts a section into a summary: the fresh one, or else the previous summary's. */
export function withSection(
  previous: string | undefined,
  merged: string,
  name: ScaleBenchmark,
  fresh: string | undefined,
): string {
  const open = `<!-- bench:${name} -->`;
  const close = `<!-- /bench:${name} -->`;
  let body = fresh?.trim();
  if (!body && previous) {
    const start = previous.indexOf(open);
    const end = previous.indexOf(close);
    if (start >= 0 && end > start) body = previous.slice(start + open.length, end).trim();
  }
  if (!body) return merged;
  return `${merged.trimEnd()}\n\n${open}\n\n${body}\n\n${close}\n`;
}
