/**
 * bench/results/summary.md is made of sections, one per benchmark selection, each between markers.
 * A run rewrites the sections it ran and keeps the others from the previous summary, so
 * `npm run bench -- heartbeat` does not wipe the HTTP table (each section carries its own date).
 */
export const SUMMARY_SECTIONS = ['http', 'heartbeat'] as const;
export type SummarySection = (typeof SUMMARY_SECTIONS)[number];

const open = (s: SummarySection) => `<!-- bench:${s} -->`;
const close = (s: SummarySection) => `<!-- /bench:${s} -->`;

function sectionOf(markdown: string, section: SummarySection): string | undefined {
  // A summary written before there were sections is the HTTP benchmarks' alone.
  if (!markdown.includes('<!-- bench:')) {
    return section === 'http'
      ? markdown.replace(/^## Openvelope benchmarks\s*/, '').trim()
      : undefined;
  }
  const start = markdown.indexOf(open(section));
  const end = markdown.indexOf(close(section));
  if (start < 0 || end < start) return undefined;
  return markdown.slice(start + open(section).length, end).trim();
}

export function mergeSummary(
  previous: string | undefined,
  fresh: Partial<Record<SummarySection, string>>,
): string {
  const parts = ['## Openvelope benchmarks', ''];
  for (const section of SUMMARY_SECTIONS) {
    const body = fresh[section]?.trim() ?? (previous ? sectionOf(previous, section) : undefined);
    if (!body) continue;
    parts.push(open(section), '', body, '', close(section), '');
  }
  return parts.join('\n');
}

/**
 * What to run: `npm run bench -- heartbeat` (arguments) or BENCH_ONLY=heartbeat; `http` is the load
 * balancer, envelope and floor benchmarks; `all` is both. Default: http.
 */
export function summarySelection(
  args: readonly string[],
  only: string | undefined,
): Set<SummarySection> {
  const words = [...args, ...(only ?? '').split(',')]
    .map((w) => w.trim().toLowerCase())
    .filter(Boolean);
  const chosen = new Set<SummarySection>();
  for (const word of words) {
    if (word === 'all') SUMMARY_SECTIONS.forEach((s) => chosen.add(s));
    else if (word === 'heartbeat' || word === 'heartbeats') chosen.add('heartbeat');
    else if (['http', 'lb', 'load-balancer', 'envelope', 'floor'].includes(word))
      chosen.add('http');
    else throw new Error(`unknown benchmark "${word}": use http, heartbeat or all`);
  }
  if (chosen.size === 0) chosen.add('http');
  return chosen;
}
