import {
  createAiUsageClients,
  createCommsClient,
  createContentClient,
  createUsersClient,
  createWorkClients,
  type AiUsageClient,
  type CommsClient,
  type ModelPriceClient,
  type ContentClient,
  type UsersClient,
  type WorkProjectsClient,
  type WorkTasksClient,
} from '@nexus/clients';
import { startAppProcess } from '@nexus/testing';
import { settle } from './proc-cpu';

/** The services the benchmark runs, each as its own process, in the order they start. */
export const SERVICES = ['users', 'content', 'work', 'comms', 'ai-usage', 'analytics'] as const;
export type ServiceName = (typeof SERVICES)[number];

export interface RunningService {
  name: ServiceName;
  /** The service's own process (startAppProcess runs tsx as a loader: one process). */
  pid: number;
  httpPort: number;
  stop(): Promise<void>;
}

/** Typed clients of every gRPC service that runs, with the benchmark's token. */
export interface PlatformClients {
  users: UsersClient;
  projects: WorkProjectsClient;
  tasks: WorkTasksClient;
  content: ContentClient;
  comms: CommsClient;
  aiUsage: AiUsageClient;
  modelPrices: ModelPriceClient;
}

export interface Platform {
  clients: PlatformClients;
  processes: Partial<Record<ServiceName, RunningService>>;
  /** The process of `name`, which must be running. */
  pid(name: ServiceName): number;
  stop(): Promise<void>;
}

/**
 * Starts `names` (users always: the others look their users up there) as
 * processes, as in production, called over loopback. `extraEnv` adds
 * variables for one service (the CPU profile hook). Clients never retry: a
 * failed call must count as a failure, not hide in the latency.
 */
export async function startPlatform(
  env: Record<string, string>,
  token: string,
  names: readonly ServiceName[],
  extraEnv: Partial<Record<ServiceName, Record<string, string>>> = {},
): Promise<Platform> {
  const wanted = new Set<ServiceName>(['users', ...names]);
  const processes: Partial<Record<ServiceName, RunningService>> = {};
  const addresses: Partial<Record<ServiceName, string>> = {};
  // What the callers among them are told of their peers.
  const peers: Record<string, string> = {};
  const stop = async () => {
    // The reverse order: callers before the peers they call.
    for (const name of [...SERVICES].reverse()) await processes[name]?.stop();
  };
  try {
    for (const name of SERVICES) {
      if (!wanted.has(name)) continue;
      const app = await startAppProcess(name, { ...env, ...peers, ...extraEnv[name] });
      processes[name] = { name, pid: app.pid, httpPort: app.httpPort, stop: () => app.stop() };
      addresses[name] = app.grpcAddress;
      if (name === 'users') peers.USERS_GRPC_ADDRESS = app.grpcAddress;
      if (name === 'content') peers.CONTENT_GRPC_ADDRESS = app.grpcAddress;
    }
    // Measure a platform at rest, not one still starting up.
    await settle(Object.values(processes).map((running) => running.pid));
  } catch (error) {
    await stop();
    throw error;
  }
  const options = (address: string | undefined) => ({
    address: address ?? '127.0.0.1:1',
    token,
    retries: 0,
  });
  const work = createWorkClients(options(addresses.work));
  const aiUsage = createAiUsageClients(options(addresses['ai-usage']));
  const clients: PlatformClients = {
    users: createUsersClient(options(addresses.users)),
    projects: work.projects,
    tasks: work.tasks,
    content: createContentClient(options(addresses.content)),
    comms: createCommsClient(options(addresses.comms)),
    aiUsage: aiUsage.usage,
    modelPrices: aiUsage.prices,
  };
  return {
    clients,
    processes,
    pid: (name) => {
      const running = processes[name];
      if (!running) throw new Error(`the ${name} service is not running`);
      return running.pid;
    },
    stop: async () => {
      clients.users.close();
      clients.projects.close();
      clients.tasks.close();
      clients.content.close();
      clients.comms.close();
      aiUsage.usage.close();
      aiUsage.prices.close();
      aiUsage.budgets.close();
      await stop();
    },
  };
}
