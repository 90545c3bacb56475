/** One colour per meaning; yellow is fallback and only fallback. */
export const CHART_COLORS = {
  static: '#868e96',
  effective: '#1c7ed6',
  load: '#0ca678',
  scheduled: '#7048e8',
  fallback: '#f08c00',
  fallbackShade: 'rgba(250, 176, 5, 0.18)',
  /** A breach (red: a real fault) and a load over the limit not yet for the hold time (amber). */
  breachShade: 'rgba(250, 82, 82, 0.16)',
  suspectedShade: 'rgba(253, 126, 20, 0.16)',
  ahead: 'rgba(134, 142, 150, 0.07)',
  now: '#343a40',
};
