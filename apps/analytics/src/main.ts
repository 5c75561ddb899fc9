// First: tracing (when configured) must start before anything loads gRPC or pg.
import './tracing';
import 'reflect-metadata';
import { runUntilSignalled, startService } from '@nexus/runtime';
import { analyticsService } from './analytics.app';
import { analyticsConfig } from './config';

const config = analyticsConfig();
runUntilSignalled(() => startService(analyticsService(config), config.service));
