// First: tracing (when configured) must start before anything loads gRPC or pg.
import './tracing';
import 'reflect-metadata';
import { runUntilSignalled, startService } from '@nexus/runtime';
import { aiUsageService } from './ai-usage.app';
import { aiUsageConfig } from './config';

const config = aiUsageConfig();
runUntilSignalled(() => startService(aiUsageService(config), config.service));
