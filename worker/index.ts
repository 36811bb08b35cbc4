import { createApp } from "./app.ts";
import type { Env } from "./env.ts";
import { runScheduled } from "./scheduled.ts";

const app = createApp();

export default {
  fetch: app.fetch,
  async scheduled(controller, env, ctx) {
    ctx.waitUntil(
      runScheduled(env, new Date(controller.scheduledTime)).then((r) =>
        console.log(`scheduled ${controller.cron}: purged ${r.purged}, expired invitations ${r.expired}`),
      ),
    );
  },
} satisfies ExportedHandler<Env>;
