import { parseArgs } from "node:util";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { ApiKeyStore } from "@genq/core";
import { createDynamoDbApiKeys } from "@genq/aws";

export const KEYS_USAGE = `genq-keys — API keys of a deployed stage (its DynamoDB table)

usage (GENQ_TABLE and AWS_REGION name the stage's table; your AWS credentials must allow it):
  npm run keys:aws -- create --tenant NAME     make a key (printed once)
  npm run keys:aws -- list --tenant NAME       a tenant's keys, by id
  npm run keys:aws -- revoke ID --tenant NAME  revoke a key: refused from the next request on`;

/**
 * The AWS runtime's key command: create, list and revoke a tenant's API keys through the same DynamoDB
 * adapter the HTTP function authenticates with. Returns the exit code; prints through `print`.
 */
export async function keysCommand(argv: string[], store: ApiKeyStore, print: (line: string) => void): Promise<number> {
  let args;
  try {
    args = parseArgs({ args: argv, allowPositionals: true, options: { tenant: { type: "string" } } });
  } catch (error) {
    print(`${(error as Error).message}\n\n${KEYS_USAGE}`);
    return 1;
  }
  const [action, id] = args.positionals;
  const tenant = args.values.tenant;
  if (!tenant || !["create", "list", "revoke"].includes(action ?? "") || (action === "revoke" && !id)) {
    print(KEYS_USAGE);
    return 1;
  }
  if (action === "create") {
    const made = await store.create(tenant);
    print(made.key);
    print(`(id ${made.id}, tenant ${tenant}; the key is shown only now)`);
  } else if (action === "list") {
    const keys = await store.list(tenant);
    for (const k of keys) print(`${k.id}  tenant ${k.tenant}  created ${k.createdAt}`);
    if (!keys.length) print(`no API keys for tenant ${tenant}`);
  } else {
    if (!(await store.revoke(tenant, id!))) {
      print(`no API key with id ${id} for tenant ${tenant}`);
      return 1;
    }
    print(`revoked API key ${id}: requests with it are refused from now on`);
  }
  return 0;
}

/** The key store of the stage named by the environment (GENQ_TABLE, AWS_REGION). */
export function stageKeyStore(env: Record<string, string | undefined>): ApiKeyStore {
  if (!env.GENQ_TABLE) throw new Error("set GENQ_TABLE to the stage's DynamoDB table (an output of `sst deploy`)");
  const client = new DynamoDBClient({ region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? "us-east-1" });
  return createDynamoDbApiKeys(DynamoDBDocumentClient.from(client), env.GENQ_TABLE);
}
