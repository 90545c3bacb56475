import { DepotApi } from './api-client';
import { drawCurrentA, energyWh, seededRandom, type Vehicle } from './vehicles';

export interface SimClock {
  now(): Date;
}

export interface DepotSimulatorOptions {
  baseUrl: string;
  token: string;
  /** Real-time interval between ticks when started with a timer. */
  tickMs?: number;
  /** Start and stop sessions by themselves (off for deterministic tests). */
  sessionSchedule?: boolean;
  /** Chance per tick that an idle charger gets a vehicle. */
  arrivalProbability?: number;
  seed?: number;
  clock?: SimClock;
  log?: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
}

/**
 * Simulated vehicles on the depot's chargers. Each tick it reads the allocations, lets each vehicle
 * draw min(allocation, its maximum), advances the meters by the elapsed clock time and reports meter
 * values through the API, as a real charger integration would. Vehicles leave when full; new ones
 * arrive at random (seeded) when the schedule is on.
 */
export class DepotSimulator {
  readonly #api: DepotApi;
  readonly #vehicles = new Map<string, Vehicle>();
  readonly #random: () => number;
  readonly #clock: SimClock;
  #lastTick: Date | undefined;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> = Promise.resolve();

  constructor(private readonly options: DepotSimulatorOptions) {
    this.#api = new DepotApi(options.baseUrl, options.token);
    this.#random = seededRandom(options.seed ?? 42);
    // The simulator runs on wall time unless given a clock.
    this.#clock = options.clock ?? { now: () => new Date(Date.now()) };
  }

  #vehicleFor(session: {
    id: string;
    vehicleLabel: string | null;
    vehicleMaxCurrentA: number | null;
    energyWh: number;
  }): Vehicle {
    let vehicle = this.#vehicles.get(session.id);
    if (!vehicle) {
      const batteryWh = 60_000 + Math.round(this.#random() * 240_000);
      vehicle = {
        label: session.vehicleLabel ?? 'Vehicle',
        batteryWh,
        storedWh: session.energyWh,
        maxCurrentA: session.vehicleMaxCurrentA ?? 32,
      };
      this.#vehicles.set(session.id, vehicle);
    }
    return vehicle;
  }

  /** One step: meter the time since the last tick, report it, then let vehicles come and go. */
  async tick(): Promise<void> {
    const now = this.#clock.now();
    const seconds = this.#lastTick
      ? Math.max(0, (now.getTime() - this.#lastTick.getTime()) / 1000)
      : 0;
    this.#lastTick = now;
    for (const circuitId of await this.#api.circuitIds()) {
      const circuit = await this.#api.chargers(circuitId);
      const readings = [];
      for (const charger of circuit.chargers) {
        if (!charger.session) continue;
        const vehicle = this.#vehicleFor(charger.session);
        const currentA = drawCurrentA(vehicle, charger.allocation?.currentA ?? 0);
        vehicle.storedWh += energyWh(
          currentA,
          charger.phases.length,
          circuit.nominalVoltageV,
          seconds,
        );
        readings.push({
          chargerId: charger.id,
          measuredAt: now.toISOString(),
          energyWh: Math.round(vehicle.storedWh),
          powerW: Math.round(currentA * circuit.nominalVoltageV * charger.phases.length),
          currentA: Math.round(currentA * 10) / 10,
        });
        if (this.options.sessionSchedule && vehicle.storedWh >= vehicle.batteryWh) {
          await this.#api.stopSession(charger.session.id);
          this.#vehicles.delete(charger.session.id);
          this.options.log?.info(
            { charger: charger.name, vehicle: vehicle.label },
            'vehicle full, session stopped',
          );
        }
      }
      await this.#api.reportMeterValues(readings);
      if (this.options.sessionSchedule) {
        for (const charger of circuit.chargers) {
          if (charger.session || this.#random() >= (this.options.arrivalProbability ?? 0.002))
            continue;
          const label = `Vehicle ${Math.floor(this.#random() * 900) + 100}`;
          const maxCurrentA = this.#random() < 0.3 ? 16 : charger.maxCurrentA;
          await this.#api.startSession(charger.id, label, maxCurrentA);
          this.options.log?.info(
            { charger: charger.name, vehicle: label },
            'vehicle arrived, session started',
          );
        }
      }
    }
  }

  start(): void {
    // Failing ticks (the server is down or restarting) are said once, and their end once.
    let failing = false;
    const loop = () => {
      this.#running = this.tick()
        .then(() => {
          if (failing) this.options.log?.info({}, 'depot simulator reaches the server again');
          failing = false;
        })
        .catch((error: unknown) => {
          if (!failing)
            this.options.log?.warn(
              { err: error instanceof Error ? error.message : String(error) },
              'depot simulator tick failed; retrying quietly until the server answers',
            );
          failing = true;
        })
        .finally(() => {
          if (this.#timer !== undefined)
            this.#timer = setTimeout(loop, this.options.tickMs ?? 2000);
        });
    };
    this.#timer = setTimeout(loop, 0);
  }

  async stop(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }
}

export function startDepotSimulator(options: DepotSimulatorOptions): DepotSimulator {
  const sim = new DepotSimulator({ sessionSchedule: true, ...options });
  sim.start();
  return sim;
}
