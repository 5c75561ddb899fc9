import { readFileSync } from 'node:fs';
import path from 'node:path';
import express, { type Express } from 'express';

const PUBLIC = path.join(__dirname, 'public');
// Chart.js's own UMD bundle, served as it is installed: no build step.
const CHART_JS = path.join(path.dirname(require.resolve('chart.js')), 'chart.umd.js');

/** GET /: the dashboard page, its script and Chart.js. */
export function addDashboardRoutes(app: Express, options: { refreshSeconds: number }): void {
  const page = readFileSync(path.join(PUBLIC, 'index.html'), 'utf8').replace(
    '__REFRESH_SECONDS__',
    String(options.refreshSeconds),
  );
  app.get('/', (_req, res) => {
    res.type('html').send(page);
  });
  app.get('/dashboard/vendor/chart.umd.js', (_req, res) => {
    res.sendFile(CHART_JS);
  });
  app.use('/dashboard', express.static(PUBLIC, { index: false }));
}
