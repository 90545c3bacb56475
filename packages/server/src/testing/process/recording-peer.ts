import { createServer, type Server } from 'node:http';

/**
 * A minimal OSCP peer for process tests: answers every POST with 204 after a delay and records,
 * per X-Request-ID, each request's arrival and answer, so overlaps and duplicates can be counted.
 */
export class RecordingPeer {
  readonly requests: {
    requestId: string;
    endpoint: string;
    startedAt: number;
    endedAt: number | null;
  }[] = [];
  #server: Server | undefined;
  delayMs = 0;

  async start(): Promise<string> {
    this.#server = createServer((req, res) => {
      const record = {
        requestId: String(req.headers['x-request-id'] ?? ''),
        endpoint: (req.url ?? '').split('/').pop() ?? '',
        startedAt: performance.now(),
        endedAt: null as number | null,
      };
      this.requests.push(record);
      req.resume();
      req.on('end', () => {
        setTimeout(() => {
          record.endedAt = performance.now();
          res.statusCode = 204;
          res.end();
        }, this.delayMs);
      });
    });
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
    const address = this.#server.address();
    return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/oscp/cp/2.0`;
  }

  uniqueRequestIds(): Set<string> {
    return new Set(this.requests.map((r) => r.requestId));
  }

  /** Pairs of requests with the same X-Request-ID that were in flight at the same time. */
  concurrentDuplicates(): number {
    let overlaps = 0;
    const byId = new Map<string, typeof this.requests>();
    for (const r of this.requests) byId.set(r.requestId, [...(byId.get(r.requestId) ?? []), r]);
    for (const list of byId.values()) {
      for (let i = 0; i < list.length; i += 1) {
        for (let j = i + 1; j < list.length; j += 1) {
          const a = list[i]!;
          const b = list[j]!;
          const aEnd = a.endedAt ?? Infinity;
          const bEnd = b.endedAt ?? Infinity;
          if (a.startedAt < bEnd && b.startedAt < aEnd) overlaps += 1;
        }
      }
    }
    return overlaps;
  }

  async stop(): Promise<void> {
    this.#server?.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.#server ? this.#server.close(() => resolve()) : resolve(),
    );
  }
}
