/**
 * How the forecast benchmark names its peers, so the Flexibility Provider (forecast-provision.ts,
 * in server-process.ts) and the Capacity Provider simulator (forecast-sim.ts) agree without passing
 * tokens around: peer i has group id FC0001…, and the initial token the simulator hands the FP for
 * its first Register is derived from a random per-run seed.
 */
export const forecastGroupIdFor = (i: number) => `FC${String(i + 1).padStart(4, '0')}`;
export const forecastSecretNameFor = (i: number) => `fc-initial-token-${i + 1}`;
export const forecastInitialTokenFor = (seed: string, i: number) => `fcinit${seed}x${i + 1}`;
