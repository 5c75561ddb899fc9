import type { Express, Request } from 'express';
import type { Admin } from 'kafkajs';
import type { DataSource } from 'typeorm';
import type { TokenVerifier } from '@nexus/grpc';
import type { Logger } from '@nexus/ops';
import { requireAnalyticsReader } from '../auth/bearer-auth';
import { jsonErrors } from '../http/json-errors';
import { consumerLag } from '../consumer/consumer-lag';
import { parseAsOf, parseSeriesQuery } from './query-params';
import { queryOpenTasks, querySeries } from './read-model.queries';
import { SERIES } from './series';

export interface ApiDependencies {
  dataSource: DataSource;
  logger: Logger;
  groupId: string;
  /** The consumer's admin client, once it runs. */
  admin: () => Admin | null;
  /** Checks the callers' bearer tokens (the users service's public key). */
  verifier: TokenVerifier;
}

/**
 * GET /api/v1/...: the read models as JSON, with date ranges and grouping,
 * for managers and admins (bearer token), as every platform API.
 */
export function addApiRoutes(app: Express, deps: ApiDependencies): void {
  app.use('/api', requireAnalyticsReader(deps.verifier));
  for (const spec of SERIES) {
    app.get(`/api/v1/${spec.path}`, async (req, res) => {
      const query = parseSeriesQuery(spec, queryOf(req));
      const rows = await querySeries(deps.dataSource, spec, query);
      res.json({ from: query.from, to: query.to, groupBy: query.groupBy, rows });
    });
  }

  app.get('/api/v1/tasks/open', async (req, res) => {
    res.json(await queryOpenTasks(deps.dataSource, parseAsOf(queryOf(req))));
  });

  app.get('/api/v1/status', async (_req, res) => {
    const admin = deps.admin();
    const partitions = admin ? await consumerLag(admin, deps.groupId) : [];
    res.json({
      consumerGroup: deps.groupId,
      consumerLag: partitions.reduce((total, p) => total + p.lag, 0),
      partitions,
    });
  });

  app.use('/api', (_req, res) => {
    res.status(404).json({ error: { code: 'NOT_FOUND', message: 'no such endpoint' } });
  });
  app.use('/api', jsonErrors(deps.logger, 'analytics API'));
}

function queryOf(req: Request): Record<string, unknown> {
  return { ...(req.query as Record<string, unknown>) };
}
