/** Form values as inputs hold them, turned into what a request carries. */

/** A NumberInput value ('' when empty) as a number, or undefined when empty or not a number. */
export function toNumber(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (value.trim() === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

/** Trimmed text, or undefined when nothing is left (an optional field left empty). */
export function optionalText(value: string): string | undefined {
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}
