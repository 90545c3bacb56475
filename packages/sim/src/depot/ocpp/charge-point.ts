import { RPCClient } from './rpc';
import { energyWh, type Vehicle } from '../vehicles';

export interface SimClock {
  now(): Date;
}

export interface SimLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** A vehicle as it arrives: the id tag it presents and what it can draw. */
export interface ArrivingVehicle {
  label: string;
  idTag: string;
  /** The vehicle's own maximum current per phase, A. */
  maxCurrentA: number;
  batteryWh: number;
  storedWh?: number;
}

export interface ChargePointOptions {
  /** ws(s)://host/ocpp — the charge point id is appended. */
  endpoint: string;
  chargePointId: string;
  password: string;
  phases: 1 | 3;
  /** The charger's own maximum per phase, A. */
  maxCurrentA: number;
  voltageV?: number;
  /** How fast the drawn current rises and falls toward the limit, A per second. */
  rampUpAPerS?: number;
  rampDownAPerS?: number;
  /** The answer to SetChargingProfile (a charger that refuses to be limited: 'Rejected'). */
  profileAnswer?: 'Accepted' | 'Rejected' | 'NotSupported';
  clock: SimClock;
  log?: SimLog;
  /** Called as each SetChargingProfile is answered (benchmarks time the answers). */
  onProfileAnswered?: (answer: { purpose: string; limitA: number; status: string }) => void;
}

type ChargingLimit = { limitA: number; transactionId?: number };

/**
 * How the charger and its vehicle treat the limit they are sent (scenarios for breaches):
 * OBEY draws at most the limit; IGNORE_LIMIT is a vehicle that draws its maximum whatever its
 * allocation; STUCK is a charger that delivers a fixed current. The charge point accepts its
 * charging profiles in every case: the grid side only sees it in the meter values.
 */
export type ChargerBehaviour =
  { kind: 'OBEY' } | { kind: 'IGNORE_LIMIT' } | { kind: 'STUCK'; currentA: number };

export const CHARGER_BEHAVIOURS = ['OBEY', 'IGNORE_LIMIT', 'STUCK'] as const;

/**
 * One simulated OCPP 1.6-J charge point with one connector (id 1): it boots, reports its status,
 * authorizes and starts a transaction when a vehicle plugs in, follows the SetChargingProfile
 * limits it gets (a TxProfile for its transaction, else the TxDefaultProfile) with a ramp, meters
 * the energy and reports MeterValues on each tick, and stops the transaction when the vehicle
 * leaves. It speaks through the same RPC library as the server, strict on both sides.
 */
export class SimulatedChargePoint {
  readonly client: RPCClient;
  #vehicle: (Vehicle & { idTag: string }) | undefined;
  #transactionId: number | undefined;
  #txLimit: ChargingLimit | undefined;
  #defaultLimitA: number | undefined;
  #currentA = 0;
  #registerWh = 0;
  #lastTick: Date | undefined;
  #heartbeatS = 60;
  #lastSent: Date | undefined;
  #profilesAnswered = 0;
  #behaviour: ChargerBehaviour = { kind: 'OBEY' };

