import { SimError } from './errors';
import type { FaultSpec } from './types';

export interface ActiveFault extends FaultSpec {
  endpoint: string;
  id: number;
}

/**
 * Injected faults on inbound requests. The most specific fault wins: endpoint + peer, endpoint,
 * `*` + peer, `*`. Setting a fault for the same endpoint and peer replaces the previous one.
 */
export class FaultTable {
  #faults: ActiveFault[] = [];
  #seq = 0;

  set(spec: FaultSpec): ActiveFault {
    const endpoint = spec.endpoint ?? '*';
    if (
      spec.status !== undefined &&
      (!Number.isInteger(spec.status) || spec.status < 200 || spec.status > 599)
    ) {
      throw new SimError(400, `fault status must be an HTTP status 200-599 (got ${spec.status})`);
    }
    if (spec.delayMs !== undefined && !(spec.delayMs >= 0)) {
      throw new SimError(400, 'fault delayMs must be >= 0');
    }
    if (spec.status === undefined && spec.delayMs === undefined) {
      throw new SimError(400, 'a fault needs a status, a delayMs or both');
    }
    const fault: ActiveFault = { ...spec, endpoint, id: ++this.#seq };
    this.#faults = this.#faults.filter((f) => f.endpoint !== endpoint || f.peerId !== spec.peerId);
    this.#faults.push(fault);
    return fault;
  }

  clear(): void {
    this.#faults = [];
  }

  list(): ActiveFault[] {
    return [...this.#faults];
  }

  /** The fault for this request, counting it against `times`. `*` never covers the token endpoint. */
  take(endpoint: string, peerId: string | undefined): ActiveFault | undefined {
    const candidates = [
      (f: ActiveFault) => f.endpoint === endpoint && f.peerId !== undefined && f.peerId === peerId,
      (f: ActiveFault) => f.endpoint === endpoint && f.peerId === undefined,
      (f: ActiveFault) =>
        f.endpoint === '*' &&
        endpoint !== OAUTH_FAULT_ENDPOINT &&
        f.peerId !== undefined &&
        f.peerId === peerId,
      (f: ActiveFault) =>
        f.endpoint === '*' && endpoint !== OAUTH_FAULT_ENDPOINT && f.peerId === undefined,
    ];
    for (const test of candidates) {
      const fault = this.#faults.find(test);
      if (!fault) continue;
      if (fault.times !== undefined) {
        fault.times -= 1;
        if (fault.times <= 0) this.#faults = this.#faults.filter((f) => f !== fault);
      }
      return fault;
    }
    return undefined;
  }
}

/** The fault endpoint name of `POST /oauth/token`. */
export const OAUTH_FAULT_ENDPOINT = 'oauth_token';
