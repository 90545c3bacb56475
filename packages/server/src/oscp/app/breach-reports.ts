import type { Db } from '../../platform/db/database';
import { appErrors } from '../../platform/errors';
import type { BreachReportView } from '../operator-message-contract';
import * as reports from '../store/breach-reports';
import * as projection from '../store/connection-projection';

function view(r: reports.ReportWithDelivery): BreachReportView {
  const worsened = r.context.worsened;
  return {
    connectionId: r.connectionId,
    connectionName: r.connectionName,
    episodeId: r.episodeId,
    circuitId: r.circuitId,
    circuitName: r.context.circuitName,
    phase: r.context.phase,
    limitA: r.context.limitA,
    measuredA: r.context.measuredA,
    since: r.context.since,
    worsened: worsened && {
      at: worsened.at,
      phase: worsened.phase,
      measuredA: worsened.measuredA,
      limitA: worsened.limitA,
    },
    endedAt: r.endedAt?.toISOString() ?? null,
    started: {
      requestId: r.startedRequestId,
      correlationId: r.forecastRequestId,
      at: r.startedAt.toISOString(),
      status: r.startedStatus,
    },
    worsenedReport:
      r.worsenedRequestId && r.worsenedAt && worsened
        ? {
            requestId: r.worsenedRequestId,
            correlationId: worsened.forecastRequestId,
            at: r.worsenedAt.toISOString(),
            status: r.worsenedStatus,
          }
        : null,
  };
}

/** The breaches OSCP told Capacity Providers about: per connection, and per circuit for the depot's view. */
export class BreachReportQueries {
  constructor(private readonly db: Db) {}

  async ofConnection(connectionId: string): Promise<BreachReportView[]> {
    if (!(await projection.findConnection(this.db, connectionId)))
      throw appErrors.notFound('OSCP connection', connectionId);
    return (await reports.listReports(this.db, { connectionId, limit: 50 })).map(view);
  }

  async ofCircuit(circuitId: string): Promise<BreachReportView[]> {
    return (await reports.listReports(this.db, { circuitId, limit: 50 })).map(view);
  }
}
