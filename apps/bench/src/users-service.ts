import { createUsersClient, type UsersClient } from '@nexus/clients';
import { startAppProcess } from '@nexus/testing';
import { pidListeningOn } from './proc-cpu';

export interface RunningUsers {
  client: UsersClient;
  /** The process doing the work (tsx runs the service in a child of the one spawned). */
  pid: number;
  stop(): Promise<void>;
}

/** The users service as its own process, as in production, called over loopback. */
export async function startUsers(
  env: Record<string, string>,
  token: string,
): Promise<RunningUsers> {
  const app = await startAppProcess('users', env);
  const port = Number(app.grpcAddress.split(':')[1]);
  // No retries: a failed call must count as a failure, not hide in the latency.
  const client = createUsersClient({ address: app.grpcAddress, token, retries: 0 });
  return {
    client,
    pid: pidListeningOn(port),
    stop: async () => {
      client.close();
      await app.stop();
    },
  };
}
