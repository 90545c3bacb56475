// The fuzz suite's bounds: seeded, so a failure can be replayed (FUZZ_SEED=<seed printed>), and
// bounded in runs and time, so CI on both engines stays quick. Raise FUZZ_RUNS for a longer hunt.

export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 20_260_302);
export const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 60);
/** Each property (a route, an endpoint) stops after this long, whatever it reached. */
export const FUZZ_TIME_PER_PROPERTY_MS = Number(process.env.FUZZ_TIME_MS ?? 4_000);
