import { createHash } from 'node:crypto';
import type { Command } from 'commander';
import {
  createAiUsageClients,
  createCommsClient,
  createContentClient,
  createUsersClient,
  createWorkClients,
} from '@nexus/clients';
import { grpcClientTls, parseEnv, tlsEnvSchema, type GrpcClientTls } from '@nexus/config';
import { aiUsageV1, commonV1, commsV1, contentV1, usersV1, workV1 } from '@nexus/proto';
import { CliError } from './database';
import { seedProgress } from './seed-progress';

export interface SeedSizes {
  users: number;
  documents: number;
  emails: number;
  messages: number;
  projects: number;
  tasks: number;
  interactions: number;
}

export interface SeedOptions {
  sizes: SeedSizes;
  seed: number;
  addresses: { users: string; content: string; comms: string; work: string; aiUsage: string };
  /** TLS to the services (GRPC_TLS_CA, GRPC_TLS_CLIENT_CERT/KEY); undefined: plaintext. */
  tls?: GrpcClientTls;
  admin: { email: string; password: string };
  /** Progress on stderr: bars on a terminal, plain lines in a log or a pipe. */
  progress: boolean;
}

const SAMPLE_PASSWORD = 'nexus-sample-password';
const WORDS = [
  'quarterly',
  'roadmap',
  'budget',
  'launch',
  'review',
  'design',
  'migration',
  'customer',
  'onboarding',
  'security',
  'analytics',
  'hiring',
  'offsite',
  'pricing',
  'release',
  'research',
  'retro',
  'strategy',
];
const NAMES = [
  'Ada',
  'Grace',
  'Alan',
  'Barbara',
  'Edsger',
  'Katherine',
  'Linus',
  'Margaret',
  'Dennis',
  'Frances',
];

/** Models of ai-usage's default price list (its DefaultModelPrices migration), so sample usage has a cost. */
const SEED_MODELS = [
  ['openai', 'gpt-4o'],
  ['openai', 'gpt-4o-mini'],
  ['openai', 'gpt-4.1-mini'],
  ['anthropic', 'claude-sonnet-4-5'],
  ['gcp.gemini', 'gemini-2.5-flash'],
] as const;

