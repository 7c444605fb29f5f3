// The console's built files, or null when they were never built (the API then says how to build them).
// `npm install` builds them (the package's prepare script); `npm run build -w @genq/console` rebuilds.
let built = null;
try {
  built = await import("./dist/assets.js");
} catch (error) {
  if (error?.code !== "ERR_MODULE_NOT_FOUND") throw error;
}

export const assets = built?.assets ?? null;
