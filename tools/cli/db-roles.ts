import type { Command } from 'commander';
import { applyServiceRoles, serviceRoleName } from '@nexus/stack';
import { CliError, databaseUrl, describeConnectionError, servicesNamed } from './database';

/** `<SERVICE>_DATABASE_URL`: the URL a service connects with (ai-usage -> AI_USAGE_DATABASE_URL). */
export function serviceUrlVariable(service: string): string {
  return `${service.toUpperCase().replace(/-/g, '_')}_DATABASE_URL`;
}

/**
 * The role passwords to set, from each service's own URL: the URL the service
 * is given is the one source of its password, so the two cannot disagree. A
 * URL that names another role than the service's is refused.
 */
export function rolePasswordsFromEnv(
  env: NodeJS.ProcessEnv,
  services: readonly { service: string; schema: string }[],
): Record<string, string> {
  const passwords: Record<string, string> = {};
  for (const { service, schema } of services) {
    const variable = serviceUrlVariable(service);
    const value = env[variable];
    if (!value) continue;
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new CliError(`${variable} is not a URL`);
    }
    const role = serviceRoleName(schema);
    if (decodeURIComponent(url.username) !== role)
      throw new CliError(`${variable} must connect as ${role}, not "${url.username}"`);
    if (!url.password) throw new CliError(`${variable} has no password`);
    passwords[schema] = decodeURIComponent(url.password);
  }
  return passwords;
}

export function registerRolesCommand(db: Command): void {
  db.command('roles')
    .description(
      "create or update every service's own database role (infra/db/roles.sql), as the DATABASE_URL owner, " +
        'and set the password each <SERVICE>_DATABASE_URL carries; run it after `db migrate`',
    )
    .action(async () => {
      const ownerUrl = databaseUrl();
      const services = servicesNamed('all');
      const passwords = rolePasswordsFromEnv(process.env, services);
      try {
        await applyServiceRoles(
          ownerUrl,
          services.map(({ schema }) => schema),
          passwords,
        );
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code && /^(08|28|3D)|^E[A-Z]+$/.test(code))
          throw new CliError(describeConnectionError(error, ownerUrl));
        throw new CliError(error instanceof Error ? error.message : String(error));
      }
      for (const { service, schema } of services) {
        const password =
          schema in passwords
            ? 'password set'
            : `password unchanged: no ${serviceUrlVariable(service)}`;
        console.log(
          `${service}: role ${serviceRoleName(schema)} on schema ${schema} (${password})`,
        );
      }
    });
}
