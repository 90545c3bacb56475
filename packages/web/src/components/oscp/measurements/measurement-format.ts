import type { MeasurementCadence, MeasurementView } from '../../../api/types';
import { formatKw, formatKwh } from '../../../format';

/** `15 min`, `1 h`, `1 min 30 s`: a publication interval in words. */
export function intervalText(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  if (minutes === 0) return `${rest} s`;
  return rest === 0 ? `${minutes} min` : `${minutes} min ${rest} s`;
}

/** How the connection publishes, in one line: what, in which configuration, how often. */
export function cadenceText(c: MeasurementCadence): string {
  const what =
    c.mode === 'ASSET'
      ? `Asset measurements of ${c.reportingAssetId ?? '(no asset)'}, peak load in ${c.instantaneousUnit === 'W' ? 'W' : 'kW'}`
      : 'Group measurements';
  const how =
    c.configuration === 'CONTINUOUS'
      ? 'CONTINUOUS: the site register at each window’s end'
      : 'INTERMITTENT: each window’s energy from its start';
  const aligned = c.alignment === 'CLOCK_HOUR' ? ', aligned to the clock hour' : '';
  return `${what} · ${how} · every ${intervalText(c.intervalSeconds)}${aligned}`;
}

interface SentEnergy {
  value: number;
  unit: string;
}

/** What the message itself said: its energy value and, for an asset, its instantaneous value. */
export function sentValues(m: Pick<MeasurementView, 'body'>): {
  energy: SentEnergy | null;
  instantaneous: SentEnergy | null;
} {
  const [first] = (m.body.measurements ?? []) as Record<string, unknown>[];
  const energy = (first?.energy_measurement ?? first) as Partial<SentEnergy> | undefined;
  const instantaneous = first?.instantaneous_measurement as Partial<SentEnergy> | undefined;
  const pick = (x: Partial<SentEnergy> | undefined) =>
    x && typeof x.value === 'number' && typeof x.unit === 'string'
      ? { value: x.value, unit: x.unit }
      : null;
  return { energy: pick(energy), instantaneous: pick(instantaneous) };
}

/** `1,650 Wh` as sent: the number and unit on the wire, unconverted. */
export function sentText(sent: SentEnergy | null): string {
  return sent ? `${sent.value.toLocaleString('en-GB')} ${sent.unit}` : '—';
}

/** The value the window reported, in the console's units: register or window energy, and peak. */
export function reportedText(m: MeasurementView): string {
  const energy =
    m.configuration === 'CONTINUOUS'
      ? `register ${formatKwh(m.registerWh)}`
      : `${formatKwh(m.energyWh)} in the window`;
  return m.kind === 'UpdateAssetMeasurements' ? `${energy}, peak ${formatKw(m.maxLoadW)}` : energy;
}

/** The delivery in a word: the outbox status, or that its record has been pruned. */
export function deliveryStatus(m: Pick<MeasurementView, 'delivery'>): string {
  return m.delivery?.status ?? 'PRUNED';
}
