// First: tracing (when configured) must start before anything loads gRPC or pg.
import './tracing';
import 'reflect-metadata';
import { runUntilSignalled, startService } from '@nexus/runtime';
import { commsService } from './comms.app';
import { commsConfig } from './config';

const config = commsConfig();
runUntilSignalled(() => startService(commsService(config), config.service));
