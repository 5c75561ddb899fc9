// First: tracing (when configured) must start before anything loads gRPC or pg.
import './tracing';
import 'reflect-metadata';
import { runUntilSignalled, startService } from '@nexus/runtime';
import { usersConfig } from './config';
import { usersService } from './users.app';

const config = usersConfig();
runUntilSignalled(() => startService(usersService(config), config.service));
