/** Event stream names of the microgrid context. */
export const envelopeStream = (envelopeId: string) => `envelope-${envelopeId}`;
export const scopeEnvelopeStream = (scopeId: string) => `scope-envelopes-${scopeId}`;
/** A circuit's breach episodes: started, worsened, ended. */
export const circuitBreachStream = (circuitId: string) => `circuit-breaches-${circuitId}`;
