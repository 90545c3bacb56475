import { z } from 'zod';
import { ANY_USER } from '../../platform/auth/roles';
import type { HttpApp } from '../../platform/http/server';
import type { MeasurementHistory } from '../app/measurement-history';
import * as c from '../contract';

const idParams = z.object({ id: z.uuid('must be a UUID') });
const tags = ['oscp-connections'];

/** What a connection published: the measurement history, paged or as CSV. */
export function registerMeasurementRoutes(
  app: HttpApp,
  deps: { measurements: MeasurementHistory },
): void {
  app.get(
    '/api/oscp-connections/:id/measurements',
    {
      config: { allow: ANY_USER },
      schema: {
        tags,
        summary:
          'Measurement windows published to the peer (values, message as sent, delivery), newest first',
        params: idParams,
        querystring: c.measurementQuery,
        response: { 200: c.measurementList },
      },
    },
    async (request) => deps.measurements.list(request.params.id, request.query),
  );

  app.get(
    '/api/oscp-connections/:id/measurements.csv',
    {
      config: { allow: ANY_USER },
      schema: {
        tags,
        summary: 'Measurement windows of a time range as CSV, oldest first',
        params: idParams,
        querystring: c.measurementRange,
        response: { 200: z.string().describe('text/csv') },
      },
    },
    async (request, reply) => {
      const csv = await deps.measurements.csv(request.params.id, request.query);
      const name = `measurements-${request.params.id}.csv`;
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${name}"`)
        .serializer((payload) => payload as string)
        .send(csv);
    },
  );
}
