import { idParams, submitEnvelopeBody } from '@openvelope/server/contract';
import { validateBlocks } from '@openvelope/server/envelope-rules';
import type { FormErrors } from '@mantine/form';
import type { z } from 'zod';
import { fromZonedInputValue, toZonedInputValue } from '../../format';
import { toNumber } from '../../forms/values';

/** The scope (a path parameter) and the envelope (the body), under the server's rules. */
export const envelopeRequest = submitEnvelopeBody.extend({ scopeId: idParams.shape.id });
export type EnvelopeRequest = z.output<typeof envelopeRequest>;

export type Unit = 'A' | 'KW';

export interface BlockValues {
  key: number;
  /** Wall times in the microgrid's zone, as a datetime-local input holds them. */
  start: string;
  end: string;
  importLimit: { value: number | string; unit: Unit };
}

export interface EnvelopeValues extends Record<string, unknown> {
  scopeId: string;
  source: string;
  blocks: BlockValues[];
}

const HOUR = 3600_000;
let nextKey = 1;

export function newBlock(
  timeZone: string,
  fromMs: number,
  importLimit: BlockValues['importLimit'] = { value: '', unit: 'A' },
): BlockValues {
  return {
    key: nextKey++,
    start: toZonedInputValue(fromMs, timeZone),
    end: toZonedInputValue(fromMs + HOUR, timeZone),
    importLimit,
  };
}

/** A wall time as an instant; left as typed when it is none, so the server's rule names it. */
const instantIn = (wall: string, timeZone: string) =>
  fromZonedInputValue(wall, timeZone)?.toISOString() ?? wall;

export function toEnvelopeRequest(v: EnvelopeValues, timeZone: string) {
  return {
    scopeId: v.scopeId,
    source: v.source.trim(),
    blocks: v.blocks.map((b) => ({
      start: instantIn(b.start, timeZone),
      end: instantIn(b.end, timeZone),
      importLimit: { value: toNumber(b.importLimit.value), unit: b.importLimit.unit },
    })),
  };
}

/** The server's block rules (order, overlap), as field errors of the form. */
export function blockRules(request: EnvelopeRequest): FormErrors {
  const errors: FormErrors = {};
  for (const problem of validateBlocks(request.blocks)) {
    const path = problem.block < 0 ? problem.field : `blocks.${problem.block}.${problem.field}`;
    errors[path] ??= problem.message;
  }
  return errors;
}
