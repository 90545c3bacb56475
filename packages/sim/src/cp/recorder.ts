import { EventEmitter } from 'node:events';
import type { SendOutcome } from '@openvelope/oscp';
import type { InboundRecord, MessageFilter, OutboundRecord } from './types';

export interface WaitOptions<T> extends MessageFilter {
  /** Only records with a larger sequence number (i.e. recorded later than that one). */
  since?: number;
  where?: (record: T) => boolean;
  /** Default 5000 ms. */
  timeoutMs?: number;
}

type NewInbound = Omit<InboundRecord, 'seq' | 'duplicate'>;
type NewOutbound = Omit<OutboundRecord, 'seq'>;

/**
 * Every request the simulator received and every message it sent, in order, capped at `max`
 * each (oldest dropped) so a long benchmark does not grow without bound.
 */
export class Recorder {
  readonly #inbound: InboundRecord[] = [];
  readonly #outbound: OutboundRecord[] = [];
  /** endpoint + request id → how many retained inbound records carry it. */
  readonly #seen = new Map<string, number>();
  readonly #events = new EventEmitter();
  #seq = 0;

  constructor(private readonly max: number) {
    this.#events.setMaxListeners(0);
  }

  get lastSeq(): number {
    return this.#seq;
  }

  inbound(entry: NewInbound): InboundRecord {
    const key = entry.requestId === undefined ? undefined : `${entry.endpoint} ${entry.requestId}`;
    const count = key === undefined ? 0 : (this.#seen.get(key) ?? 0);
    if (key !== undefined) this.#seen.set(key, count + 1);
    const record: InboundRecord = { seq: ++this.#seq, ...entry, duplicate: count > 0 };
    this.#inbound.push(record);
    this.#trim(this.#inbound, (dropped) => this.#forget(dropped));
    this.#events.emit('inbound', record);
    return record;
  }

  outbound(entry: NewOutbound): OutboundRecord {
    const record: OutboundRecord = { seq: ++this.#seq, ...entry };
    this.#outbound.push(record);
    this.#trim(this.#outbound, () => {});
    this.#events.emit('outbound', record);
    return record;
  }

  messages(filter: MessageFilter = {}): InboundRecord[] {
    return this.#inbound.filter((r) => matches(r, filter));
  }

  sent(filter: MessageFilter = {}): OutboundRecord[] {
    return this.#outbound.filter((r) => matches(r, filter));
  }

  /** Distinct X-Request-IDs received on an endpoint, in first-seen order: retries count once. */
  uniqueRequestIds(endpoint: string): string[] {
    const ids = new Set<string>();
    for (const r of this.#inbound) {
      if (r.endpoint === endpoint && r.requestId !== undefined) ids.add(r.requestId);
    }
    return [...ids];
  }

  clear(): void {
    this.#inbound.length = 0;
    this.#outbound.length = 0;
    this.#seen.clear();
  }

  waitForInbound(options: WaitOptions<InboundRecord>): Promise<InboundRecord> {
    return this.#waitFor('inbound', this.#inbound, options);
  }

  waitForOutbound(options: WaitOptions<OutboundRecord>): Promise<OutboundRecord> {
    return this.#waitFor('outbound', this.#outbound, options);
  }

  #waitFor<T extends InboundRecord | OutboundRecord>(
    event: 'inbound' | 'outbound',
    existing: readonly T[],
    { since = 0, where, timeoutMs = 5000, ...filter }: WaitOptions<T>,
  ): Promise<T> {
    const wanted = (r: T) => r.seq > since && matches(r, filter) && (where?.(r) ?? true);
    const found = existing.find(wanted);
    if (found) return Promise.resolve(found);
    return new Promise<T>((resolve, reject) => {
      const onRecord = (record: T) => {
        if (!wanted(record)) return;
        clearTimeout(timer);
        this.#events.off(event, onRecord);
        resolve(record);
      };
      const timer = setTimeout(() => {
        this.#events.off(event, onRecord);
        const what = [filter.endpoint, filter.peerId].filter(Boolean).join(' from/to ');
        reject(new Error(`no ${event} message ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#events.on(event, onRecord);
    });
  }

  #trim<T>(list: T[], onDrop: (dropped: T) => void): void {
    // Trim in chunks: splicing the head of a large array on every push would be quadratic.
    if (list.length <= this.max + Math.max(10, Math.floor(this.max / 10))) return;
    for (const dropped of list.splice(0, list.length - this.max)) onDrop(dropped);
  }

  #forget(record: InboundRecord): void {
    if (record.requestId === undefined) return;
    const key = `${record.endpoint} ${record.requestId}`;
    const count = (this.#seen.get(key) ?? 1) - 1;
    if (count <= 0) this.#seen.delete(key);
    else this.#seen.set(key, count);
  }
}

function matches(record: { endpoint: string; peerId?: string }, filter: MessageFilter): boolean {
  return (
    (filter.endpoint === undefined || record.endpoint === filter.endpoint) &&
    (filter.peerId === undefined || record.peerId === filter.peerId)
  );
}

export function isDelivered(outcome: SendOutcome): boolean {
  return outcome.status === 'delivered';
}