/** mulberry32: a small seeded PRNG, so a seed value always makes the same data. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A request id derived from the seed: rerunning a seed creates nothing twice. */
function requestId(seed: number, kind: string, index: number): string {
  const hex = createHash('sha256').update(`${seed}:${kind}:${index}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Creates realistic sample data through the services' gRPC APIs, so every
 * row has its event and every rule is applied, with a progress bar per kind.
 */
export async function seed(options: SeedOptions): Promise<Record<keyof SeedSizes, number>> {
  const { sizes, addresses } = options;
  const next = random(options.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)];
  const phrase = (words: number) => Array.from({ length: words }, () => pick(WORDS)).join(' ');
  // Progress only on request: without it the output is one summary line.
  const progress = options.progress ? seedProgress(process.stderr) : null;
  const run = async (kind: keyof SeedSizes, count: number, step: (i: number) => Promise<void>) => {
    const counter = progress?.start(kind, count);
    for (let i = 0; i < count; i += 1) {
      await step(i);
      counter?.tick();
    }
    counter?.done();
  };

  const users = createUsersClient({ address: addresses.users, tls: options.tls });
  const content = createContentClient({ address: addresses.content, tls: options.tls });
  const comms = createCommsClient({ address: addresses.comms, tls: options.tls });
  const work = createWorkClients({ address: addresses.work, tls: options.tls });
  const ai = createAiUsageClients({ address: addresses.aiUsage, tls: options.tls });
  try {
    const admin = await users
      .authenticate({ login: options.admin.email, password: options.admin.password })
      .catch((error: Error) => {
        throw new CliError(
          `cannot sign in as ${options.admin.email} at ${addresses.users} (${error.message}); is the platform running (npm start)?`,
        );
      });

    const people: { id: string; token: string }[] = [];
    await run('users', Math.max(sizes.users, 2), async (i) => {
      const first = pick(NAMES);
      const user = await users.createUser(
        {
          user: usersV1.User.fromPartial({
            email: `sample-${options.seed}-${i}@example.com`,
            username: `sample-${options.seed}-${i}`,
            fullName: `${first} Sample ${i}`,
            role: i % 10 === 0 ? commonV1.Role.ROLE_MANAGER : commonV1.Role.ROLE_USER,
          }),
          password: SAMPLE_PASSWORD,
          requestId: requestId(options.seed, 'user', i),
        },
        { token: admin.accessToken },
      );
      const session = await users.authenticate({ login: user.email, password: SAMPLE_PASSWORD });
      people.push({ id: user.id, token: session.accessToken });
    });

    await run('documents', sizes.documents, async (i) => {
      const owner = pick(people);
      await content.documents.createDocument(
        {
          document: contentV1.Document.fromPartial({
            title: `${phrase(3)} ${i}`,
            kind: pick([
              contentV1.DocumentKind.DOCUMENT_KIND_DOCUMENT,
              contentV1.DocumentKind.DOCUMENT_KIND_SPREADSHEET,
              contentV1.DocumentKind.DOCUMENT_KIND_PRESENTATION,
            ]),
            content: { blocks: [{ type: 'paragraph', text: phrase(12) }] },
          }),
          requestId: requestId(options.seed, 'document', i),
          versionNote: 'sample data',
        },
        { token: owner.token },
      );
    });

    await run('emails', sizes.emails, async (i) => {
      const sender = pick(people);
      const recipient = pick(people.filter((person) => person !== sender));
      const draft = await comms.email.createDraft(
        {
          email: commsV1.Email.fromPartial({
            to: [recipient.id],
            subject: phrase(4),
            bodyText: phrase(30),
          }),
          requestId: requestId(options.seed, 'email', i),
        },
        { token: sender.token },
      );
      if (draft.status === commsV1.EmailStatus.EMAIL_STATUS_DRAFT) {
        await comms.email.sendEmail({ id: draft.id, etag: draft.etag }, { token: sender.token });
      }
    });

    const room = await comms.chat.createRoom(
      {
        room: commsV1.ChatRoom.fromPartial({
          name: `sample-${options.seed}`,
          kind: commsV1.RoomKind.ROOM_KIND_CHANNEL,
          topic: 'sample data',
        }),
        memberIds: people.slice(1).map((person) => person.id),
        requestId: requestId(options.seed, 'room', 0),
      },
      { token: people[0].token },
    );
    await run('messages', sizes.messages, async (i) => {
      await comms.chat.postMessage(
        {
          roomId: room.id,
          text: phrase(8),
          attachmentIds: [],
          replyToId: '',
          requestId: requestId(options.seed, 'message', i),
        },
        { token: pick(people).token },
      );
    });

    const projects: { id: string; owner: { id: string; token: string } }[] = [];
    await run('projects', sizes.projects, async (i) => {
      const owner = pick(people);
      const project = await work.projects.createProject(
        {
          project: workV1.Project.fromPartial({
            name: `${phrase(2)} ${i}`,
            description: phrase(10),
            status: workV1.ProjectStatus.PROJECT_STATUS_ACTIVE,
            priority: pick([
              workV1.Priority.PRIORITY_LOW,
              workV1.Priority.PRIORITY_MEDIUM,
              workV1.Priority.PRIORITY_HIGH,
            ]),
            budget: { amount: `${1000 + Math.floor(next() * 50_000)}.00`, currencyCode: 'EUR' },
          }),
          requestId: requestId(options.seed, 'project', i),
        },
        { token: owner.token },
      );
      projects.push({ id: project.id, owner });
    });

    await run('tasks', projects.length ? sizes.tasks : 0, async (i) => {
      const project = pick(projects);
      const due = new Date(Date.UTC(2026, 0, 1) + Math.floor(next() * 365) * 86_400_000);
      await work.tasks.createTask(
        {
          task: workV1.Task.fromPartial({
            projectId: project.id,
            title: `${phrase(3)} ${i}`,
            priority: pick([
              workV1.Priority.PRIORITY_LOW,
              workV1.Priority.PRIORITY_MEDIUM,
              workV1.Priority.PRIORITY_HIGH,
            ]),
            assigneeId: project.owner.id,
            estimatedHours: String(1 + Math.floor(next() * 16)),
            dueDate: due.toISOString().slice(0, 10),
            tags: [pick(WORDS)],
          }),
          requestId: requestId(options.seed, 'task', i),
        },
        { token: project.owner.token },
      );
    });

    await run('interactions', sizes.interactions, async (i) => {
      const person = pick(people);
      const [provider, requestModel] = pick(SEED_MODELS);
      const input = 100 + Math.floor(next() * 4000);
      const output = 50 + Math.floor(next() * 1500);
      await ai.usage.recordInteraction(
        {
          interaction: aiUsageV1.AiInteraction.fromPartial({
            userId: person.id,
            module: pick([
              aiUsageV1.Module.MODULE_DOCUMENTS,
              aiUsageV1.Module.MODULE_EMAIL,
              aiUsageV1.Module.MODULE_CHAT,
              aiUsageV1.Module.MODULE_TASKS,
            ]),
            provider,
            requestModel,
            operation: aiUsageV1.Operation.OPERATION_CHAT,
            prompt: phrase(20),
            response: phrase(40),
            inputTokens: input,
            outputTokens: output,
            totalTokens: input + output,
            latencyMs: 200 + Math.floor(next() * 3000),
            status:
              next() < 0.03
                ? aiUsageV1.InteractionStatus.INTERACTION_STATUS_ERROR
                : aiUsageV1.InteractionStatus.INTERACTION_STATUS_SUCCESS,
          }),
          requestId: requestId(options.seed, 'interaction', i),
        },
        { token: person.token },
      );
    });
    return {
      users: people.length,
      documents: sizes.documents,
      emails: sizes.emails,
      messages: sizes.messages,
      projects: sizes.projects,
      tasks: projects.length ? sizes.tasks : 0,
      interactions: sizes.interactions,
    };
  } finally {
    progress?.stop();
    users.close();
    content.close();
    comms.close();
  }
}

const positive = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new CliError(`${value} is not a whole number`);
  return n;
};

export function registerSeedCommand(db: Command): void {
  db.command('seed')
    .description(
      'create sample data through the running services (events flow); repeatable with --seed',
    )
    .option('--users <n>', 'users', positive, 20)
    .option('--documents <n>', 'documents', positive, 50)
    .option('--emails <n>', 'emails sent', positive, 30)
    .option('--messages <n>', 'chat messages', positive, 200)
    .option('--projects <n>', 'projects', positive, 5)
    .option('--tasks <n>', 'tasks', positive, 50)
    .option('--interactions <n>', 'AI interactions', positive, 200)
    .option(
      '--seed <n>',
      'the seed value: the same seed makes the same data, and rerunning it adds nothing',
      positive,
      42,
    )
    .option('--no-progress', 'no progress (bars on a terminal, plain lines otherwise)')
    .action(async (options: SeedSizes & { seed: number; progress: boolean }) => {
      const env = process.env;
      const { seed: seedValue, progress, ...sizes } = options;
      const created = await seed({
        sizes,
        seed: seedValue,
        progress,
        addresses: {
          users: env.USERS_GRPC_ADDRESS ?? '127.0.0.1:50051',
          content: env.CONTENT_GRPC_ADDRESS ?? '127.0.0.1:50052',
          comms: env.COMMS_GRPC_ADDRESS ?? '127.0.0.1:50053',
          work: env.WORK_GRPC_ADDRESS ?? '127.0.0.1:50054',
          aiUsage: env.AI_USAGE_GRPC_ADDRESS ?? '127.0.0.1:50055',
        },
        tls: grpcClientTls(parseEnv(tlsEnvSchema, env)),
        admin: {
          email: env.NEXUS_ADMIN_EMAIL ?? 'admin@nexus.local',
          password: env.NEXUS_ADMIN_PASSWORD ?? 'nexus-admin-password',
        },
      });
      console.log(
        `seeded: ${Object.entries(created)
          .map(([kind, n]) => `${n} ${kind}`)
          .join(', ')}`,
      );
    });
}
