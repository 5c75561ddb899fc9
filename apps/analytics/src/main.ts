import 'reflect-metadata';
import { runUntilSignalled, startService } from '@nexus/runtime';
import { analyticsService } from './analytics.app';
import { analyticsConfig } from './config';

const config = analyticsConfig();
runUntilSignalled(() => startService(analyticsService(config), config.service));
