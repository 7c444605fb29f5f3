import { Client } from "@opensearch-project/opensearch";
import { AwsSigv4Signer } from "@opensearch-project/opensearch/aws-v3";
import { ValidationError } from "@genq/core";

export interface OpenSearchClientOptions {
  /** The domain endpoint, `https://…`. */
  node: string;
  region: string;
  /** The domain's master user (fine-grained access control): HTTP basic auth. */
  username?: string;
  password?: string;
  /** Without a user, requests are signed with SigV4 as this identity (its role must be mapped in the domain). */
  getCredentials?: () => Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string }>;
}

const isLoopback = (url: URL) => ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);

/**
 * The OpenSearch client for a domain. A domain with fine-grained access control answers 403 to a
 * SigV4-signed request from a role it maps to no OpenSearch role, so genq authenticates as the
 * domain's master user (HTTP basic auth, which the domain accepts over HTTPS only); SigV4 remains for a
 * domain that maps the functions' role. Refuses half a user, and a password over plain HTTP to anything
 * but this machine.
 */
export function createOpenSearchClient(o: OpenSearchClientOptions): Client {
  let url: URL;
  try {
    url = new URL(o.node);
  } catch {
    throw new ValidationError(`OpenSearch endpoint "${o.node}" is not a URL`);
  }
  if (Boolean(o.username) !== Boolean(o.password))
    throw new ValidationError("OpenSearch username and password go together: set both or neither");
  if (o.username && o.password) {
    if (url.protocol !== "https:" && !isLoopback(url))
      throw new ValidationError(
        `refusing to send the OpenSearch password over ${url.protocol} to ${url.host}; use https://`,
      );
    return new Client({ node: o.node, auth: { username: o.username, password: o.password } });
  }
  if (!o.getCredentials)
    throw new ValidationError("OpenSearch needs a master user (username and password) or AWS credentials to sign with");
  return new Client({
    ...AwsSigv4Signer({ region: o.region, service: "es", getCredentials: o.getCredentials }),
    node: o.node,
  });
}
