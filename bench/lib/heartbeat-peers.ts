/**
 * How the heartbeat benchmark names its peers, so the Flexibility Provider (heartbeat-server.ts)
 * and the Capacity Provider simulator (heartbeat-sim.ts) agree without passing 2,000 tokens around:
 * peer i has group id HB0001…, and the initial token the CP hands the FP for its first Register is
 * derived from a random per-run seed.
 */
export const groupIdFor = (i: number) => `HB${String(i + 1).padStart(5, '0')}`;
export const secretNameFor = (i: number) => `hb-initial-token-${i + 1}`;
export const initialTokenFor = (seed: string, i: number) => `hbinit${seed}x${i + 1}`;
