/**
 * What the deployment files are checked against, read from the apps themselves:
 * which apps run as a process, and the ports their config.ts defaults to. Used by
 * compose-file.spec.ts and k8s-manifests.spec.ts. Reads files only.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '../../..');

/** Apps that run as a process: those with src/main.ts, sorted. */
export function runnableApps(root = REPO_ROOT): string[] {
  const apps = path.join(root, 'apps');
  return readdirSync(apps)
    .filter((name) => existsSync(path.join(apps, name, 'src', 'main.ts')))
    .sort();
}

/** The prefix of an app's own variables: `ai-usage` -> `AI_USAGE` (AI_USAGE_GRPC_PORT). */
export function envPrefix(app: string): string {
  return app.toUpperCase().replace(/-/g, '_');
}

export interface AppPorts {
  grpc?: number;
  http?: number;
}

/** The `<APP>_GRPC_PORT: envPort(n)` / `<APP>_HTTP_PORT: envPort(n)` defaults of an app. */
export function defaultPorts(app: string, root = REPO_ROOT): AppPorts {
  const source = readFileSync(path.join(root, 'apps', app, 'src', 'config.ts'), 'utf8');
  const port = (kind: string): number | undefined => {
    const match = new RegExp(
      `\\b${envPrefix(app)}_${kind}_PORT\\s*:\\s*envPort\\(\\s*(\\d+)\\s*\\)`,
    ).exec(source);
    return match ? Number(match[1]) : undefined;
  };
  return { grpc: port('GRPC'), http: port('HTTP') };
}

/** The PostgreSQL schema an app owns: the `schema: '...'` of its src/database.ts. */
export function appSchema(app: string, root = REPO_ROOT): string {
  const source = readFileSync(path.join(root, 'apps', app, 'src', 'database.ts'), 'utf8');
  const match = /\bschema:\s*['"]([a-z_][a-z0-9_]*)['"]/.exec(source);
  if (!match) throw new Error(`apps/${app}/src/database.ts names no schema`);
  return match[1];
}

/** The user a postgres:// URL connects as (compose's `${VAR:-default}` passwords included). */
export function databaseUser(url: unknown): string | undefined {
  if (typeof url !== 'string') return undefined;
  return /^postgres(?:ql)?:\/\/([^:@/]+)[:@]/.exec(url)?.[1];
}
