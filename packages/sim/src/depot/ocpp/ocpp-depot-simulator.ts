import type { FastifyInstance } from 'fastify';
import { startDepotControl } from '../control';
import { seededRandom } from '../vehicles';
import {
  SimulatedChargePoint,
  type ArrivingVehicle,
  type ChargerBehaviour,
  type SimClock,
  type SimLog,
} from './charge-point';

/** One charge point as the control API shows it. */
export interface ChargePointState {
  chargePointId: string;
  charging: boolean;
  vehicle: string | null;
  /** The limit it was sent, A per phase (null: none yet). */
  limitA: number | null;
  currentA: number;
  behaviour: ChargerBehaviour;
}

export interface SimulatedChargerSpec {
  chargePointId: string;
  password: string;
  phases: 1 | 3;
  maxCurrentA: number;
  /** A vehicle plugged in when the simulator starts. */
  vehicle?: { label: string; maxCurrentA?: number };
}

export interface OcppDepotSimulatorOptions {
  /** ws(s)://host/ocpp */
  endpoint: string;
  chargers: readonly SimulatedChargerSpec[];
  /** Interval between meter values, ms. */
  tickMs?: number;
  /** Vehicles arrive at idle chargers and leave when full, by themselves. */
  sessionSchedule?: boolean;
  arrivalProbability?: number;
  seed?: number;
  clock?: SimClock;
  log?: SimLog;
}

/**
 * The depot's chargers as OCPP 1.6-J charge points: each connects to the central system, boots,
 * and charges the vehicles that arrive at the limits it is sent, reporting MeterValues every tick.
 * Vehicles come and go at random (seeded) when the schedule is on.
 */
export class OcppDepotSimulator {
  readonly chargePoints: SimulatedChargePoint[];
  readonly #random: () => number;
  readonly #clock: SimClock;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> = Promise.resolve();
  #stopped = false;
  #control: FastifyInstance | undefined;
  /** Charge points whose last tick failed (their failing is logged once). */
  readonly #failing = new Set<string>();

  constructor(private readonly options: OcppDepotSimulatorOptions) {
    this.#random = seededRandom(options.seed ?? 42);
    // The simulator runs on wall time unless given a clock.
    this.#clock = options.clock ?? { now: () => new Date(Date.now()) };
    this.chargePoints = options.chargers.map(
      (c) =>
        new SimulatedChargePoint({
          endpoint: options.endpoint,
          chargePointId: c.chargePointId,
          password: c.password,
          phases: c.phases,
          maxCurrentA: c.maxCurrentA,
          clock: this.#clock,
          ...(options.log ? { log: options.log } : {}),
        }),
    );
  }

  #arriving(label: string, maxCurrentA: number): ArrivingVehicle {
    return {
      label,
      idTag:
        label
          .replace(/[^A-Za-z0-9]/g, '')
          .slice(0, 20)
          .toUpperCase() || 'VEHICLE',
      maxCurrentA,
      batteryWh: 60_000 + Math.round(this.#random() * 240_000),
    };
  }

  /** Connects and boots every charge point (vehicles already there start charging). */
  async connect(): Promise<void> {
    await Promise.all(
      this.chargePoints.map((cp, i) => {
        const spec = this.options.chargers[i]!;
        const vehicle = spec.vehicle
          ? this.#arriving(spec.vehicle.label, spec.vehicle.maxCurrentA ?? spec.maxCurrentA)
          : undefined;
        return cp
          .start(vehicle)
          .catch((error: unknown) =>
            this.options.log?.warn(
              { chargePoint: cp.chargePointId, err: String(error) },
              'charge point failed to start',
            ),
          );
      }),
    );
  }

  /** One step for every charge point: meter, report, and let vehicles come and go. */
  async tick(): Promise<void> {
    await Promise.all(
      this.chargePoints.map(async (cp, i) => {
        try {
          const full = await cp.tick();
          if (this.#failing.delete(cp.chargePointId))
            this.options.log?.info({ chargePoint: cp.chargePointId }, 'charge point ticks again');
          if (!this.options.sessionSchedule) return;
          if (full) {
            this.options.log?.info({ chargePoint: cp.chargePointId }, 'vehicle full, unplugged');
            await cp.unplug();
          } else if (!cp.vehicle && this.#random() < (this.options.arrivalProbability ?? 0.002)) {
            const spec = this.options.chargers[i]!;
            const label = `Vehicle ${Math.floor(this.#random() * 900) + 100}`;
            const max = this.#random() < 0.3 ? 16 : spec.maxCurrentA;
            if (await cp.plugIn(this.#arriving(label, max)))
              this.options.log?.info(
                { chargePoint: cp.chargePointId, vehicle: label },
                'vehicle arrived',
              );
          }
        } catch (error) {
          // A server that is down or restarting fails every tick: said once, and its end once.
          if (!this.#failing.has(cp.chargePointId))
            this.options.log?.warn(
              { chargePoint: cp.chargePointId, err: String(error) },
              'charge point tick failed; retrying quietly until it succeeds',
            );
          this.#failing.add(cp.chargePointId);
        }
      }),
    );
  }

  chargePoint(chargePointId: string): SimulatedChargePoint | undefined {
    return this.chargePoints.find((cp) => cp.chargePointId === chargePointId);
  }

  state(): ChargePointState[] {
    return this.chargePoints.map((cp) => ({
      chargePointId: cp.chargePointId,
      charging: cp.charging,
      vehicle: cp.vehicle?.label ?? null,
      limitA: cp.limitA ?? null,
      currentA: Math.round(cp.currentA * 10) / 10,
      behaviour: cp.behaviour,
    }));
  }

  /** Serves the control API (scenarios for people and tests); its base URL. */
  async listen(options: { port?: number; host?: string; allowRemote?: boolean } = {}) {
    const { app, url } = await startDepotControl(this, options);
    this.#control = app;
    return url;
  }

  /** Connects, then ticks every `tickMs` until stopped. */
  async start(): Promise<void> {
    await this.connect();
    const loop = () => {
      if (this.#stopped) return;
      this.#running = this.tick().finally(() => {
        if (!this.#stopped) this.#timer = setTimeout(loop, this.options.tickMs ?? 2000);
      });
    };
    loop();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#running;
    await this.#control?.close();
    await Promise.all(this.chargePoints.map((cp) => cp.stop()));
  }
}
