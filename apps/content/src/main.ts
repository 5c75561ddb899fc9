import 'reflect-metadata';
import { runUntilSignalled, startService } from '@nexus/runtime';
import { contentConfig } from './config';
import { contentService } from './content.app';

const config = contentConfig();
runUntilSignalled(() => startService(contentService(config), config.service));