  constructor(private readonly options: ChargePointOptions) {
    this.client = new RPCClient({
      endpoint: options.endpoint,
      identity: options.chargePointId,
      password: options.password,
      protocols: ['ocpp1.6'],
      strictMode: true,
      reconnect: true,
      callTimeoutMs: 30_000,
      backoff: { initialDelay: 1000, maxDelay: 15_000, factor: 2, randomisationFactor: 0.25 },
    } as never);
    this.client.handle('SetChargingProfile', async ({ params }) => this.#onProfile(params));
    // After a dropped connection the charger carries on: no boot, its transaction continues.
    this.client.on('open', () => void this.#statusAfterReconnect());
  }

  get chargePointId(): string {
    return this.options.chargePointId;
  }

  /** The limit in force for what the charger draws now, A per phase (undefined: its maximum). */
  get limitA(): number | undefined {
    if (this.#txLimit && this.#txLimit.transactionId === this.#transactionId)
      return this.#txLimit.limitA;
    return this.#defaultLimitA;
  }

  get currentA(): number {
    return this.#currentA;
  }

  get charging(): boolean {
    return this.#transactionId !== undefined;
  }

  get vehicle(): Readonly<Vehicle> | undefined {
    return this.#vehicle;
  }

  get profilesAnswered(): number {
    return this.#profilesAnswered;
  }

  get behaviour(): ChargerBehaviour {
    return this.#behaviour;
  }

  /** From the next tick on, the current follows the new behaviour (with the usual ramp). */
  setBehaviour(behaviour: ChargerBehaviour): void {
    this.#behaviour = behaviour;
  }

  #onProfile(params: Record<string, unknown> | undefined) {
    const request = params as {
      connectorId: number;
      csChargingProfiles: {
        chargingProfilePurpose: string;
        transactionId?: number;
        chargingSchedule: { chargingSchedulePeriod: { limit: number }[] };
      };
    };
    this.#profilesAnswered += 1;
    const result = this.#applyProfile(request);
    this.options.onProfileAnswered?.({
      purpose: request.csChargingProfiles.chargingProfilePurpose,
      limitA: request.csChargingProfiles.chargingSchedule.chargingSchedulePeriod[0]?.limit ?? NaN,
      status: result.status,
    });
    return result;
  }

  #applyProfile(request: {
    csChargingProfiles: {
      chargingProfilePurpose: string;
      transactionId?: number;
      chargingSchedule: { chargingSchedulePeriod: { limit: number }[] };
    };
  }): { status: 'Accepted' | 'Rejected' | 'NotSupported' } {
    const answer = this.options.profileAnswer ?? 'Accepted';
    if (answer !== 'Accepted') return { status: answer };
    const profile = request.csChargingProfiles;
    const limitA =
      profile.chargingSchedule.chargingSchedulePeriod[0]?.limit ?? this.options.maxCurrentA;
    if (profile.chargingProfilePurpose === 'TxDefaultProfile') this.#defaultLimitA = limitA;
    else if (profile.chargingProfilePurpose === 'TxProfile') {
      if (profile.transactionId !== undefined && profile.transactionId !== this.#transactionId) {
        return { status: 'Rejected' };
      }
      this.#txLimit = {
        limitA,
        ...(profile.transactionId !== undefined ? { transactionId: profile.transactionId } : {}),
      };
    } else return { status: 'NotSupported' };
    return { status: 'Accepted' };
  }

  async #call(action: string, payload: Record<string, unknown>): Promise<Record<string, unknown>> {
    this.#lastSent = this.options.clock.now();
    return (await this.client.call(action, payload)) as Record<string, unknown>;
  }

  #status(status: string): Promise<unknown> {
    return this.#call('StatusNotification', {
      connectorId: 1,
      errorCode: 'NoError',
      status,
      timestamp: this.options.clock.now().toISOString(),
    });
  }

  async #statusAfterReconnect(): Promise<void> {
    if (this.#lastSent === undefined) return; // the first connection boots instead
    await this.#status(this.charging ? 'Charging' : 'Available').catch(() => undefined);
  }

  /** Connects and boots; with a vehicle already plugged in, its transaction starts at once. */
  async start(vehicle?: ArrivingVehicle): Promise<void> {
    await this.client.connect();
    const boot = await this.#call('BootNotification', {
      chargePointVendor: 'Openvelope',
      chargePointModel: `Sim ${this.options.phases}x${this.options.maxCurrentA}A`,
      chargePointSerialNumber: this.options.chargePointId.slice(0, 25),
      firmwareVersion: 'sim-1.0',
    });
    this.#heartbeatS = Number(boot.interval ?? 60);
    await this.#status('Available');
    if (vehicle) await this.plugIn(vehicle);
  }

  /** A vehicle plugs in: Preparing, Authorize, StartTransaction, Charging. */
  async plugIn(vehicle: ArrivingVehicle): Promise<boolean> {
    if (this.#vehicle) return false;
    this.#vehicle = { ...vehicle, storedWh: vehicle.storedWh ?? 0 };
    await this.#status('Preparing');
    const auth = (await this.#call('Authorize', { idTag: vehicle.idTag })) as {
      idTagInfo: { status: string };
    };
    if (auth.idTagInfo.status !== 'Accepted') {
      this.options.log?.warn(
        { chargePoint: this.chargePointId, idTag: vehicle.idTag },
        'id tag refused',
      );
      this.#vehicle = undefined;
      await this.#status('Available');
      return false;
    }
    const started = (await this.#call('StartTransaction', {
      connectorId: 1,
      idTag: vehicle.idTag,
      meterStart: Math.round(this.#registerWh),
      timestamp: this.options.clock.now().toISOString(),
    })) as { transactionId: number; idTagInfo: { status: string } };
    if (started.idTagInfo.status !== 'Accepted') {
      await this.#call('StopTransaction', {
        transactionId: started.transactionId,
        meterStop: Math.round(this.#registerWh),
        timestamp: this.options.clock.now().toISOString(),
        reason: 'DeAuthorized',
      });
      this.#vehicle = undefined;
      await this.#status('Available');
      return false;
    }
    this.#transactionId = started.transactionId;
    this.#lastTick = this.options.clock.now();
    await this.#status('Charging');
    return true;
  }

  /** The vehicle leaves: StopTransaction with the final register, then Available. */
  async unplug(reason: 'EVDisconnected' | 'Local' = 'EVDisconnected'): Promise<void> {
    if (this.#transactionId === undefined) return;
    const transactionId = this.#transactionId;
    this.#transactionId = undefined;
    this.#txLimit = undefined;
    this.#currentA = 0;
    this.#vehicle = undefined;
    await this.#status('Finishing');
    await this.#call('StopTransaction', {
      transactionId,
      meterStop: Math.round(this.#registerWh),
      timestamp: this.options.clock.now().toISOString(),
      reason,
    });
    await this.#status('Available');
  }

  /**
   * What the vehicle would draw now, none once full: the limit capped by both maximums; its own
   * maximum when it ignores the limit; the stuck current (up to the vehicle's maximum).
   */
  #target(): number {
    const vehicle = this.#vehicle;
    if (!vehicle || this.#transactionId === undefined || vehicle.storedWh >= vehicle.batteryWh)
      return 0;
    const behaviour = this.#behaviour;
    const offered =
      behaviour.kind === 'STUCK'
        ? behaviour.currentA
        : behaviour.kind === 'IGNORE_LIMIT'
          ? this.options.maxCurrentA
          : Math.min(this.limitA ?? this.options.maxCurrentA, this.options.maxCurrentA);
    return Math.max(0, Math.min(offered, vehicle.maxCurrentA));
  }

  /**
   * Advances the meter by the time since the last tick at the current drawn so far, moves the
   * current toward its target at the ramp rates, and reports MeterValues (or a heartbeat when idle
   * and due). Returns true when the vehicle is full.
   */
  async tick(): Promise<boolean> {
    const now = this.options.clock.now();
    const seconds = this.#lastTick
      ? Math.max(0, (now.getTime() - this.#lastTick.getTime()) / 1000)
      : 0;
    this.#lastTick = now;
    const voltage = this.options.voltageV ?? 230;
    const added = energyWh(this.#currentA, this.options.phases, voltage, seconds);
    this.#registerWh += added;
    if (this.#vehicle) this.#vehicle.storedWh += added;
    const target = this.#target();
    const up = (this.options.rampUpAPerS ?? 5) * Math.max(seconds, 1);
    const down = (this.options.rampDownAPerS ?? 20) * Math.max(seconds, 1);
    this.#currentA =
      target >= this.#currentA
        ? Math.min(target, this.#currentA + up)
        : Math.max(target, this.#currentA - down);
    if (this.#transactionId !== undefined) {
      await this.#meterValues(now, voltage);
    } else if (
      !this.#lastSent ||
      now.getTime() - this.#lastSent.getTime() >= this.#heartbeatS * 1000
    ) {
      await this.#call('Heartbeat', {});
    }
    const vehicle = this.#vehicle;
    return vehicle !== undefined && vehicle.storedWh >= vehicle.batteryWh;
  }

  async #meterValues(now: Date, voltage: number): Promise<void> {
    const current = Math.round(this.#currentA * 10) / 10;
    const phases = this.options.phases === 3 ? ['L1', 'L2', 'L3'] : ['L1'];
    await this.#call('MeterValues', {
      connectorId: 1,
      transactionId: this.#transactionId,
      meterValue: [
        {
          timestamp: now.toISOString(),
          sampledValue: [
            {
              value: String(Math.round(this.#registerWh)),
              measurand: 'Energy.Active.Import.Register',
              unit: 'Wh',
              context: 'Sample.Periodic',
            },
            {
              value: String(Math.round(current * voltage * this.options.phases)),
              measurand: 'Power.Active.Import',
              unit: 'W',
              context: 'Sample.Periodic',
            },
            ...phases.map((phase) => ({
              value: current.toFixed(1),
              measurand: 'Current.Import',
              phase,
              unit: 'A',
              context: 'Sample.Periodic',
            })),
          ],
        },
      ],
    });
  }

  async stop(): Promise<void> {
    await this.client.close({ force: true });
  }
}
