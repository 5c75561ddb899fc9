import type { ErrorRequestHandler, Express, Request } from 'express';
import type { Admin } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { DomainError, uuidv7 } from '@nexus/core';
import type { Logger } from '@nexus/ops';
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
}

/** GET /api/v1/...: the read models as JSON, with date ranges and grouping. */
export function addApiRoutes(app: Express, deps: ApiDependencies): void {
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
  app.use('/api', apiErrors(deps.logger));
}

/** Bad parameters are 400 with the reason per field; anything else is a bug, 500 with an id. */
function apiErrors(logger: Logger): ErrorRequestHandler {
  return (error: unknown, _req, res, _next) => {
    if (error instanceof DomainError && error.kind === 'invalid_argument') {
      res.status(400).json({
        error: { code: String(error.code), message: error.message, violations: error.violations },
      });
      return;
    }
    const correlationId = uuidv7();
    logger.error({ err: error, correlationId }, 'analytics API failed');
    res.status(500).json({ error: { code: 'INTERNAL', message: 'internal error', correlationId } });
  };
}

function queryOf(req: Request): Record<string, unknown> {
  return { ...(req.query as Record<string, unknown>) };
}
