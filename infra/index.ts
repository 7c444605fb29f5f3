import { settingsFor } from "../stacks/presets.ts";
import { api } from "./api.ts";
import { events } from "./events.ts";
import { pipeline } from "./pipeline.ts";
import { search } from "./search.ts";
import { state } from "./state.ts";
import { storage } from "./storage.ts";

/** Every resource of a stage, wired from the concerns in this folder; returns the stage's outputs. */
export function deploy(stage: string) {
  const settings = settingsFor(stage);
  const { bucket } = storage(settings);
  const { table } = state();
  const { bus, deadLetters } = events(settings);
  const { domain } = search(settings);
  const { fn } = pipeline({ settings, bucket, table, bus, deadLetters, domain });
  const { gateway } = api(fn);
  return { api: gateway.url, bucket: bucket.name, bus: bus.name, deadLetters: deadLetters.url, estimatedIdleCostUsdPerMonth: settings.estimatedIdleCostUsdPerMonth };
}
