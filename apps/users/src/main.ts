import 'reflect-metadata';
import { runUntilSignalled, startService } from '@nexus/runtime';
import { usersConfig } from './config';
import { usersService } from './users.app';

const config = usersConfig();
runUntilSignalled(() => startService(usersService(config), config.service));
