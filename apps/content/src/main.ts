// First: tracing (when configured) must start before anything loads gRPC or pg.
import './tracing';
import 'reflect-metadata';
import { runUntilSignalled, startService } from '@nexus/runtime';
import { contentConfig } from './config';
import { contentService } from './content.app';

const config = contentConfig();
runUntilSignalled(() => startService(contentService(config), config.service));
