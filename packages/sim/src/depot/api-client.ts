/** The slice of the Openvelope API a charger integration uses, over real HTTP with a Bearer token. */
export interface ChargerState {
  id: string;
  name: string;
  phases: string[];
  maxCurrentA: number;
  session: {
    id: string;
    vehicleLabel: string | null;
    vehicleMaxCurrentA: number | null;
    energyWh: number;
  } | null;
  allocation: { currentA: number } | null;
}

export class DepotApi {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
  ) {}

  async #call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(5000),
    });
    if (!response.ok) {
      const text = await response.text();
      throw new Error(`${method} ${path} answered ${response.status}: ${text.slice(0, 300)}`);
    }
    return (response.status === 204 ? undefined : await response.json()) as T;
  }

  async circuitIds(): Promise<string[]> {
    const list = await this.#call<{ microgrids: { circuits: { id: string }[] }[] }>(
      'GET',
      '/api/microgrids',
    );
    return list.microgrids.flatMap((m) => m.circuits.map((c) => c.id));
  }

  async chargers(
    circuitId: string,
  ): Promise<{ nominalVoltageV: number; chargers: ChargerState[] }> {
    return this.#call('GET', `/api/circuits/${circuitId}`);
  }

  async reportMeterValues(
    readings: {
      chargerId: string;
      measuredAt: string;
      energyWh: number;
      powerW: number;
      currentA: number;
    }[],
  ): Promise<void> {
    if (readings.length > 0) await this.#call('POST', '/api/meter-values', { readings });
  }

  async startSession(
    chargerId: string,
    vehicleLabel: string,
    vehicleMaxCurrentA: number,
  ): Promise<void> {
    await this.#call('POST', `/api/chargers/${chargerId}/sessions`, {
      vehicleLabel,
      vehicleMaxCurrentA,
    });
  }

  async stopSession(sessionId: string): Promise<void> {
    await this.#call('POST', `/api/sessions/${sessionId}/stop`);
  }
}
