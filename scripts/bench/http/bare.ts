/** The floor of the HTTP benchmark: a bare `Bun.serve` answering "ok". */
const server = Bun.serve({
  hostname: "127.0.0.1",
  port: Number(process.env.PORT),
  fetch: () => new Response("ok"),
});
console.log(`bare listening on ${server.url}`);
process.on("SIGTERM", () => {
  server.stop(true);
  process.exit(0);
});
