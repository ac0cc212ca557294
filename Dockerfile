# Two stages: compile the single binary, then copy it into a minimal image.
# distroless/cc: the argon2 native addon needs libgcc_s, and /tmp must be
# writable because Bun extracts the addon there on first load.
FROM oven/bun:1.4.4 AS build
WORKDIR /src
COPY package.json bun.lock ./
RUN bun install --frozen-lockfile
COPY . .
# .git is not in the context: `fly deploy --build-arg BUILD_REVISION=$(git rev-parse --short=12 HEAD)`
# puts the revision in `--version` and the start-up lines.
ARG BUILD_REVISION=""
RUN bun scripts/build.ts /out/trading-server

FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /out/trading-server /app/trading-server
ENV PORT=8080
EXPOSE 8080
ENTRYPOINT ["/app/trading-server"]
CMD ["serve"]
