import { summarySelection, type SummarySection } from './summary-sections';

/**
 * The forecast benchmark's place in `npm run bench`: its selector (`forecast`, also part of `all`)
 * and its own section of results/summary.md, kept apart from the sections summary-sections.ts
 * manages so that each benchmark's code stays its own.
 */
const FORECAST_WORDS = new Set(['forecast', 'forecasts']);

/**
 * Splits the selection: whether the forecast benchmark runs, and the other sections (as
 * summarySelection reads them). `forecast` alone selects nothing else; `all` selects everything.
 */
export function forecastSelection(
  args: readonly string[],
  only: string | undefined,
): { forecast: boolean; selected: Set<SummarySection> } {
  const words = [...args, ...(only ?? '').split(',')].map((w) => w.trim()).filter(Boolean);
  const forecastWords = words.filter((w) => FORECAST_WORDS.has(w.toLowerCase()));
  const rest = words.filter((w) => !FORECAST_WORDS.has(w.toLowerCase()));
  const all = rest.some((w) => w.toLowerCase() === 'all');
  if (forecastWords.length > 0 && rest.length === 0) return { forecast: true, selected: new Set() };
  return { forecast: forecastWords.length > 0 || all, selected: summarySelection(rest, undefined) };
}

const OPEN = '<!-- bench:forecast -->';
const CLOSE = '<!-- /bench:forecast -->';

/**
 * Adds the forecast section to a summary merged by mergeSummary: the fresh one when the forecast
 * benchmark ran, otherwise the one of the previous summary (so other runs do not wipe it).
 */
export function withForecastSection(
  previous: string | undefined,
  merged: string,
  fresh: string | undefined,
): string {
  let body = fresh?.trim();
  if (!body && previous) {
    const start = previous.indexOf(OPEN);
    const end = previous.indexOf(CLOSE);
    if (start >= 0 && end > start) body = previous.slice(start + OPEN.length, end).trim();
  }
  if (!body) return merged;
  return `${merged.trimEnd()}\n\n${OPEN}\n\n${body}\n\n${CLOSE}\n`;
}
