// First: tracing (when configured) must start before anything loads gRPC or pg.
import './tracing';
import 'reflect-metadata';
import { runUntilSignalled, startService } from '@nexus/runtime';
import { workConfig } from './config';
import { workService } from './work.app';

const config = workConfig();
runUntilSignalled(() => startService(workService(config), config.service));
