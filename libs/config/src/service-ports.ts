/**
 * The one registry of the platform's services and their default ports
 * (docs/architecture.md, Services): `npm start`, the deployment checks and
 * the docs read it; each app's config.ts defaults to the same numbers, which
 * a test holds them to.
 */
export const SERVICE_PORTS: Readonly<Record<string, { grpc?: number; http: number }>> = {
  users: { grpc: 50051, http: 8081 },
  content: { grpc: 50052, http: 8082 },
  comms: { grpc: 50053, http: 8083 },
  work: { grpc: 50054, http: 8084 },
  'ai-usage': { grpc: 50055, http: 8085 },
  analytics: { http: 8086 },
};
