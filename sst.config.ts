// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- SST generates these globals
/// <reference path="./.sst/platform/config.d.ts" />

// genq on AWS. Thin on purpose: every resource lives in infra/ by concern, settings per stage in stacks/.
export default $config({
  app(input) {
    return {
      name: "genq",
      home: "aws",
      removal: input?.stage === "production" ? "retain" : "remove",
      protect: input?.stage === "production",
    };
  },
  async run() {
    const { deploy } = await import("./infra/index.ts");
    return deploy($app.stage);
  },
});
