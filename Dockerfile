# syntax=docker/dockerfile:1
#
# One image recipe for every service:  docker build --build-arg SERVICE=users .
# Services run from their TypeScript source with tsx (no build step). tsx resolves
# the @nexus/* path aliases from tsconfig.json, so the image keeps apps/, libs/,
# tools/ (the `nexus` CLI that runs migrations), infra/db (the service roles) and
# the tsconfig files as they are in the repository. The image content is the same for every SERVICE; the build
# arg only selects what CMD and HEALTHCHECK run.

FROM node:20-bookworm-slim AS base
WORKDIR /app
ENV NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false

# Production dependencies, tsx among them. Only the root manifest and lockfile:
# every dependency is declared at the root (the workspace package.json files
# declare none) and the @nexus/* imports resolve through tsconfig paths, not
# node_modules links. This layer stays cached until either file changes.
FROM base AS deps
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev

FROM base AS runtime
ARG SERVICE=users
# The service's default ports (apps/<SERVICE>/src/config.ts): EXPOSE is only
# documentation; HTTP_PORT is also the HEALTHCHECK's fallback.
ARG GRPC_PORT=50051
ARG HTTP_PORT=8081
# ARGs do not reach the running container; CMD and HEALTHCHECK read these.
ENV NODE_ENV=production \
    SERVICE=${SERVICE} \
    HTTP_PORT=${HTTP_PORT} \
    PATH=/app/node_modules/.bin:${PATH}
# Owned by root and read-only for the service user, so the code cannot be altered
# at run time. tsx writes its transform cache to /tmp, which stays writable.
COPY --from=deps /app/node_modules node_modules
COPY package.json tsconfig.json tsconfig.base.json ./
COPY libs libs
COPY apps apps
COPY tools tools
# The service roles' SQL, which `nexus db roles` (the migrate step) applies.
COPY infra/db infra/db
USER node
EXPOSE ${GRPC_PORT} ${HTTP_PORT}
# No curl in the slim image: node's fetch. The port is the service's own
# <SERVICE>_HTTP_PORT (USERS_HTTP_PORT, AI_USAGE_HTTP_PORT, ...) when set.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "const s=process.env.SERVICE.toUpperCase().replace(/-/g,'_');const p=process.env[s+'_HTTP_PORT']||process.env.HTTP_PORT;fetch('http://127.0.0.1:'+p+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# exec: tsx becomes PID 1 and relays SIGTERM/SIGINT to the service for a clean stop.
CMD ["sh", "-c", "exec tsx \"apps/${SERVICE}/src/main.ts\""]
