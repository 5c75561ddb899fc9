import { startTracing } from '@nexus/ops';

// Imported first by main.ts: the instrumentations must patch gRPC and pg before anything loads them.
startTracing('users');
