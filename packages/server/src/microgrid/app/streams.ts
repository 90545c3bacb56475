/** Event stream names of the microgrid context. */
export const envelopeStream = (envelopeId: string) => `envelope-${envelopeId}`;
export const scopeEnvelopeStream = (scopeId: string) => `scope-envelopes-${scopeId}`;
