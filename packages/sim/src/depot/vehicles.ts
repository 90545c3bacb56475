/** A simulated vehicle: a battery that fills at the current it draws, up to its own maximum. */
export interface Vehicle {
  label: string;
  batteryWh: number;
  storedWh: number;
  maxCurrentA: number;
}

/** A small deterministic PRNG (mulberry32) so a seeded run replays the same depot day. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What a vehicle draws: its allocation, capped by its own maximum, and nothing once full. */
export function drawCurrentA(vehicle: Vehicle, allocationA: number): number {
  if (vehicle.storedWh >= vehicle.batteryWh) return 0;
  return Math.max(0, Math.min(allocationA, vehicle.maxCurrentA));
}

/** Energy added over `seconds` at `currentA` on `phases` phases of `voltageV`. */
export function energyWh(
  currentA: number,
  phases: number,
  voltageV: number,
  seconds: number,
): number {
  return (currentA * voltageV * phases * seconds) / 3600;
}
