import type { Clock } from '../../platform/clock';
import type { Db, Trx } from '../../platform/db/database';
import type { DueWork } from '../../platform/scheduler/scheduler';
import { NO_FORECAST_YET } from '../domain/control';
import { blockCovering } from '../domain/forecast-translation';
import { isFallbackMode, limitOfMode } from '../domain/operating-mode';
import { findConnection } from '../store/connection-projection';
import * as forecasts from '../store/forecast-store';
import { freshControlIds, type ConnectionHandler } from './connection-handler';

export { CONTROL_WORK } from './effects';

const DAY_MS = 24 * 3600_000;

/**
 * OSCP control of a managed scope, as operators and due work see it: the block-boundary
 * re-evaluation and the control view. The decisions live in domain/control.ts; forecasts reach it
 * through the inbound use case, lifecycle transitions and disables through the connection handler.
 */
export class ControlService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly handler: ConnectionHandler,
  ) {}

  /** Due work at a block boundary. */
  async reevaluate(trx: Trx, work: DueWork, now: Date): Promise<void> {
    const connection = await this.handler.load(trx, work.key);
    if (connection)
      await this.handler.control(
        trx,
        connection,
        { type: 'Reconcile', trigger: 'block boundary', ids: freshControlIds() },
        now,
      );
  }

  async view(connectionId: string) {
    const control = await forecasts.findControl(this.db, connectionId);
    const now = this.clock.now();
    const [primary, fallback, optimum, generation] = await Promise.all(
      [
        ['CONSUMPTION'],
        ['FALLBACK_CONSUMPTION', 'FALLBACK_GENERATION'],
        ['OPTIMUM'],
        ['GENERATION'],
      ].map((types) =>
        forecasts.blocksOf(this.db, connectionId, types, new Date(now.getTime() - DAY_MS)),
      ),
    );
    const toView = (b: forecasts.ForecastBlockRow) => ({
      type: b.type,
      start: b.start.toISOString(),
      end: b.end.toISOString(),
      limit: b.limit,
      wire: b.wire,
      requestId: b.requestId,
    });
    const mode = control?.mode ?? 'LOCAL';
    const profile = (await findConnection(this.db, connectionId))?.profile;
    const limit = profile
      ? limitOfMode(mode, {
          primaryNow: blockCovering(primary!, now),
          fallbackNow: blockCovering(
            fallback!.filter((b) => b.type === 'FALLBACK_CONSUMPTION'),
            now,
          ),
          gapPolicy: profile.gapPolicy,
          safeDefault: profile.safeDefaultCapacity,
        })
      : null;
    return {
      mode,
      fallback: isFallbackMode(mode),
      /** The limit the mode imposes now (A per phase or kW), or null for none. */
      limit,
      reason: control?.reason ?? NO_FORECAST_YET,
      modeSince: control?.modeSince.toISOString() ?? null,
      envelopeId: control?.envelopeId ?? null,
      disconnectedAt: control?.disconnectedAt?.toISOString() ?? null,
      lastForecast: control?.lastForecast ?? null,
      incidentId: control?.incidentId ?? null,
      blocks: {
        primary: primary!.map(toView),
        fallback: fallback!.map(toView),
        optimum: optimum!.map(toView),
        generation: generation!.map(toView),
      },
    };
  }
}
